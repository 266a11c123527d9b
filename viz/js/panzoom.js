// Zoom (mouse wheel, around the pointer) and pan (drag, arrow keys) of an SVG inside a
// viewport, by rewriting the SVG's viewBox: vector-sharp at every zoom, no scrollbars.
//
// The view is (x, y, k): the diagram point (x, y) (in Graphviz points) is at the top-left
// corner of the viewport, and k is pixels per point. The first view is never smaller than
// READABLE (node text of 10-11 pt then measures 11-12 px on screen): a diagram that fits at
// that size is shown whole (at most at 100%), one that does not is shown at READABLE around
// its focus (the target), and the minimap shows where the view is. Zooming out stops at the
// whole diagram. The viewport's height follows the diagram, between MIN_HEIGHT and the CSS
// max-height.

export const PX_PER_PT = 4 / 3;
export const READABLE = 1.1; // px per pt: the smallest zoom the widget chooses by itself
const DRAG_THRESHOLD = 4; // px before a press becomes a drag (so clicks still select)
const MIN_HEIGHT = 60;
const MIN_PAN_HEIGHT = 260; // a diagram that needs panning gets at least this much room

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
    this.focus = null; // () => element to centre the first view on when all does not fit
    this.onChange = null; // called after every change of the view
    this.onZoom = null; // called after the user zooms (see zoomAt)
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
    svg.setAttribute("preserveAspectRatio", "xMinYMin meet");
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
    if (this.onChange) this.onChange();
  }

  width() {
    const w = this.vp.clientWidth;
    return w > 0 ? w : this.base ? this.base.w * PX_PER_PT : 300;
  }

  maxHeight() {
    const v = parseFloat(getComputedStyle(this.vp).maxHeight);
    return Number.isFinite(v) && v > 0 ? v : 640;
  }

  /** The zoom that shows the whole diagram (at most 100 %), in the tallest viewport. */
  wholeZoom() {
    if (!this.base) return PX_PER_PT;
    const { w, h } = this.base;
    return Math.min(PX_PER_PT, this.width() / Math.max(w, 1), this.maxHeight() / Math.max(h, 1));
  }

  /** Whether the whole diagram fits the viewport at a readable size. */
  fitsReadable() {
    return this.wholeZoom() >= READABLE - 1e-6;
  }

  /** Whether the whole diagram is in view. */
  fitsWhole() {
    if (!this.base) return true;
    const W = this.width();
    return (
      this.x <= this.base.x + 0.5 &&
      this.y <= this.base.y + 0.5 &&
      this.x + W / this.k >= this.base.x + this.base.w - 0.5 &&
      this.y + this.height / this.k >= this.base.y + this.base.h - 0.5
    );
  }

  /** Back to the first view ("Reset view"): all of it if readable, else the focus. */
  reset() {
    if (!this.base) return;
    this.touched = false;
    const W = this.width();
    const maxH = this.maxHeight();
    const { w, h } = this.base;
    this.lastWidth = W;
    const whole = Math.min(PX_PER_PT, W / Math.max(w, 1), maxH / Math.max(h, 1));
    if (whole >= READABLE) {
      this.k = whole;
      this.height = clamp(Math.ceil(h * whole) + 2, MIN_HEIGHT, maxH);
      this.x = this.base.x - (W / whole - w) / 2; // centred
      this.y = this.base.y;
    } else {
      const wide = Math.min(PX_PER_PT, W / Math.max(w, 1)); // full width, scroll down?
      this.k = wide >= READABLE ? wide : READABLE;
      const room = Math.min(maxH, Math.max(MIN_PAN_HEIGHT, Math.ceil(h * this.k) + 2));
      this.height = clamp(Math.ceil(h * this.k) + 2, MIN_HEIGHT, room);
      this.x = this.base.x;
      this.y = this.base.y;
      this.apply(); // so that the focus can be measured at this zoom
      const el = this.focus && this.focus();
      const box = el ? this._svgBox(el) : null;
      // the focus centred, the view kept inside the diagram; the right end without one
      const cx = box ? box.x + box.w / 2 : this.base.x + w;
      const cy = box ? box.y + box.h / 2 : this.base.y + h / 2;
      this._centreAt(cx, cy);
    }
    this.apply();
  }

  /** Put diagram point (cx, cy) in the middle, kept within the diagram's extent. */
  _centreAt(cx, cy) {
    const vw = this.width() / this.k;
    const vh = this.height / this.k;
    const { x, y, w, h } = this.base;
    this.x = w <= vw ? x - (vw - w) / 2 : clamp(cx - vw / 2, x, x + w - vw);
    this.y = h <= vh ? y - (vh - h) / 2 : clamp(cy - vh / 2, y, y + h - vh);
  }

  apply() {
    if (!this.svg) return;
    const W = this.width();
    if (!this.height) this.height = MIN_HEIGHT;
    this.vp.style.height = `${this.height}px`;
    this.svg.style.height = `${this.height}px`;
    const vb = [this.x, this.y, W / this.k, this.height / this.k].map((v) => +v.toFixed(3));
    this.svg.setAttribute("viewBox", vb.join(" "));
    if (this.onChange) this.onChange();
  }

  /** Zoom by `factor` around viewport point (px, py). Zooming out stops at the whole
   * diagram (centred there); `onZoom(factor, px, py)` hears every zoom the user asks for,
   * also one past either end. */
  zoomAt(px, py, factor) {
    if (!this.base) return;
    const floor = Math.min(this.wholeZoom(), this.k);
    const k2 = clamp(this.k * factor, floor, PX_PER_PT * 10);
    const ux = this.x + px / this.k;
    const uy = this.y + py / this.k;
    this.k = k2;
    this.x = ux - px / k2;
    this.y = uy - py / k2;
    if (k2 <= this.wholeZoom() + 1e-9) this._centreAt(0, 0); // the whole diagram, centred
    this.touched = true;
    this.apply();
    if (this.onZoom) this.onZoom(factor, px, py);
  }

  panBy(dx, dy) {
    if (!this.base) return;
    this.x -= dx / this.k;
    this.y -= dy / this.k;
    this.touched = true;
    this.apply();
  }

  /** Centre the view on diagram point (x, y); zoom unchanged. */
  panTo(x, y) {
    if (!this.base) return;
    this.x = x - this.width() / 2 / this.k;
    this.y = y - this.height / 2 / this.k;
    this.touched = true;
    this.apply();
  }

  /** Zoom to `k` with the centre of `el` at viewport point (px, py): the node the reader
   * zoomed in on stays under the pointer when the drawing changes its detail. */
  placeAt(el, px, py, k) {
    if (!this.base) return;
    this.k = k;
    this.height = this.maxHeight();
    this.apply();
    const box = this._svgBox(el);
    if (!box) return;
    this.x = box.x + box.w / 2 - px / k;
    this.y = box.y + box.h / 2 - py / k;
    this.touched = true;
    this.apply();
  }

  /** Pan so that `el` (an element of the SVG) is centred, zoomed in to READABLE if the
   * view is smaller than that. With `top`, an element taller than the view shows its top
   * (a cluster's title). */
  centerOn(el, { top = false } = {}) {
    let box = this._svgBox(el);
    if (!box) return;
    if (this.k < READABLE) {
      this.k = READABLE;
      this.apply();
      box = this._svgBox(el);
    }
    const vh = this.height / this.k;
    const cy = top && box.h > vh ? box.y + vh / 2 - 4 : box.y + box.h / 2;
    const vw = this.width() / this.k;
    const cx = top && box.w > vw ? box.x + vw / 2 - 4 : box.x + box.w / 2;
    this.panTo(cx, cy);
  }

  /** Keep `el` on screen at a readable size: pan (and zoom in to READABLE if smaller)
   * only when it is not entirely in view already. */
  ensureVisible(el) {
    const box = this._svgBox(el);
    if (!box) return;
    const vw = this.width() / this.k;
    const vh = this.height / this.k;
    const inside =
      box.x >= this.x &&
      box.y >= this.y &&
      box.x + box.w <= this.x + vw &&
      box.y + box.h <= this.y + vh;
    if (inside && this.k >= READABLE - 1e-9) return;
    this.centerOn(el);
  }

  /** `el`'s box in diagram points (the SVG's viewBox units), from where it is on screen
   * (the view maps k pixels to a point). */
  _svgBox(el) {
    if (!this.svg || !el || typeof el.getBoundingClientRect !== "function") return null;
    const s = this.svg.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) return null;
    return {
      x: this.x + (r.left - s.left) / this.k,
      y: this.y + (r.top - s.top) / this.k,
      w: r.width / this.k,
      h: r.height / this.k,
    };
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
    this._listenPointer();
    this._listenKeys();
  }

  /** Wheel zooms around the pointer; a press that moves more than DRAG_THRESHOLD pans. */
  _listenPointer() {
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
      if (e.target && e.target.closest && e.target.closest(".adviz-minimap")) return;
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
  }

  /** Arrow keys pan, + and - zoom, 0 resets (when the viewport itself has the focus). */
  _listenKeys() {
    const vp = this.vp;
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
