// The output: the network's decision over the whole view (a heatmap), the
// training points (white outline) and, on demand, the test points (black
// outline). Clicking a training point picks it for the backward view.
import { classColor, decodeBytes, diverging, paintClasses, paintDiverging, rgb } from "./colors.js";
import { t } from "./i18n.js";

export class OutputView {
  constructor(canvas, legend, onPick) {
    this.canvas = canvas; this.legend = legend; this.onPick = onPick;
    this.off = document.createElement("canvas");
    this.data = null; this.output = null; this.picked = null;
    this.showTest = false; this.discretize = false;
    canvas.addEventListener("click", (ev) => this.click(ev));
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
          this.data.classes.length, this.discretize);
      } else {
        paintDiverging(octx, decodeBytes(this.output.values), n, this.discretize);
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
