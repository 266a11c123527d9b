// The backward step shown on the diagram (the `step` trait; steps.js reads the steps):
// the nodes and edges it marks, the ops still waiting for their gradient (pending), its
// current op (marked in the minimap too, and kept in view), and the gradients it sends
// back along its edges (flows.js; not before the quiz reveals them). Moving the step to
// an op inside a folded group unfolds the group (folds.js).

import { list, Marks, str } from "./dom.js";
import { Flows } from "./flows.js";

export class StepView {
  /** The widget's `scene`, `view` (PanZoom), `minimap`, `steps`, `quiz` and `folds`. */
  constructor({ scene, view, minimap, steps, quiz, folds }) {
    Object.assign(this, { scene, view, minimap, steps, quiz, folds });
    this.index = null;
    this.flows = new Flows();
    this.marks = {
      hl: new Marks("adviz-hl"),
      current: new Marks("adviz-current"),
      pending: new Marks("adviz-pending"),
    };
  }

  /** A new drawing: its marks start empty. */
  attach(index) {
    this.index = index;
    for (const mark of Object.values(this.marks)) mark.clear();
  }

  /** Mark `hl` ({current, nodes, edges, pending}, by graph node) as step k (-1: none);
   * `follow` keeps the current op in view, `open` unfolds the group it is in. */
  show(k, hl, { follow = true, open = false } = {}) {
    const scene = this.scene;
    const els = (ids) => list(ids).flatMap((id) => scene.nodeEls(str(id)));
    const edges = list(hl.edges).map((e) => scene.edgeEl(e[0], e[1]));
    this.marks.hl.set(els(hl.nodes).concat(edges));
    this.marks.pending.set(els(hl.pending));
    if (open && k > 0) this.folds.openForStep(str(hl.current)); // the reader moved the step
    const current = els([hl.current]);
    this.marks.current.set(current);
    this.minimap.mark(current);
    this.showFlows(k);
    if (follow && current.length) this.view.ensureVisible(current[0]);
  }

  /** Step k's gradients written on its edges (none while the quiz hides them). */
  showFlows(k) {
    const flows = k >= 0 && this.quiz.revealed(k) ? this.steps.flows(k) : [];
    const items = flows.map(([tail, head, text]) => [this.scene.edgeEl(tail, head), str(text)]);
    this.flows.show(this.index.svg, items.filter(([e]) => e), this.steps.forward);
  }
}
