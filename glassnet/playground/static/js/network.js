// The network: a column per layer (the input features, each hidden layer,
// the output), a small heatmap inside every neuron, and a link per weight
// drawn by its sign (blue +, orange −) and size, as TensorFlow Playground
// draws them. In the backward view the same drawing shows a traced step.
// A neuron's values show on hover, on a tap (touch) and on keyboard focus;
// a click (or Enter) on a link or a neuron edits its weight or bias.
import { decodeBytes, paintDiverging, signColor } from "./colors.js";
import { fmt } from "./format.js";
import { t } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";

function el(tag, cls, parent) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (parent) parent.appendChild(e);
  return e;
}

function linkWidth(w) { return 1 + 9 * Math.min(Math.abs(w), 5) / 5; }  // Playground's scale

export class NetworkView {
  // actions: toggleFeature(name), resize(layer, delta), setActivation(layer, name),
  //          edit({layer, to, from, value, label}) (from null: the bias)
  constructor(root, hover, actions) {
    this.root = root; this.hover = hover; this.actions = actions;
    this.key = null; this.weights = null; this.trace = null; this.grid = 20;
    new ResizeObserver(() => this.layout()).observe(root);   // the window, or the page's layout
  }

  // Rebuild the drawing when the shape changes (features, layers, outputs).
  build(config, options, data) {
    const key = JSON.stringify([config.features, config.layers, config.activations, data.classes, data.task]);
    if (key === this.key) return;
    this.key = key;
    this.config = config; this.options = options; this.data = data;
    const nOut = data.task === "classification" ? data.classes.length : 1;
    this.sizes = [config.features.length, ...config.layers, nOut];
    this.root.textContent = "";
    const layers = el("div", "layers", this.root);
    this.svg = document.createElementNS(SVG, "svg");
    this.svg.classList.add("links");
    this.root.insertBefore(this.svg, layers);
    this.columns = [];
    this.columns.push(this.buildInputs(layers, options));
    config.layers.forEach((n, k) => this.columns.push(this.buildHidden(layers, k + 1, n, config.activations[k], options)));
    this.columns.push(this.buildOutputs(layers, nOut, data));
    this.buildLinks();
    requestAnimationFrame(() => this.layout());
  }

  neuron(parent, layer, index, label, extraClass = "") {
    const n = el("div", `neuron ${extraClass}`, parent);
    n.dataset.layer = layer; n.dataset.index = index;
    const c = el("canvas", "", n);
    c.width = c.height = this.grid;
    if (label) { const s = el("span", "label", n); s.textContent = label; }
    n.tabIndex = 0;
    n.addEventListener("mouseenter", (ev) => this.hover.show(ev, this.neuronText(n), c));
    n.addEventListener("mousemove", (ev) => this.hover.move(ev));
    n.addEventListener("mouseleave", () => this.hover.hide());
    n.addEventListener("focus", () => this.hover.showAt(n, this.neuronText(n), c));
    n.addEventListener("blur", () => this.hover.hide());
    n.addEventListener("click", (ev) => {
      if (ev.pointerType === "touch" || ev.pointerType === "pen") this.hover.showAt(n, this.neuronText(n), c);
      else if (layer > 0) this.editBias(layer, index);
    });
    n.addEventListener("keydown", (ev) => {
      if (ev.key !== "Enter" && ev.key !== " ") return;
      ev.preventDefault();
      if (layer === 0) this.actions.toggleFeature(n.dataset.feature);
      else this.editBias(layer, index);
    });
    return n;
  }

  editBias(l, j) {
    this.actions.edit({ layer: l, to: j, from: null, value: this.bias(l, j),
      label: t("editBias", { to: `${this.layerName(l)} #${j + 1}` }) });
  }

  buildInputs(layers, options) {
    const col = el("div", "layer inputs", layers);
    const head = el("div", "layer-head", col);
    el("span", "", head).dataset.i18n = "features";
    head.lastChild.textContent = t("features");
    const box = el("div", "neurons", col);
    const cells = [];
    for (const f of options.features) {
      const k = this.config.features.indexOf(f.name);
      const n = this.neuron(box, 0, k, f.label, "input" + (k < 0 ? " off" : ""));
      n.dataset.feature = f.name;
      n.setAttribute("role", "button");
      n.setAttribute("aria-pressed", String(k >= 0));
      n.setAttribute("aria-label", t("inputTitle", { name: f.label }));
      n.addEventListener("click", () => this.actions.toggleFeature(f.name));
      if (k >= 0) cells[k] = n;
    }
    return cells;
  }

  buildHidden(layers, l, n, act, options) {
    const col = el("div", "layer hidden", layers);
    col.dataset.layer = l;
    const head = el("div", "layer-head", col);
    const buttons = el("div", "buttons", head);
    const plus = el("button", "round small add-neuron", buttons);
    plus.textContent = "+"; plus.title = t("addNeuron");
    plus.disabled = n >= this.options.limits.maxNeurons;
    plus.addEventListener("click", () => this.actions.resize(l, +1));
    const minus = el("button", "round small remove-neuron", buttons);
    minus.textContent = "−"; minus.title = t("removeNeuron");
    minus.disabled = n <= 1;
    minus.addEventListener("click", () => this.actions.resize(l, -1));
    el("span", "count", head).textContent = n === 1 ? t("neuron1") : t("neurons", { n });
    const sel = el("select", "layer-activation", head);
    for (const a of options.activations) {
      const o = el("option", "", sel); o.value = a; o.textContent = t(`act_${a}`);
    }
    sel.value = act;
    sel.addEventListener("change", () => this.actions.setActivation(l, sel.value));
    const box = el("div", "neurons", col);
    return Array.from({ length: n }, (_, j) => this.neuron(box, l, j, ""));
  }

  buildOutputs(layers, nOut, data) {
    const col = el("div", "layer output", layers);
    const head = el("div", "layer-head", col);
    el("span", "", head).textContent = t("outputLayer");
    const box = el("div", "neurons", col);
    const L = this.sizes.length - 1;
    return Array.from({ length: nOut }, (_, j) => this.neuron(box, L, j,
      data.task === "classification" ? data.classes[j] : "ŷ", "output-neuron"));
  }

  buildLinks() {
    this.links = [];
    for (let l = 1; l < this.sizes.length; l++) {
      for (let j = 0; j < this.sizes[l]; j++) {
        for (let i = 0; i < this.sizes[l - 1]; i++) {
          const path = document.createElementNS(SVG, "path");
          path.classList.add("link");
          Object.assign(path.dataset, { layer: l, from: i, to: j });
          const hit = document.createElementNS(SVG, "path");
          hit.classList.add("hit");
          this.svg.appendChild(path);
          this.svg.appendChild(hit);
          const link = { l, i, j, path, hit };
          hit.addEventListener("mouseenter", (ev) => this.hover.show(ev, this.linkText(link)));
          hit.addEventListener("mousemove", (ev) => this.hover.move(ev));
          hit.addEventListener("mouseleave", () => this.hover.hide());
          hit.addEventListener("click", (ev) => {
            if (ev.pointerType === "touch" || ev.pointerType === "pen") this.hover.show(ev, this.linkText(link));
            else this.actions.edit({ layer: l, to: j, from: i, value: this.weight(l, j, i),
              label: t("editWeight", { from: this.sourceName(link), to: `${this.layerName(l)} #${j + 1}` }) });
          });
          this.links.push(link);
        }
      }
    }
  }

  // Place the links between the neurons where the layout has put them.
  layout() {
    if (!this.columns) return;
    const box = this.root.getBoundingClientRect();
    this.svg.setAttribute("width", box.width);
    this.svg.setAttribute("height", box.height);
    for (const k of this.links) {
      const a = this.columns[k.l - 1][k.i].getBoundingClientRect();
      const b = this.columns[k.l][k.j].getBoundingClientRect();
      const x1 = a.right - box.left, y1 = a.top + a.height / 2 - box.top;
      const x2 = b.left - box.left, y2 = b.top + b.height / 2 - box.top;
      const mx = (x1 + x2) / 2;
      const d = `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
      k.path.setAttribute("d", d);
      k.hit.setAttribute("d", d);
    }
  }

  // A new frame: every neuron's heatmap and every link's weight.
  update(frame) {
    this.weights = frame.weights;
    this.grid = frame.grids.neuron;
    frame.neurons.forEach((maps, l) => maps.forEach((b64, j) => {
      const cell = this.columns[l] && this.columns[l][j];
      if (!cell) return;
      const c = cell.querySelector("canvas");
      if (c.width !== this.grid) c.width = c.height = this.grid;
      paintDiverging(c.getContext("2d"), decodeBytes(b64), this.grid);
    }));
    if (!this.trace) this.drawWeights();
  }

  weight(l, j, i) { return this.weights ? this.weights[l - 1].W[j][i] : 0; }
  bias(l, j) { return this.weights ? this.weights[l - 1].b[j] : 0; }

  drawWeights(faded = () => false) {
    for (const k of this.links) {
      const w = this.weight(k.l, k.j, k.i);
      k.path.setAttribute("stroke", signColor(w));
      k.path.setAttribute("stroke-width", linkWidth(w).toFixed(2));
      k.path.setAttribute("opacity", faded(k) ? "0.2" : "0.85");
      k.path.dataset.weight = w;
      delete k.path.dataset.grad;
    }
  }

  // -- the backward view -------------------------------------------------------
  // view: {rows: Map, stage: {kind, layer}}
  showTrace(view) {
    this.trace = view;
    const { stage } = view;
    const L = this.sizes.length - 1;
    for (let l = 0; l <= L; l++) {
      (this.columns[l] || []).forEach((cell, j) => this.label(cell, l, j, view));
    }
    if (stage.kind === "backward") {
      // links the backward pass has reached are sized by |∂L/∂w| (largest of their layer = widest)
      const grad = (k) => this.row(view, "grad_w", k.l, [k.j, k.i])?.value || 0;
      const peak = {};
      for (const k of this.links) peak[k.l] = Math.max(peak[k.l] || 1e-12, Math.abs(grad(k)));
      for (const k of this.links) {
        if (k.l >= stage.layer) {
          const g = grad(k);
          k.path.setAttribute("stroke", signColor(g));
          k.path.setAttribute("stroke-width", (1 + 9 * Math.abs(g) / peak[k.l]).toFixed(2));
          k.path.setAttribute("opacity", k.l === stage.layer ? "0.95" : "0.35");
          k.path.dataset.grad = g;
        } else {
          k.path.setAttribute("stroke", "rgb(190,190,190)");
          k.path.setAttribute("stroke-width", "1");
          k.path.setAttribute("opacity", "0.3");
        }
      }
    } else if (stage.kind === "update") {
      for (const k of this.links) {
        const r = this.row(view, "update", k.l, [k.j, k.i]);
        const w = r ? r.value : this.weight(k.l, k.j, k.i);
        k.path.setAttribute("stroke", signColor(w));
        k.path.setAttribute("stroke-width", linkWidth(w).toFixed(2));
        k.path.setAttribute("opacity", "0.85");
      }
    } else {
      this.drawWeights();
    }
  }

  clearTrace() {
    this.trace = null;
    for (const v of this.root.querySelectorAll(".bw-value")) v.remove();
    for (const n of this.root.querySelectorAll(".bw-active")) n.classList.remove("bw-active");
    this.drawWeights();
  }

  row(view, kind, layer, index) {
    return view.rows.get(`${kind}:${layer ?? ""}:${index.join(",")}`);
  }

  // What a neuron shows at this stage: its forward value, or its δ once the
  // backward pass has reached its layer, or its new bias after the update.
  label(cell, l, j, view) {
    const { stage } = view;
    const fwd = l === 0 ? this.row(view, "input", null, [j])
      : this.row(view, "a", l, [j]) || this.row(view, "z", l, [j]);
    const delta = l === 0 ? null : this.row(view, "delta_z", l, [j]) || this.row(view, "delta_a", l, [j]);
    const L = this.sizes.length - 1;
    let shown = { row: fwd, kind: "forward", symbol: l === 0 ? "x" : l === L ? "ŷ" : "a" };
    if (stage.kind === "backward" && l >= stage.layer && delta) shown = { row: delta, kind: "delta", symbol: "δ" };
    else if (stage.kind === "update" && l > 0) shown = { row: this.row(view, "update", l, [j]), kind: "bias", symbol: "b" };
    let tag = cell.querySelector(".bw-value");
    if (!shown.row) { if (tag) tag.remove(); return; }
    if (!tag) tag = el("div", "bw-value", cell);
    tag.className = `bw-value ${shown.kind}${shown.row.blown ? " blown" : ""}`;
    tag.dataset.value = shown.row.value;
    tag.dataset.name = shown.row.name;
    tag.textContent = `${shown.symbol} ${shown.row.valueText}`;
    cell.classList.toggle("bw-active", stage.kind === "backward" && l === stage.layer);
  }

  // -- hover cards ------------------------------------------------------------------
  layerName(l) {
    const L = this.sizes.length - 1;
    return l === 0 ? t("features") : l === L ? t("outputLayer") : t("hiddenN", { n: l });
  }

  neuronText(n) {
    const l = Number(n.dataset.layer), j = Number(n.dataset.index);
    if (l === 0) {
      const f = this.options.features.find((x) => x.name === n.dataset.feature);
      return t("inputTitle", { name: f ? f.label : n.dataset.feature });
    }
    const lines = [t("layerTitle", { layer: this.layerName(l), i: j + 1 }), `${t("bias")} = ${fmt(this.bias(l, j))}`];
    if (this.trace) {
      for (const kind of ["z", "a", "delta_a", "delta_z", "grad_b", "update"]) {
        const r = this.row(this.trace, kind, l, [j]);
        if (r) lines.push(`${r.op === "←" ? r.name + " ←" : r.name + " ="} ${r.valueText}`);
      }
    }
    return lines.join("\n");
  }

  sourceName(k) {
    const src = this.columns[k.l - 1][k.i];
    return k.l === 1 ? (this.options.features.find((f) => f.name === src.dataset.feature) || {}).label
      : `${this.layerName(k.l - 1)} #${k.i + 1}`;
  }

  linkText(k) {
    const lines = [`${t("weight")} = ${fmt(this.weight(k.l, k.j, k.i))}`,
      `${t("from")} ${this.sourceName(k)} ${t("to")} ${this.layerName(k.l)} #${k.j + 1}`];
    if (this.trace) {
      for (const kind of ["grad_w", "update"]) {
        const r = this.row(this.trace, kind, k.l, [k.j, k.i]);
        if (r) lines.push(`${r.op === "←" ? r.name + " ←" : r.name + " ="} ${r.valueText}`);
      }
    }
    return lines.join("\n");
  }
}
