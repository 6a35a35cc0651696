// Click-to-edit, as TensorFlow Playground: a small box to set one weight (a
// link) or one bias (a neuron) by hand; the server checks the number, the
// network is redrawn and the backward view traces the edited network.
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

export class Editor {
  // deps: command(type, args) -> Promise, maxValue, onEdited()
  constructor(deps) {
    this.deps = deps; this.target = null;
    $("editor-ok").addEventListener("click", () => this.submit());
    $("editor-cancel").addEventListener("click", () => this.close());
    $("editor-value").addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") this.submit();
      if (ev.key === "Escape") this.close();
    });
  }

  // target: {layer, to, from (null: the bias), value, label}
  open(target) {
    this.target = target;
    $("editor-label").textContent = target.label;
    $("editor-value").value = String(target.value);
    $("editor").hidden = false;
    $("editor-value").focus();
    $("editor-value").select();
  }

  close() { this.target = null; $("editor").hidden = true; }

  async submit() {
    if (!this.target) return;
    const raw = $("editor-value").value.trim();
    const value = Number(raw);
    const max = this.deps.maxValue;
    if (raw === "" || !Number.isFinite(value) || Math.abs(value) > max) {
      return this.deps.showError(t("badNumber", { max }));
    }
    const { layer, to, from } = this.target;
    try {
      await this.deps.command("edit", { layer, to, from, value });
    } catch (e) { return; }   // the server's reason is on the page
    this.close();
    this.deps.onEdited();
  }
}
