// The level of detail, on the browser's side (viz/levels.py chooses it): a drawing chosen
// to fit that does not fit the viewport asks the kernel for the next, coarser level; zooming
// in on compact nodes asks for full ones, the node under the pointer kept in place; zooming
// back out below a readable size returns to the compact drawing, whole.

import { obj, str } from "./dom.js";
import { PX_PER_PT, READABLE } from "./panzoom.js";

const ZOOM_FULL = 2.0; // px per pt: zooming a compact drawing in this far shows full nodes

export class Detail {
  /** `view`: the PanZoom; `send(message)`: to the kernel; `drawn()`: the `drawn` trait. */
  constructor(view, send, drawn) {
    this.view = view;
    this.send = send;
    this.drawn = drawn;
    this.anchor = null; // {id, px, py, k}: the node to keep in place across a detail change
    this.zoomedIn = false; // full nodes shown because the reader zoomed in on compact ones
  }

  /** The reader zoomed by `factor` around viewport point (px, py) of drawing `index`. */
  zoomed(index, factor, px, py) {
    if (!index || this.anchor) return;
    const detail = str(obj(this.drawn()).detail);
    const k = this.view.k;
    let ask = "";
    if (detail === "compact" && factor > 1 && k >= ZOOM_FULL) ask = "full";
    if (detail === "full" && this.zoomedIn && factor < 1 && k < READABLE) ask = "compact";
    if (!ask) return;
    const id = nodeNear(index, this.view.vp, px, py);
    this.anchor = { id, px, py, k: ask === "full" ? PX_PER_PT : 0 };
    this.zoomedIn = ask === "full";
    this.send({ detail: ask });
  }

  /** A new drawing is in view: after a detail change, the anchor node back under the
   * pointer (zoomed in) or the whole drawing (zoomed out, as the view opens it); a drawing
   * chosen to fit (`drawn.coarser`) that does not fit asks for the next level. */
  shown(index) {
    const anchor = this.anchor;
    this.anchor = null;
    const el = anchor && index.nodes.get(anchor.id);
    if (anchor && anchor.k && el) this.view.placeAt(el, anchor.px, anchor.py, anchor.k);
    const fitting = obj(this.drawn()).coarser;
    if (fitting && this.view.vp.clientWidth > 0 && !this.view.fitsReadable()) {
      this.send({ coarser: true });
    }
  }
}

/** The drawn element of `index` nearest point (px, py) of `viewport`. */
function nodeNear(index, viewport, px, py) {
  const vp = viewport.getBoundingClientRect();
  let best = "";
  let bestD = Infinity;
  for (const [id, g] of index.nodes) {
    const r = g.getBoundingClientRect();
    const dx = Math.max(r.left - vp.left - px, 0, px - (r.right - vp.left));
    const dy = Math.max(r.top - vp.top - py, 0, py - (r.bottom - vp.top));
    const d = dx * dx + dy * dy;
    if (d < bestD) {
      bestD = d;
      best = id;
    }
  }
  return best;
}
