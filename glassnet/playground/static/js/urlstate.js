// The whole state in the URL's hash, so that a setting can be shared:
// #dataset=circle&layers=4,2&activations=tanh,tanh&learningRate=0.03&...&lang=en
// and the page's own keys: speed (epochs per second), hide (controls a
// teacher hides: see lesson.js), trace and stage (a lesson link: the backward
// view on training point #trace at that stage).
// The server checks every setting; the page only turns text into numbers and lists.

const LISTS = new Set(["features", "layers", "activations"]);
const NUMBERS = new Set(["points", "noise", "trainRatio", "seed", "batchSize", "dropout",
  "learningRate", "regularizationRate"]);
export const VIEW_KEYS = ["showTest", "discretize", "lang", "speed", "hide", "trace", "stage"];   // the page's own, not settings

function viewValue(key, raw) {
  if (key === "showTest" || key === "discretize") return raw === "true";
  if (key === "hide") return raw === "" ? [] : raw.split(",");
  if (key === "trace") return raw.trim() === "" || Number.isNaN(Number(raw)) ? raw : Number(raw);
  return raw;
}

export function readHash(hash = location.hash) {
  const config = {};
  const view = {};
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  for (const [key, raw] of params) {
    if (VIEW_KEYS.includes(key)) { view[key] = viewValue(key, raw); continue; }
    if (LISTS.has(key)) {
      const items = raw === "" ? [] : raw.split(",");
      config[key] = key === "layers" ? items.map(Number) : items;
    } else if (NUMBERS.has(key)) {
      const n = Number(raw);
      config[key] = raw.trim() === "" || Number.isNaN(n) ? raw : n;
    } else {
      config[key] = raw;
    }
  }
  return { config, view };
}

export function hashOf(config, view) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(config)) params.set(k, Array.isArray(v) ? v.join(",") : String(v));
  for (const k of VIEW_KEYS) {
    const v = view[k];
    if (v === undefined || v === null || (Array.isArray(v) && !v.length)) continue;
    params.set(k, Array.isArray(v) ? v.join(",") : String(v));
  }
  return "#" + params.toString().replace(/%2C/g, ",").replace(/%3A/g, ":");
}

// replaceState fires no hashchange: only the user's own edits of the URL do
export function writeHash(config, view) {
  const hash = hashOf(config, view);
  if (hash !== location.hash) history.replaceState(null, "", hash);
}

// the settings of `wanted` that differ from `current` (lists compared by their items)
export function changedSettings(wanted, current) {
  const out = {};
  for (const [k, v] of Object.entries(wanted)) {
    if (JSON.stringify(v) !== JSON.stringify(current[k])) out[k] = v;
  }
  return out;
}
