// Zoom (mouse wheel, around the pointer) and pan (drag) of an SVG inside a fixed-height
// viewport, by rewriting the SVG's viewBox: vector-sharp at every zoom, no scrollbars.
//
// The view is (x, y, k): the diagram point (x, y) (in Graphviz points) is at the top-left
// corner of the viewport, and k is pixels per point. "Fit" is at most 100% (1pt = 4/3 px)
// and never wider than the viewport (the diagram's max-width is 100%).

const PX_PER_PT = 4 / 3;
const DRAG_THRESHOLD = 4; // px before a press becomes a drag (so clicks still select)
const MIN_HEIGHT = 60;

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

export class PanZoom {
  constructor(viewport) {
    this.vp = viewport;
    this.svg = null;
    this.base = null; // the diagram's own viewBox {x, y, w, h}
    this.x = 0;
    this.y = 0;
    this.k = 1;
    this.height = 0;
    this.touched = false; // did the user zoom or pan since the last fit?
    this.lastWidth = 0;
    this.suppressClick = false;
    this._drag = null;
    this._listen();
  }

  /** Show `svg` (already inserted in the viewport). Keeps the user's view when the new
   * diagram has the same size as the old one (a re-render of the same graph). */
  attach(svg) {
    const old = this.base;
    const base = readViewBox(svg);
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    this.svg = svg;
    this.base = base;
    const same =
      old && Math.abs(old.w - base.w) < 0.5 && Math.abs(old.h - base.h) < 0.5 && this.touched;
    if (same) this.apply();
    else this.reset();
  }

  detach() {
    this.svg = null;
    this.base = null;
    this.vp.style.height = "";
  }

  width() {
    const w = this.vp.clientWidth;
    return w > 0 ? w : this.base ? this.base.w * PX_PER_PT : 300;
  }

  maxHeight() {
    const v = parseFloat(getComputedStyle(this.vp).maxHeight);
    return Number.isFinite(v) && v > 0 ? v : 600;
  }

  fitK() {
    return Math.min(PX_PER_PT, this.width() / Math.max(this.base.w, 1));
  }

  /** Back to the fitted view ("Reset view"). */
  reset() {
    if (!this.base) return;
    this.touched = false;
    const W = this.width();
    this.lastWidth = W;
    this.k = this.fitK();
    this.height = clamp(Math.ceil(this.base.h * this.k) + 2, MIN_HEIGHT, this.maxHeight());
    // centre what fits; a diagram taller than the viewport starts at its top
    this.x = this.base.x - (W / this.k - this.base.w) / 2;
    const visibleH = this.height / this.k;
    this.y = visibleH >= this.base.h ? this.base.y - (visibleH - this.base.h) / 2 : this.base.y;
    this.apply();
  }

  apply() {
    if (!this.svg) return;
    const W = this.width();
    if (!this.height) this.height = MIN_HEIGHT;
    this.vp.style.height = `${this.height}px`;
    this.svg.style.height = `${this.height}px`;
    const vb = [this.x, this.y, W / this.k, this.height / this.k].map((v) => +v.toFixed(3));
    this.svg.setAttribute("viewBox", vb.join(" "));
  }

  zoomAt(px, py, factor) {
    if (!this.base) return;
    const fit = this.fitK();
    const k2 = clamp(this.k * factor, Math.min(fit, PX_PER_PT) * 0.2, PX_PER_PT * 10);
    const ux = this.x + px / this.k;
    const uy = this.y + py / this.k;
    this.k = k2;
    this.x = ux - px / k2;
    this.y = uy - py / k2;
    this.touched = true;
    this.apply();
  }

  panBy(dx, dy) {
    if (!this.base) return;
    this.x -= dx / this.k;
    this.y -= dy / this.k;
    this.touched = true;
    this.apply();
  }

  /** Pan so that `el` (an element of the SVG) is centred; zoom unchanged. */
  centerOn(el) {
    const r = this._rectOf(el);
    if (!r) return;
    const W = this.width();
    const cx = this.x + (r.left + r.width / 2) / this.k;
    const cy = this.y + (r.top + r.height / 2) / this.k;
    this.x = cx - W / 2 / this.k;
    this.y = cy - this.height / 2 / this.k;
    this.touched = true;
    this.apply();
  }

  /** Centre on `el` only if it is entirely outside the visible area. */
  ensureVisible(el) {
    const r = this._rectOf(el);
    if (!r) return;
    const W = this.width();
    const outside =
      r.left + r.width < 0 || r.top + r.height < 0 || r.left > W || r.top > this.height;
    if (outside) this.centerOn(el);
  }

  /** `el`'s box in viewport pixels (relative to the SVG's top-left corner). */
  _rectOf(el) {
    if (!this.svg || !el || !el.getBoundingClientRect) return null;
    const s = this.svg.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) return null;
    return { left: r.left - s.left, top: r.top - s.top, width: r.width, height: r.height };
  }

  _point(e) {
    const s = (this.svg || this.vp).getBoundingClientRect();
    return [e.clientX - s.left, e.clientY - s.top];
  }

  onResize() {
    if (!this.base) return;
    const W = this.width();
    if (Math.abs(W - this.lastWidth) < 1) return;
    this.lastWidth = W;
    if (this.touched) this.apply();
    else this.reset();
  }

  _listen() {
    const vp = this.vp;
    vp.addEventListener(
      "wheel",
      (e) => {
        if (!this.base) return;
        e.preventDefault();
        const unit = e.deltaMode === 1 ? 0.05 : e.deltaMode === 2 ? 1 : 0.0015;
        const factor = Math.exp(-clamp(e.deltaY, -600, 600) * unit);
        const [px, py] = this._point(e);
        this.zoomAt(px, py, factor);
      },
      { passive: false },
    );
    vp.addEventListener("pointerdown", (e) => {
      if (!this.base || e.button !== 0 || e.isPrimary === false) return;
      this._drag = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: false };
    });
    vp.addEventListener("pointermove", (e) => {
      const d = this._drag;
      if (!d || d.id !== e.pointerId) return;
      const dx = e.clientX - d.x;
      const dy = e.clientY - d.y;
      if (!d.moved) {
        if (Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
        d.moved = true;
        vp.classList.add("adviz-dragging");
        try {
          vp.setPointerCapture(e.pointerId);
        } catch {
          /* pointer already gone */
        }
      }
      d.x = e.clientX;
      d.y = e.clientY;
      this.panBy(dx, dy);
    });
    const end = (e) => {
      const d = this._drag;
      if (!d || d.id !== e.pointerId) return;
      this._drag = null;
      vp.classList.remove("adviz-dragging");
      if (d.moved) {
        // the click that follows a drag must not select or deselect anything
        this.suppressClick = true;
        setTimeout(() => {
          this.suppressClick = false;
        }, 0);
      }
    };
    vp.addEventListener("pointerup", end);
    vp.addEventListener("pointercancel", end);
    vp.addEventListener("keydown", (e) => {
      if (!this.base || e.target !== vp) return;
      const step = 40;
      const keys = {
        ArrowLeft: () => this.panBy(step, 0),
        ArrowRight: () => this.panBy(-step, 0),
        ArrowUp: () => this.panBy(0, step),
        ArrowDown: () => this.panBy(0, -step),
        "+": () => this.zoomAt(this.width() / 2, this.height / 2, 1.25),
        "=": () => this.zoomAt(this.width() / 2, this.height / 2, 1.25),
        "-": () => this.zoomAt(this.width() / 2, this.height / 2, 0.8),
        0: () => this.reset(),
      };
      const act = keys[e.key];
      if (act && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        act();
      }
    });
  }
}

function readViewBox(svg) {
  const attr = (svg.getAttribute("viewBox") || "").trim().split(/[\s,]+/).map(Number);
  if (attr.length === 4 && attr.every(Number.isFinite) && attr[2] > 0 && attr[3] > 0) {
    return { x: attr[0], y: attr[1], w: attr[2], h: attr[3] };
  }
  const len = (name) => {
    const v = parseFloat(svg.getAttribute(name) || "");
    return Number.isFinite(v) && v > 0 ? v : 100;
  };
  return { x: 0, y: 0, w: len("width"), h: len("height") };
}
