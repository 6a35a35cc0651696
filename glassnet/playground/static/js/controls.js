// The controls around the network: the top bar (learning rate, activation,
// optimizer, regularization, dropout, problem type) and the data column
// (data sets, sliders, regenerate). They show the server's settings and
// send changes; the server checks them and answers with the new settings.
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const SLIDERS = {
  trainRatio: ["minTrainRatio", "maxTrainRatio", 10],
  noise: ["minNoise", "maxNoise", 5],
  batchSize: ["minBatch", "maxBatch", 1],
  points: ["minPoints", "maxPoints", 50],
};

function fillSelect(sel, values, label) {
  const keep = sel.value;
  sel.textContent = "";
  for (const v of values) {
    const o = document.createElement("option");
    o.value = String(v); o.textContent = label(v);
    sel.appendChild(o);
  }
  if (keep) sel.value = keep;
}

// a select showing `value`, adding it as an option if the menu lacks it (a shared URL's 0.05)
function showValue(sel, value) {
  const v = String(value);
  if (![...sel.options].some((o) => o.value === v)) {
    const o = document.createElement("option");
    o.value = v; o.textContent = v;
    sel.appendChild(o);
  }
  sel.value = v;
}

export class Controls {
  // actions: setConfig(partial), command(type)
  constructor(options, actions) {
    this.options = options; this.actions = actions; this.config = null; this.task = "classification";
    this.buildDatasets();
    for (const [key, [lo, hi, step]] of Object.entries(SLIDERS)) {
      const input = $(key);
      input.min = options.limits[lo]; input.max = options.limits[hi]; input.step = step;
      input.addEventListener("input", () => { $(`${key}-out`).textContent = input.value; });
      input.addEventListener("change", () => actions.setConfig({ [key]: Number(input.value) }));
    }
    for (const key of ["learningRate", "regularizationRate", "dropout"]) {
      $(key).addEventListener("change", (ev) => actions.setConfig({ [key]: Number(ev.target.value) }));
    }
    for (const key of ["optimizer", "regularization"]) {
      $(key).addEventListener("change", (ev) => actions.setConfig({ [key]: ev.target.value }));
    }
    $("activation").addEventListener("change", (ev) => {
      if (ev.target.value !== "mixed") actions.setConfig({ activations: this.config.layers.map(() => ev.target.value) });
    });
    $("problem").addEventListener("change", (ev) => {
      const first = options.datasets.find((d) => d.task === ev.target.value);
      actions.setConfig({ dataset: first.name });
    });
    $("add-layer").addEventListener("click", () => actions.setConfig({ layers: [...this.config.layers, 2] }));
    $("remove-layer").addEventListener("click", () => actions.setConfig({ layers: this.config.layers.slice(0, -1) }));
    $("regenerate").addEventListener("click", () => actions.command("regenerate"));
    this.relabel();
  }

  buildDatasets() {
    const box = $("datasets");
    box.textContent = "";
    for (const d of [...this.options.datasets, { name: "csv", task: null }]) {
      const b = document.createElement("button");
      b.className = "dataset"; b.dataset.name = d.name; b.dataset.task = d.task || "";
      b.addEventListener("click", () => this.actions.setConfig({ dataset: d.name }));
      box.appendChild(b);
    }
  }

  // texts that depend on the language
  relabel() {
    const o = this.options;
    fillSelect($("learningRate"), o.learningRates, String);
    fillSelect($("regularizationRate"), o.regularizationRates, String);
    fillSelect($("dropout"), o.dropoutRates, String);
    fillSelect($("optimizer"), o.optimizers, (v) => t(`opt_${v}`));
    fillSelect($("regularization"), o.regularizations, (v) => t(`reg_${v}`));
    fillSelect($("activation"), [...o.activations, "mixed"], (v) => t(v === "mixed" ? "act_mixed" : `act_${v}`));
    fillSelect($("problem"), ["classification", "regression"], (v) => t(v));
    for (const b of document.querySelectorAll(".dataset")) b.textContent = t(`ds_${b.dataset.name}`);
    if (this.config) this.sync(this.config, this.task, this.uploadTask);
  }

  // show the server's settings; `task` is the current data's (a CSV file's decides)
  sync(config, task, uploadTask = null) {
    this.config = config; this.task = task; this.uploadTask = uploadTask;
    for (const key of Object.keys(SLIDERS)) {
      $(key).value = config[key];
      $(`${key}-out`).textContent = config[key];
    }
    $("points").disabled = $("noise").disabled = config.dataset === "csv";
    for (const key of ["learningRate", "regularizationRate", "dropout", "optimizer", "regularization"]) {
      showValue($(key), config[key]);
    }
    $("regularizationRate").disabled = config.regularization === "none";
    const acts = new Set(config.activations);
    $("activation").value = acts.size === 1 ? config.activations[0] : "mixed";
    $("activation").disabled = config.layers.length === 0;
    $("problem").value = task;
    for (const b of document.querySelectorAll(".dataset")) {
      const hasCsv = b.dataset.name === "csv" && (config.dataset === "csv" || uploadTask === task);
      b.classList.toggle("hidden", !(b.dataset.task === task || hasCsv));
      b.classList.toggle("active", b.dataset.name === config.dataset);
    }
    const n = config.layers.length;
    $("layer-count").textContent = n === 1 ? t("hiddenLayer1") : t("hiddenLayers", { n });
    $("add-layer").disabled = n >= this.options.limits.maxLayers;
    $("remove-layer").disabled = n === 0;
  }
}
