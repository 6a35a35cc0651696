// Numbers as glassnet's explain tools write them (numtext.fmt): 4 decimals,
// scientific notation for very small or very large values.
export function fmt(v, digits = 4) {
  if (v === null || v === undefined || Number.isNaN(v)) return "NaN";
  if (v === 0) return "0";
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 10 ** -Math.min(digits, 3) && a < 1e6) return v.toFixed(digits);
  const [m, e] = v.toExponential(Math.max(digits - 1, 1)).split("e");
  const n = parseInt(e, 10);
  return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
}


export function lossText(v) {
  return v === null || v === undefined ? "NaN" : v.toFixed(3);
}
