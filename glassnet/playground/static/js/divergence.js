// A diverged run as a teaching moment: training has paused at the last
// finite weights; the page says so, offers a smaller learning rate, and the
// backward view opens on the point with the largest loss, where the numbers
// blew up (marked in red).
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

export class DivergenceNote {
  // deps: setConfig(partial), backward (BackwardView)
  constructor(deps) {
    this.deps = deps; this.shown = null; this.info = null;
    $("diverged-rate").addEventListener("click", () => {
      if (this.info) this.deps.setConfig({ learningRate: this.info.suggestedRate });
    });
    $("diverged-show").addEventListener("click", () => { if (this.info) this.deps.backward.pick(this.info.point); });
  }

  // frame.diverged: weights NaN/∞ or a blow-up caught (frame.divergence: where)
  update(frame) {
    const d = frame.divergence;
    this.info = d;
    $("diverged").hidden = !frame.diverged;
    document.body.dataset.diverged = frame.diverged;
    $("diverged-rate").hidden = $("diverged-show").hidden = !d;
    if (!d) {
      $("diverged-text").textContent = t("diverged");
      this.shown = null;
      return;
    }
    $("diverged-text").textContent = t("blewUp", { epoch: d.epoch, batch: d.batch ?? "?", what: d.what, lr: d.learningRate });
    $("diverged-rate").textContent = t("useRate", { rate: d.suggestedRate });
    const key = `${frame.version}:${d.epoch}:${d.batch}`;
    if (this.shown === null) this.deps.backward.pick(d.point);   // the first frame of this blow-up
    this.shown = key;
  }
}
