// The playground page: start a session (one per tab) with the settings in
// the URL, then draw whatever the server sends and send what the user does.
import { ApiError, Connection, createSession } from "./api.js";
import { BackwardView } from "./backward.js";
import { layerColor, lineChart } from "./charts.js";
import { Controls } from "./controls.js";
import { DivergenceNote } from "./divergence.js";
import { Editor } from "./editor.js";
import { lossText } from "./format.js";
import { Hover } from "./hover.js";
import { applyI18n, getLang, setLang, t } from "./i18n.js";
import { applyHidden, openLesson } from "./lesson.js";
import { NetworkView } from "./network.js";
import { OutputView } from "./output.js";
import { Playback } from "./playback.js";
import { changedSettings, readHash, writeHash } from "./urlstate.js";

const $ = (id) => document.getElementById(id);
const state = { conn: null, options: null, config: null, data: null, frame: null, view: {}, playing: false };
let controls, network, output, backward, playback, divergence, editor;

let errorsShown = 0; // how many errors the page has shown so far

function showError(message) {
  errorsShown += 1;
  $("error-text").textContent = message;
  $("error").hidden = false;
}

function hideError() { $("error").hidden = true; }

// A request that succeeds clears an error shown before it was sent, never one
// that came while it was on its way (a step's late reply must not hide the
// refusal of an upload made meanwhile).
function hideErrorsBefore(seen) { if (errorsShown === seen) hideError(); }

function showNotice(message) {
  $("notice").textContent = message || "";
  $("notice").hidden = !message;
}

async function command(type, args = {}) {
  const seen = errorsShown;
  try {
    const reply = await state.conn.command(type, args);
    hideErrorsBefore(seen);
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
  if (!state.config) return;
  const where = backward && backward.where();
  state.view.trace = where ? where.trace : undefined;
  state.view.stage = where ? where.stage : undefined;
  writeHash(state.config, state.view);
}

// -- what the server sends ------------------------------------------------------------
function onData(data) {
  const first = !state.data;
  state.data = data;
  if (backward.active) backward.close();
  output.setData(data);
  if (state.frame) onFrame(state.frame);
  if (first) {
    const problem = openLesson(state.view, backward, () => data.train.x.length);
    if (problem) showNotice(problem);
  }
}

function drawCharts(frame) {
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
}

function onFrame(frame) {
  state.frame = frame;
  if (!state.data || frame.dataVersion !== state.data.dataVersion) return;   // its data come first
  state.config = frame.config;
  state.playing = frame.playing;
  controls.sync(frame.config, state.data.task, state.data.uploadTask);
  playback.sync(frame.speed);
  const d = state.data;
  $("upload-info").textContent = d.uploadName ? t("uploaded", { name: d.uploadName, rows: d.train.x.length + d.test.x.length }) : "";
  network.build(frame.config, state.options, state.data);
  network.update(frame);
  output.setOutput(frame.output, frame.grids.output);
  $("epoch").textContent = String(frame.epoch).padStart(6, "0");
  $("batch-of").textContent = frame.speed === "step" ? t("batchOf", { k: frame.batch, n: frame.batches }) : "";
  $("train-loss").textContent = lossText(frame.trainLoss);
  $("test-loss").textContent = lossText(frame.testLoss);
  $("play").classList.toggle("playing", frame.playing);
  divergence.update(frame);
  drawCharts(frame);
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
  $("show-test").addEventListener("change", (ev) => setView({ showTest: ev.target.checked }));
  $("discretize").addEventListener("change", (ev) => setView({ discretize: ev.target.checked }));
  for (const lang of ["en", "zh"]) $(`lang-${lang}`).addEventListener("click", () => switchLang(lang));
  $("upload").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    if (backward.active) backward.close();
    const seen = errorsShown;
    try {
      await state.conn.upload(file, $("problem").value);
      hideErrorsBefore(seen);
      showNotice(null);
    } catch (e) {
      showError(e.message);
    }
    ev.target.value = "";
  });
  $("export-weights").href = state.conn.exportUrl("weights");
  $("export-script").href = state.conn.exportUrl("script");
  window.addEventListener("hashchange", followUrl);
}

function setView(changes) {
  Object.assign(state.view, changes);
  output.showTest = $("show-test").checked = !!state.view.showTest;
  output.discretize = $("discretize").checked = !!state.view.discretize;
  output.draw();
  saveUrl();
}

// the user edited the URL of this open tab: do what it now says
function followUrl() {
  const { config, view } = readHash();
  if (config.dataset === "csv" && state.config.dataset !== "csv") delete config.dataset;
  const changes = changedSettings(config, state.config);
  if (Object.keys(changes).length) setConfig(changes);
  setView({ showTest: !!view.showTest, discretize: !!view.discretize });
  if ((view.lang === "en" || view.lang === "zh") && view.lang !== state.view.lang) switchLang(view.lang);
  if (view.speed && view.speed !== playback.speed) playback.set(view.speed);
  state.view.hide = view.hide || [];
  showNotice(applyHidden(state.view.hide));
  if (view.trace !== undefined) {
    const now = backward.where();
    if (!now || now.trace !== view.trace || now.stage !== view.stage) {
      const problem = openLesson(view, backward, () => state.data.train.x.length);
      if (problem) showNotice(problem);
    }
  } else if (backward.active) backward.close();
}

function switchLang(lang) {
  state.view.lang = lang;
  setLang(lang);
  applyI18n();
  for (const l of ["en", "zh"]) $(`lang-${l}`).classList.toggle("active", l === lang);
  controls.relabel();
  playback.relabel();
  network.key = null;            // rebuild its labels
  if (state.data) output.setData(state.data);
  if (state.frame) onFrame(state.frame);
  if (backward.active) backward.render();
  saveUrl();
}

const networkActions = {
  toggleFeature(name) {
    const on = new Set(state.config.features);
    if (on.has(name) && on.size === 1) return showError(t("lastFeature"));
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
  edit(target) { editor.open(target); },
};

async function start(fromUrl) {
  let csvLink = false;
  if (fromUrl.dataset === "csv") { delete fromUrl.dataset; csvLink = true; }
  try {
    return [await createSession(fromUrl), csvLink ? t("csvLink") : null];
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 400) throw e;
    showError(t("badLink", { msg: e.message }));
    return [await createSession({}), null];
  }
}

async function boot() {
  const { config: fromUrl, view } = readHash();
  const browserZh = (navigator.language || "").toLowerCase().startsWith("zh");
  const lang = view.lang === "zh" || view.lang === "en" ? view.lang : (browserZh ? "zh" : "en");
  state.view = { ...view, showTest: !!view.showTest, discretize: !!view.discretize, lang, hide: view.hide || [] };
  setLang(state.view.lang);
  applyI18n();
  for (const l of ["en", "zh"]) $(`lang-${l}`).classList.toggle("active", l === state.view.lang);
  let reply, notice;
  try {
    [reply, notice] = await start(fromUrl);
  } catch (e) {
    return showError(e.message);
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
    command, network, output, config: () => state.config, onChange: saveUrl,
    trainCount: () => (state.data ? state.data.train.x.length : 1),
  });
  playback = new Playback(state.options.speeds, {
    command, playing: () => state.playing, onSpeed: (speed) => { state.view.speed = speed; saveUrl(); },
  });
  divergence = new DivergenceNote({ setConfig, backward });
  editor = new Editor({
    command, showError, maxValue: state.options.limits.maxEditValue, onEdited: () => backward.refresh(),
  });
  showNotice(applyHidden(state.view.hide) || notice);
  wire();
  if (view.speed) await playback.set(view.speed);
  state.conn.listen({
    data: onData, frame: onFrame,
    failure: (m) => showError(m.error),
    lost: (reason) => showError(reason || t("connectionLost")),
  });
  document.body.dataset.session = reply.session;
}

boot();
