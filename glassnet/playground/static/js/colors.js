// TensorFlow Playground's colours: orange for negative, blue for positive,
// a light grey in between; more classes get more colours.
export const ORANGE = [245, 147, 34];
export const BLUE = [8, 119, 189];
const MID = [232, 234, 235];
export const CLASS_COLORS = [ORANGE, BLUE, [44, 160, 44], [148, 103, 189], [214, 39, 40],
  [140, 86, 75], [227, 119, 194], [23, 190, 207]];

function mix(a, b, f) {
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f));
}

// v in [-1, 1] -> [r, g, b]
export function diverging(v) {
  const x = Math.max(-1, Math.min(1, v));
  return x < 0 ? mix(MID, ORANGE, -x) : mix(MID, BLUE, x);
}

export function rgb(c, alpha = 1) {
  return alpha === 1 ? `rgb(${c[0]},${c[1]},${c[2]})` : `rgba(${c[0]},${c[1]},${c[2]},${alpha})`;
}

export function classColor(k, nClasses) {
  if (nClasses === 2) return k === 0 ? ORANGE : BLUE;
  return CLASS_COLORS[k % CLASS_COLORS.length];
}

// a weight's link: blue positive, orange negative, grey exactly zero
export function signColor(v) {
  return v > 0 ? rgb(BLUE) : v < 0 ? rgb(ORANGE) : "rgb(176,176,176)";
}

// byte q (0..255) -> value in [-1, 1], as the server encodes heatmaps
export function unbyte(q) { return q / 127.5 - 1; }

export function decodeBytes(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// TensorFlow Playground's output is translucent over white, so that the points
// drawn on it in full colour stay visible where the network is right.
export const OUTPUT_ALPHA = 160;

// Paint an n×n heatmap (bytes from the server) onto a canvas of n×n pixels.
export function paintDiverging(ctx, bytes, n, discretize = false, alpha = 255) {
  const img = ctx.createImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    let v = unbyte(bytes[i]);
    if (discretize) v = v > 0 ? 1 : v < 0 ? -1 : 0;
    const c = diverging(v);
    img.data[4 * i] = c[0]; img.data[4 * i + 1] = c[1]; img.data[4 * i + 2] = c[2]; img.data[4 * i + 3] = alpha;
  }
  ctx.putImageData(img, 0, 0);
}

// Several classes: the likeliest class's colour, stronger where it is surer.
export function paintClasses(ctx, classes, conf, n, k, discretize = false, alpha = 255) {
  const img = ctx.createImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const p = (unbyte(conf[i]) + 1) / 2;                 // probability of the likeliest class
    const strength = discretize ? 0.8 : Math.max(0, (p - 1 / k) / (1 - 1 / k));
    const c = mix(MID, classColor(classes[i], k), strength);
    img.data[4 * i] = c[0]; img.data[4 * i + 1] = c[1]; img.data[4 * i + 2] = c[2]; img.data[4 * i + 3] = alpha;
  }
  ctx.putImageData(img, 0, 0);
}
