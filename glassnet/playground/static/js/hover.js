// The hover card: the values of whatever is under the mouse — or under the
// finger (a tap), or focused from the keyboard — with, for a neuron, its
// heatmap enlarged (as TensorFlow Playground does).
const BIG = 160;   // the enlarged map's size, in CSS pixels

export class Hover {
  constructor(card) {
    this.card = card;
    this.text = document.createElement("div");
    this.map = document.createElement("canvas");
    this.map.className = "enlarged";
    this.map.width = this.map.height = BIG;
    card.append(this.text, this.map);
    // a tap elsewhere closes a card a tap opened
    document.addEventListener("pointerdown", (ev) => {
      if (ev.pointerType !== "mouse" && !ev.target.closest(".neuron, path.hit")) this.hide();
    });
  }

  // ev: a mouse or pointer event, or {clientX, clientY}; source: a canvas to enlarge
  show(ev, text, source = null) {
    this.text.textContent = text;
    this.map.hidden = !source;
    if (source) {
      const ctx = this.map.getContext("2d");
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(source, 0, 0, BIG, BIG);
    }
    this.card.hidden = false;
    this.move(ev);
  }

  // beside an element (a tap or the keyboard's focus), not under the finger
  showAt(element, text, source = null) {
    const r = element.getBoundingClientRect();
    this.show({ clientX: r.right, clientY: r.top }, text, source);
  }

  move(ev) {
    const pad = 14;
    const w = this.card.offsetWidth, h = this.card.offsetHeight;
    let x = ev.clientX + pad, y = ev.clientY + pad;
    if (x + w > window.innerWidth) x = ev.clientX - w - pad;
    if (y + h > window.innerHeight) y = ev.clientY - h - pad;
    this.card.style.left = `${Math.max(0, Math.min(x, window.innerWidth - w))}px`;
    this.card.style.top = `${Math.max(0, y)}px`;
  }

  hide() { this.card.hidden = true; }
}
