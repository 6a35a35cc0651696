// The output: the network's decision over the whole view (a heatmap), the
// training points (white outline) and, on demand, the test points (black
// outline). The map is translucent, the points in full colour on top.
// Clicking a training point picks it for the backward view; from the
// keyboard, the arrow keys go from point to point and Enter picks one.
import { OUTPUT_ALPHA, classColor, decodeBytes, diverging, paintClasses, paintDiverging, rgb } from "./colors.js";
import { fmt } from "./format.js";
import { t } from "./i18n.js";

export class OutputView {
  constructor(canvas, legend, onPick) {
    this.canvas = canvas; this.legend = legend; this.onPick = onPick;
    this.off = document.createElement("canvas");
    this.data = null; this.output = null; this.picked = null; this.cursor = null;
    this.showTest = false; this.discretize = false;
    canvas.addEventListener("click", (ev) => this.click(ev));
    canvas.addEventListener("keydown", (ev) => this.key(ev));
    canvas.addEventListener("blur", () => { this.cursor = null; this.draw(); });
  }

  key(ev) {
    if (!this.data) return;
    const n = this.data.train.x.length;
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[ev.key];
    if (step) {
      ev.preventDefault();
      const from = this.cursor ?? this.picked ?? (step > 0 ? -1 : 0);
      this.cursor = (from + step + n) % n;
      this.describe(this.cursor);
      this.draw();
    } else if ((ev.key === "Enter" || ev.key === " ") && this.cursor !== null) {
      ev.preventDefault();
      this.onPick(this.cursor);
    }
  }

  // the point under the keyboard's cursor, in words (a live region reads it out)
  describe(k) {
    const d = this.data;
    const [x1, x2] = d.train.x[k];
    const y = d.train.y[k];
    const what = d.task === "classification" ? t("classOf", { c: d.classes[y] }) : t("targetOf", { y: fmt(y) });
    document.getElementById("point-info").textContent = t("pointKey", { i: k, x1: fmt(x1, 3), x2: fmt(x2, 3), y: what });
  }

  setData(data) {
    this.data = data;
    this.legend.textContent = "";
    if (data.task === "classification") {
      data.classes.forEach((c, k) => {
        const item = document.createElement("span");
        const sw = document.createElement("span");
        sw.className = "swatch"; sw.style.background = rgb(classColor(k, data.classes.length));
        item.append(sw, t("classN", { c }));
        this.legend.appendChild(item);
      });
    }
    this.draw();
  }

  setOutput(output, grid) { this.output = output; this.grid = grid; this.draw(); }

  // view coordinates -> canvas pixels
  toPixel(x1, x2) {
    const [a, b, c, d] = this.data.view;
    return [(x1 - a) / (b - a) * this.canvas.width, (d - x2) / (d - c) * this.canvas.height];
  }

  pointColor(y) {
    const d = this.data;
    return d.task === "classification" ? rgb(classColor(y, d.classes.length)) : rgb(diverging(y / d.targetScale));
  }

  draw() {
    const ctx = this.canvas.getContext("2d");
    const W = this.canvas.width, H = this.canvas.height;
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
    if (this.output && this.data) {
      const n = this.grid;
      this.off.width = this.off.height = n;
      const octx = this.off.getContext("2d");
      if (this.output.mode === "classes") {
        paintClasses(octx, decodeBytes(this.output.classes), decodeBytes(this.output.values), n,
          this.data.classes.length, this.discretize, OUTPUT_ALPHA);
      } else {
        paintDiverging(octx, decodeBytes(this.output.values), n, this.discretize, OUTPUT_ALPHA);
      }
      ctx.imageSmoothingEnabled = !this.discretize;
      ctx.drawImage(this.off, 0, 0, W, H);
    }
    if (!this.data) return;
    const dots = (part, stroke) => part.x.forEach(([x1, x2], k) => {
      const [px, py] = this.toPixel(x1, x2);
      ctx.beginPath(); ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = this.pointColor(part.y[k]); ctx.fill();
      ctx.lineWidth = 1; ctx.strokeStyle = stroke; ctx.stroke();
    });
    dots(this.data.train, "#fff");
    if (this.showTest) dots(this.data.test, "#000");
    if (this.cursor !== null && this.data.train.x[this.cursor]) {
      const [px, py] = this.toPixel(...this.data.train.x[this.cursor]);
      ctx.setLineDash([3, 2]);
      ctx.beginPath(); ctx.arc(px, py, 8, 0, 2 * Math.PI);
      ctx.lineWidth = 2; ctx.strokeStyle = "#000"; ctx.stroke();
      ctx.setLineDash([]);
    }
    if (this.picked !== null && this.data.train.x[this.picked]) {
      const [px, py] = this.toPixel(...this.data.train.x[this.picked]);
      for (const [width, color] of [[5, "#fff"], [2.5, "#7a1fa2"]]) {
        ctx.beginPath(); ctx.arc(px, py, 9, 0, 2 * Math.PI);
        ctx.lineWidth = width; ctx.strokeStyle = color; ctx.stroke();
      }
    }
  }

  pick(index) { this.picked = index; this.draw(); }

  // the training point nearest the click (within 10 pixels)
  click(ev) {
    if (!this.data) return;
    const r = this.canvas.getBoundingClientRect();
    const mx = (ev.clientX - r.left) * this.canvas.width / r.width;
    const my = (ev.clientY - r.top) * this.canvas.height / r.height;
    let best = -1, bestD = 100;
    this.data.train.x.forEach(([x1, x2], k) => {
      const [px, py] = this.toPixel(x1, x2);
      const d = (px - mx) ** 2 + (py - my) ** 2;
      if (d < bestD) { best = k; bestD = d; }
    });
    if (best >= 0) this.onPick(best);
  }
}
