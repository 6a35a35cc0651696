// The hover card: exact values of whatever is under the mouse.
export class Hover {
  constructor(card) { this.card = card; }

  show(ev, text) {
    this.card.textContent = text;
    this.card.hidden = false;
    this.move(ev);
  }

  move(ev) {
    const pad = 14;
    const w = this.card.offsetWidth, h = this.card.offsetHeight;
    let x = ev.clientX + pad, y = ev.clientY + pad;
    if (x + w > window.innerWidth) x = ev.clientX - w - pad;
    if (y + h > window.innerHeight) y = ev.clientY - h - pad;
    this.card.style.left = `${Math.max(0, x)}px`;
    this.card.style.top = `${Math.max(0, y)}px`;
  }

  hide() { this.card.hidden = true; }
}
