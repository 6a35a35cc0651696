// How the page plays: the speed control (epochs per second, or one step —
// one mini-batch — at a time) and a pause while the tab is hidden, resumed
// when it is shown again, so a tab in the background keeps no core busy.
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

function speedLabel(v) {
  if (v === "step" || v === "max") return t(`speed_${v}`);
  return v === "1" ? t("speed1") : t("speedN", { n: v });
}

export class Playback {
  // deps: command(type, args) -> Promise, playing() -> bool, onSpeed(speed)
  constructor(speeds, deps) {
    this.speeds = speeds; this.deps = deps; this.speed = null; this.resume = false;
    $("speed").addEventListener("change", (ev) => this.set(ev.target.value));
    document.addEventListener("visibilitychange", () => this.visibility());
    this.relabel();
  }

  relabel() {
    const sel = $("speed");
    sel.textContent = "";
    for (const v of this.speeds) {
      const o = document.createElement("option");
      o.value = v; o.textContent = speedLabel(v);
      sel.appendChild(o);
    }
    if (this.speed) sel.value = this.speed;
    $("step").title = this.speed === "step" ? t("stepBatchTitle") : t("stepTitle");
  }

  set(speed) {
    return this.deps.command("speed", { speed }).catch(() => {});
  }

  // the server's speed, from a frame
  sync(speed) {
    if (speed === this.speed) return;
    this.speed = speed;
    this.relabel();
    this.deps.onSpeed(speed);
  }

  visibility() {
    if (document.visibilityState === "hidden") {
      if (this.deps.playing()) {
        this.resume = true;
        this.deps.command("play", { playing: false }).catch(() => {});
      }
    } else if (this.resume) {
      this.resume = false;
      this.deps.command("play", { playing: true }).catch(() => {});
    }
  }
}
