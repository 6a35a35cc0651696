// Small line charts on a canvas: the loss curves and the per-layer gradient norms.

// series: [{values: [number|null], color, width}]; opts: {log: bool}
export function lineChart(canvas, xs, series, opts = {}) {
  const ratio = window.devicePixelRatio || 1;
  const cssW = canvas.clientWidth || canvas.width, cssH = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(cssW * ratio)) { canvas.width = Math.round(cssW * ratio); canvas.height = Math.round(cssH * ratio); }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  const f = opts.log ? (v) => (v > 0 ? Math.log10(v) : null) : (v) => v;
  const all = series.flatMap((s) => s.values.map(f)).filter((v) => v !== null && Number.isFinite(v));
  if (!xs.length || !all.length) return;
  let lo = opts.log ? Math.min(...all) : Math.min(0, ...all), hi = Math.max(...all);
  if (hi - lo < 1e-9) { hi += 0.5; lo -= opts.log ? 0.5 : 0; }
  const x0 = xs[0], x1 = Math.max(xs[xs.length - 1], x0 + 1);
  const left = 34, right = 4, top = 4, bottom = 12;
  const X = (x) => left + (x - x0) / (x1 - x0) * (cssW - left - right);
  const Y = (v) => top + (1 - (v - lo) / (hi - lo)) * (cssH - top - bottom);
  ctx.font = "10px sans-serif"; ctx.fillStyle = "#777"; ctx.strokeStyle = "#ddd"; ctx.lineWidth = 1;
  for (const v of [lo, hi]) {
    ctx.beginPath(); ctx.moveTo(left, Y(v)); ctx.lineTo(cssW - right, Y(v)); ctx.stroke();
    ctx.fillText(opts.log ? `1e${Math.round(v)}` : v.toPrecision(2), 0, Y(v) + 3);
  }
  ctx.fillText(String(x0), left, cssH - 1);
  const last = String(xs[xs.length - 1]);
  ctx.fillText(last, cssW - right - ctx.measureText(last).width, cssH - 1);
  for (const s of series) {
    ctx.strokeStyle = s.color; ctx.lineWidth = s.width || 1.5;
    ctx.beginPath();
    let pen = false;
    s.values.forEach((v, k) => {
      const y = f(v);
      if (y === null || y === undefined || !Number.isFinite(y)) { pen = false; return; }
      if (pen) ctx.lineTo(X(xs[k]), Y(y)); else ctx.moveTo(X(xs[k]), Y(y));
      pen = true;
    });
    ctx.stroke();
  }
}

// One colour per layer, from light (first layer) to dark (output).
export function layerColor(l, n) {
  const f = n <= 1 ? 1 : l / (n - 1);
  const hue = 200 + 80 * f;
  return `hsl(${hue}, 65%, ${62 - 30 * f}%)`;
}
