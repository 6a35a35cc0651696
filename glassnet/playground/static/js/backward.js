// The backward view: one training point, one training step, shown in the
// order it happens — forward values on every neuron, the loss, δ flowing
// back layer by layer (links sized by ∂L/∂w), then the update. Every number
// is the server's trace (gn.explain.trace_step, as `glassnet explain`).
// After a blow-up the rows whose numbers are huge or no longer finite are
// marked (r.blown), and the first one of a stage is named in its note.
import { fmt } from "./format.js";
import { getLang, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

function stagesOf(trace) {
  const layers = Math.max(...trace.rows.filter((r) => r.layer).map((r) => r.layer));
  const out = [{ kind: "forward" }, { kind: "loss" }];
  for (let l = layers; l >= 1; l--) out.push({ kind: "backward", layer: l });
  out.push({ kind: "update" });
  return out;
}

export function stageName(stage) {
  return stage.kind === "backward" ? `backward:${stage.layer}` : stage.kind;
}

function rowKey(r) {
  return `${r.kind}:${r.layer ?? ""}:${(r.index || []).join(",")}`;
}

export class BackwardView {
  // deps: command(type, args) -> Promise, network, output, config() -> current settings,
  //       trainCount() -> number of training points, onChange() (a point or stage shown or closed)
  constructor(deps) {
    this.deps = deps; this.trace = null; this.stage = 0; this.applied = false;
    $("bw-trace").addEventListener("click", () => this.pick(Number($("bw-index").value)));
    $("bw-random").addEventListener("click", () => this.pick(Math.floor(Math.random() * deps.trainCount())));
    $("bw-next").addEventListener("click", () => this.next());
    $("bw-prev").addEventListener("click", () => this.go(this.stage - 1));
    $("bw-close").addEventListener("click", () => this.close());
  }

  get active() { return this.trace !== null; }

  // trace training point `index` and show stage `name` (e.g. "backward:2"; default the first;
  // never past the last backward stage: the update writes into the network)
  async pick(index, name = null) {
    $("bw-index").value = index;
    let reply;
    try {
      reply = await this.deps.command("trace", { index });
    } catch (e) { return; }   // the error is on the page already
    this.trace = reply.trace;
    this.rows = new Map(this.trace.rows.map((r) => [rowKey(r), r]));
    this.stages = stagesOf(this.trace);
    this.applied = false;
    this.deps.output.pick(index);
    const k = this.stages.findIndex((st) => stageName(st) === name && st.kind !== "update");
    this.go(Math.max(k, 0));
  }

  // the same point and stage again, on the network as it is now (after an edit)
  refresh() {
    if (!this.trace) return this.pick(Number($("bw-index").value) || 0);
    return this.pick(this.trace.index, this.applied ? null : stageName(this.stages[this.stage]));
  }

  // the point and stage shown, for a lesson link (null when closed)
  where() {
    return this.trace ? { trace: this.trace.index, stage: stageName(this.stages[this.stage]) } : null;
  }

  async next() {
    if (!this.trace) return;
    if (this.stage === this.stages.length - 1) return this.pick(this.trace.index);  // the next step
    const target = this.stage + 1;
    if (this.stages[target].kind === "update" && this.trace.updateFinite) {
      try { await this.deps.command("apply"); } catch (e) { return this.close(); }
      this.applied = true;
    }
    this.go(target);
  }

  go(k) {
    if (!this.trace || k < 0 || k >= this.stages.length || (this.applied && k < this.stages.length - 1)) return;
    this.stage = k;
    this.render();
  }

  close() {
    this.trace = null;
    this.deps.network.clearTrace();
    this.deps.output.pick(null);
    $("bw-stage").textContent = "";
    $("bw-rows").tBodies[0].textContent = "";
    this.buttons();
    if (this.deps.onChange) this.deps.onChange();
  }

  buttons() {
    const on = this.trace !== null;
    document.body.classList.toggle("tracing", on);   // wide screens: the view moves beside the network
    $("bw-next").disabled = !on;
    $("bw-close").disabled = !on;
    $("bw-prev").disabled = !on || this.stage === 0 || this.applied;
  }

  stageRows(stage) {
    const rows = this.trace.rows;
    if (stage.kind === "forward") return rows.filter((r) => r.section === "forward");
    if (stage.kind === "loss") return rows.filter((r) => r.section === "loss");
    if (stage.kind === "update") return rows.filter((r) => r.section === "updates");
    return rows.filter((r) => r.section === "backward" && r.layer === stage.layer);
  }

  render() {
    if (!this.trace) return;
    const stage = this.stages[this.stage];
    const tr = this.trace;
    this.deps.network.showTrace({ rows: this.rows, stage });
    const heads = tr.headings[getLang()];
    const box = $("bw-stage");
    box.textContent = "";
    box.dataset.stage = stageName(stage);
    let head = heads[stage.kind === "update" ? "update" : stage.kind];
    if (stage.kind === "backward") head = t("backLayer", { head, l: stage.layer });
    box.append(t("stageOf", { k: this.stage + 1, n: this.stages.length }) + head);
    const note = document.createElement("span");
    note.className = "note";
    const [x1, x2] = tr.point;
    const where = { i: tr.index, x1: x1.toFixed(3), x2: x2.toFixed(3) };
    let text = tr.targetClass !== null && tr.targetClass !== undefined
      ? t("pointInfoClass", { ...where, c: tr.targetClass, k: tr.targetOutput })
      : t("pointInfo", { ...where, y: fmt(tr.target) });
    if (stage.kind === "update") {
      const c = this.deps.config();
      text = tr.updateFinite ? t("updateNote", { opt: t(`opt_${c.optimizer}`), reg: c.regularization !== "none" ? t("regNote") : "" })
        : t("updateNotFinite");
    }
    if (this.deps.config().dropout > 0 && stage.kind === "forward") text += " " + t("dropoutNote");
    const rows = this.stageRows(stage);
    note.textContent = text;
    box.appendChild(note);
    const blown = rows.find((r) => r.blown);
    if (blown) {
      const warn = document.createElement("span");
      warn.className = "note blown";
      warn.textContent = t("blownHere", { name: blown.name, value: blown.valueText });
      box.appendChild(warn);
    }
    const body = $("bw-rows").tBodies[0];
    body.textContent = "";
    for (const r of rows) {
      const tr_ = document.createElement("tr");
      tr_.className = r.kind + (r.blown ? " blown" : "");
      tr_.dataset.name = r.name;
      tr_.dataset.value = r.value ?? "";
      // as glassnet explain writes a row: name = formula = numbers = value
      const cells = r.formula
        ? [[r.name], [r.op], [r.formula, "formula"], [r.numbers ? "= " + r.numbers : "", "numbers"], [r.valueText ? "= " + r.valueText : "", "value"]]
        : [[r.name], [r.valueText ? r.op : ""], [r.valueText, "value"], [""], [""]];
      for (const [text, cls] of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        if (cls) td.className = cls;
        tr_.appendChild(td);
      }
      body.appendChild(tr_);
    }
    this.buttons();
    if (this.deps.onChange) this.deps.onChange();
  }
}
