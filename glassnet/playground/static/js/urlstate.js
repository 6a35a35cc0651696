// The whole state in the URL's hash, so that a setting can be shared:
// #dataset=circle&layers=4,2&activations=tanh,tanh&learningRate=0.03&...&lang=en
// The server checks every value; the page only turns text into numbers and lists.

const LISTS = new Set(["features", "layers", "activations"]);
const NUMBERS = new Set(["points", "noise", "trainRatio", "seed", "batchSize", "dropout",
  "learningRate", "regularizationRate"]);
export const VIEW_KEYS = ["showTest", "discretize", "lang"];   // the page's own, not sent

export function readHash(hash = location.hash) {
  const config = {};
  const view = {};
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  for (const [key, raw] of params) {
    if (VIEW_KEYS.includes(key)) { view[key] = key === "lang" ? raw : raw === "true"; continue; }
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

export function writeHash(config, view) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(config)) params.set(k, Array.isArray(v) ? v.join(",") : String(v));
  for (const k of VIEW_KEYS) if (view[k] !== undefined) params.set(k, String(view[k]));
  const hash = "#" + params.toString().replace(/%2C/g, ",");
  if (hash !== location.hash) history.replaceState(null, "", hash);
}
