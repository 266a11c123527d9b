// An overview beside the viewport when the diagram does not fit: every node as a small box,
// the current view as a frame; click or drag in it to move the view there. It sits in a
// column of its own (never over a node); the viewport gives it the room while it shows.

import { h } from "./dom.js";
import palette from "../palette.json";

const MAX_W = 140; // px
const MAX_H = 120;
const MIN_H = 48;

export class Minimap {
  constructor(viewport, view) {
    this.view = view;
    this.canvas = h("canvas", {
      class: "adviz-minimap",
      role: "img",
      "aria-label": "Overview of the whole diagram; click to move the view there",
      hidden: true,
    });
    viewport.after(this.canvas);
    this.boxes = []; // [x, y, w, h] of each node, in diagram points
    this.marked = []; // boxes drawn in the highlight colour (the current step, matches)
    this._listen();
  }

  /** Measure every node of `index` (call once the view shows the new diagram). */
  measure(index) {
    this.boxes = [];
    if (!index) return this.draw();
    for (const g of index.nodes.values()) {
      const b = this.view._svgBox(g);
      if (b) this.boxes.push([b.x, b.y, b.w, b.h]);
    }
    this.draw();
  }

  /** Draw `els` (SVG elements) in the highlight colour. */
  mark(els) {
    this.marked = [];
    for (const el of els) {
      const b = el ? this.view._svgBox(el) : null;
      if (b) this.marked.push([b.x, b.y, b.w, b.h]);
    }
    this.draw();
  }

  /** Points to minimap pixels: one scale when the diagram's shape allows, else a taller
   * one (a long chain would be a 200 x 5 px strip). */
  _scale() {
    const base = this.view.base;
    const sx = Math.min(MAX_W / base.w, MAX_H / base.h);
    const sy = Math.min(Math.max(sx, MIN_H / base.h), MAX_H / base.h);
    return { sx, sy, w: Math.max(20, Math.round(base.w * sx)), h: Math.round(base.h * sy) };
  }

  draw() {
    const v = this.view;
    const hide = !v.base || !this.boxes.length || v.fitsWhole();
    this.canvas.hidden = hide;
    if (hide) return;
    const { sx, sy, w, h: ht } = this._scale();
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(w * dpr)) this.canvas.width = Math.round(w * dpr);
    if (this.canvas.height !== Math.round(ht * dpr)) this.canvas.height = Math.round(ht * dpr);
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${ht}px`;
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, ht);
    const x0 = v.base.x;
    const y0 = v.base.y;
    const rect = ([x, y, bw, bh]) => [
      (x - x0) * sx,
      (y - y0) * sy,
      Math.max(bw * sx, 1.5),
      Math.max(bh * sy, 1.5),
    ];
    ctx.fillStyle = palette.cluster_border;
    for (const b of this.boxes) ctx.fillRect(...rect(b));
    ctx.fillStyle = palette.current;
    for (const b of this.marked) ctx.fillRect(...rect(b));
    ctx.strokeStyle = palette.highlight;
    ctx.lineWidth = 1.5;
    const vw = v.width() / v.k;
    const vh = v.height / v.k;
    ctx.strokeRect(...rect([v.x, v.y, vw, vh]));
  }

  _toDiagram(e) {
    const r = this.canvas.getBoundingClientRect();
    const { sx, sy } = this._scale();
    const { x, y } = this.view.base;
    return [x + (e.clientX - r.left) / sx, y + (e.clientY - r.top) / sy];
  }

  _listen() {
    let dragging = null;
    const move = (e) => {
      if (!this.view.base) return;
      e.preventDefault();
      e.stopPropagation();
      this.view.panTo(...this._toDiagram(e));
    };
    this.canvas.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      dragging = e.pointerId;
      try {
        this.canvas.setPointerCapture(e.pointerId);
      } catch {
        /* gone */
      }
      move(e);
    });
    this.canvas.addEventListener("pointermove", (e) => {
      if (dragging === e.pointerId) move(e);
    });
    const end = (e) => {
      if (dragging === e.pointerId) dragging = null;
    };
    this.canvas.addEventListener("pointerup", end);
    this.canvas.addEventListener("pointercancel", end);
    this.canvas.addEventListener("click", (e) => e.stopPropagation());
  }
}
