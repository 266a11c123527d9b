// The backward pass (or forward mode's pass) shown one step at a time, without the kernel.
// `steps` (from Python: viz/explore.py backward_steps_payload, forward_steps_payload) names graph nodes and edges; this module turns
// step k into the cells to overlay and the nodes and edges to mark.

import { list, obj, str } from "./dom.js";

export class Steps {
  constructor() {
    this.steps = [];
    this.doneAt = new Map(); // node id -> the step that makes its gradient final
    this.reachable = [];
  }

  /** Read the `steps` trait (a JSON string or a list). */
  set(value) {
    if (typeof value === "string") value = value.trim() ? JSON.parse(value) : [];
    this.steps = list(value);
    this.doneAt = new Map();
    this.reachable = list(obj(this.steps[0]).pending).map(str);
    this.steps.forEach((step, k) => {
      for (const id of list(obj(step).done)) this.doneAt.set(str(id), k);
    });
  }

  /** Whether the steps walk forward mode's pass (tangents sent forward along the edges). */
  get forward() {
    return str(obj(this.steps[0]).direction) === "forward";
  }

  get length() {
    return this.steps.length;
  }

  /** The step shown for the trait value `step`: -1 (none) or an index (clamped). */
  shown(step) {
    const k = Math.floor(Number(step));
    if (!Number.isFinite(k) || k < 0 || !this.steps.length) return -1;
    return Math.min(k, this.steps.length - 1);
  }

  caption(k) {
    const own = k >= 0 ? obj(this.steps[k]).caption : undefined;
    return typeof own === "string" ? own : null;
  }

  /** Cell id -> cell shown over the diagram at step k. The last step is the full
   * gradient: the cells then show the latest values as sent, so it overlays nothing
   * (unless `full`: the quiz hides the latest values until they are revealed). */
  overlay(k, full = false) {
    const cells = new Map();
    if (k < 0 || (k >= this.steps.length - 1 && !full)) return cells;
    for (const [fid, cell] of Object.entries(obj(obj(this.steps[0]).base))) cells.set(fid, cell);
    for (let j = 0; j <= k; j++) {
      for (const [fid, cell] of Object.entries(obj(obj(this.steps[j]).patches))) {
        cells.set(fid, cell);
      }
    }
    return cells;
  }

  /** Step k's gradients on its edges: [[tail, head, text]]. */
  flows(k) {
    return k >= 1 ? list(obj(this.steps[k]).flows).filter((f) => Array.isArray(f) && f.length === 3) : [];
  }

  step(k) {
    return obj(this.steps[k]);
  }

  /** What step k marks: {current, nodes, edges: [[tail, head]], pending}, by graph node. */
  marks(k) {
    const step = obj(this.steps[k]);
    const pending = this.reachable.filter((id) => !(this.doneAt.get(id) <= k));
    return {
      current: str(step.current),
      nodes: list(step.nodes).map(str),
      edges: list(step.edges).filter((e) => Array.isArray(e) && e.length === 2),
      pending,
    };
  }
}
