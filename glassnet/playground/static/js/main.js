// The playground page: start a session (one per tab) with the settings in
// the URL, then draw whatever the server sends and send what the user does.
import { ApiError, Connection, createSession } from "./api.js";
import { BackwardView } from "./backward.js";
import { layerColor, lineChart } from "./charts.js";
import { Controls } from "./controls.js";
import { lossText } from "./format.js";
import { Hover } from "./hover.js";
import { applyI18n, getLang, setLang, t } from "./i18n.js";
import { NetworkView } from "./network.js";
import { OutputView } from "./output.js";
import { readHash, writeHash } from "./urlstate.js";

const $ = (id) => document.getElementById(id);
const state = { conn: null, options: null, config: null, data: null, frame: null, view: {}, playing: false };
let controls, network, output, backward;

function showError(message) {
  $("error-text").textContent = message;
  $("error").hidden = false;
}

function hideError() { $("error").hidden = true; }

async function command(type, args = {}) {
  try {
    const reply = await state.conn.command(type, args);
    hideError();
    return reply;
  } catch (e) {
    showError(e.message);
    throw e;
  }
}

function setConfig(partial) {
  if (backward.active) backward.close();
  return command("config", { config: partial }).catch(() => {});
}

function saveUrl() {
  if (state.config) writeHash(state.config, state.view);
}

// -- what the server sends ------------------------------------------------------------
function onData(data) {
  state.data = data;
  if (backward.active) backward.close();
  output.setData(data);
  if (state.frame) onFrame(state.frame);
}

function onFrame(frame) {
  state.frame = frame;
  if (!state.data || frame.dataVersion !== state.data.dataVersion) return;   // its data come first
  state.config = frame.config;
  state.playing = frame.playing;
  controls.sync(frame.config, state.data.task, state.data.uploadTask);
  const d = state.data;
  $("upload-info").textContent = d.uploadName ? t("uploaded", { name: d.uploadName, rows: d.train.x.length + d.test.x.length }) : "";
  network.build(frame.config, state.options, state.data);
  network.update(frame);
  output.setOutput(frame.output, frame.grids.output);
  $("epoch").textContent = String(frame.epoch).padStart(6, "0");
  $("train-loss").textContent = lossText(frame.trainLoss);
  $("test-loss").textContent = lossText(frame.testLoss);
  $("play").classList.toggle("playing", frame.playing);
  $("diverged").hidden = !frame.diverged;
  document.body.dataset.diverged = frame.diverged;
  const h = frame.history;
  lineChart($("loss-chart"), h.epoch, [{ values: h.train, color: "#999" }, { values: h.test, color: "#000" }]);
  const g = frame.gradNorms;
  const n = g.layers.length;
  lineChart($("grad-chart"), g.epoch, g.layers.map((values, l) => ({ values, color: layerColor(l, n) })), { log: true });
  const legend = $("grad-legend");
  if (legend.childElementCount !== n || legend.dataset.lang !== getLang()) {
    legend.textContent = "";
    legend.dataset.lang = getLang();
    g.layers.forEach((_, l) => {
      const item = document.createElement("span");
      const sw = document.createElement("span");
      sw.className = "swatch"; sw.style.background = layerColor(l, n);
      item.append(sw, t("layerN", { n: l + 1 }));
      legend.appendChild(item);
    });
  }
  document.body.dataset.epoch = frame.epoch;
  document.body.dataset.version = frame.version;
  saveUrl();
}

// -- what the user does ---------------------------------------------------------------------
function wire() {
  $("play").addEventListener("click", () => {
    if (backward.active) backward.close();
    command("play", { playing: !state.playing }).catch(() => {});
  });
  $("step").addEventListener("click", () => { if (backward.active) backward.close(); command("step").catch(() => {}); });
  $("reset").addEventListener("click", () => { if (backward.active) backward.close(); command("reset").catch(() => {}); });
  $("error-close").addEventListener("click", hideError);
  $("show-test").addEventListener("change", (ev) => { state.view.showTest = ev.target.checked; output.showTest = ev.target.checked; output.draw(); saveUrl(); });
  $("discretize").addEventListener("change", (ev) => { state.view.discretize = ev.target.checked; output.discretize = ev.target.checked; output.draw(); saveUrl(); });
  for (const lang of ["en", "zh"]) $(`lang-${lang}`).addEventListener("click", () => switchLang(lang));
  $("upload").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    if (backward.active) backward.close();
    try {
      await state.conn.upload(file, $("problem").value);
      hideError();
    } catch (e) {
      showError(e.message);
    }
    ev.target.value = "";
  });
  $("export-weights").href = state.conn.exportUrl("weights");
  $("export-script").href = state.conn.exportUrl("script");
}

function switchLang(lang) {
  state.view.lang = lang;
  setLang(lang);
  applyI18n();
  for (const l of ["en", "zh"]) $(`lang-${l}`).classList.toggle("active", l === lang);
  controls.relabel();
  network.key = null;            // rebuild its labels
  if (state.data) output.setData(state.data);
  if (state.frame) onFrame(state.frame);
  if (backward.active) backward.render();
  saveUrl();
}

const networkActions = {
  toggleFeature(name) {
    const on = new Set(state.config.features);
    if (on.has(name)) on.delete(name); else on.add(name);
    setConfig({ features: state.options.features.map((f) => f.name).filter((f) => on.has(f)) });
  },
  resize(layer, delta) {
    const layers = [...state.config.layers];
    layers[layer - 1] += delta;
    setConfig({ layers });
  },
  setActivation(layer, name) {
    const activations = [...state.config.activations];
    activations[layer - 1] = name;
    setConfig({ activations });
  },
};

async function boot() {
  const { config: fromUrl, view } = readHash();
  const browserZh = (navigator.language || "").toLowerCase().startsWith("zh");
  const lang = view.lang === "zh" || view.lang === "en" ? view.lang : (browserZh ? "zh" : "en");
  state.view = { showTest: !!view.showTest, discretize: !!view.discretize, lang };
  setLang(state.view.lang);
  applyI18n();
  for (const l of ["en", "zh"]) $(`lang-${l}`).classList.toggle("active", l === state.view.lang);
  let reply;
  try {
    reply = await createSession(fromUrl);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 400) return showError(e.message);
    showError(t("badLink", { msg: e.message }));
    try { reply = await createSession({}); } catch (e2) { return showError(e2.message); }
  }
  state.conn = new Connection(reply.session);
  state.options = reply.options;
  state.config = reply.config;
  const hover = new Hover($("hovercard"));
  controls = new Controls(state.options, { setConfig, command: (type) => command(type).catch(() => {}) });
  network = new NetworkView($("network"), hover, networkActions);
  output = new OutputView($("output-map"), $("legend"), (index) => backward.pick(index));
  output.showTest = $("show-test").checked = state.view.showTest;
  output.discretize = $("discretize").checked = state.view.discretize;
  backward = new BackwardView({
    command, network, output, config: () => state.config,
    trainCount: () => (state.data ? state.data.train.x.length : 1),
  });
  wire();
  state.conn.listen({
    data: onData, frame: onFrame,
    failure: (m) => showError(m.error),
    lost: (reason) => showError(reason || t("connectionLost")),
  });
  document.body.dataset.session = reply.session;
}

boot();
