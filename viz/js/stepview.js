// The backward step shown on the diagram (the `step` trait; steps.js reads the `steps`
// trait): its caption (or the quiz's question), its cells over the diagram (cells.js), the
// nodes and edges it marks, the ops still waiting for their gradient (pending), its current
// op (marked in the minimap too, and kept in view), and the gradients it sends back along its
// edges (flows.js; not before the quiz reveals them). Moving the step to an op inside a
// folded group unfolds the group (folds.js).

import { errorText, list, Marks, str } from "./dom.js";
import { Flows } from "./flows.js";
import { stepCells } from "./cells.js";
import { legendFlow } from "./styles.js";

export class StepView {
  /** The widget's `model`, `scene`, `view` (PanZoom), `minimap`, `steps`, `quiz`, `folds`,
   * `cells` and `frame`; `ready()` says whether a drawing is shown, `report(values)` sets
   * traits, `changed()` says the drawing changed (saving.js). */
  constructor(parts) {
    Object.assign(this, parts);
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

  /** Read the `steps` trait (an unreadable one shows its error and no steps), then show. */
  readSteps() {
    try {
      this.steps.set(this.model.get("steps"));
      legendFlow(this.frame.key, this.steps.forward);
      this.frame.showError("", "steps");
    } catch (e) {
      this.steps.set([]);
      this.frame.showError(`could not read the backward steps: ${errorText(e)}`, "steps");
    }
    this.update();
  }

  /** Read the quiz traits (mode and progress). */
  readQuiz() {
    this.quiz.enabled = Boolean(this.model.get("quiz"));
    this.quiz.setAnswers(this.model.get("quiz_answers"));
  }

  /** The quiz traits changed: the step shown again, where it is. */
  quizChanged() {
    this.readQuiz();
    this.update({ quiet: true, follow: false });
  }

  /** Show the step of the `step` trait: caption, cells, marks. `quiet`: no `patch_ms`
   * timing; `follow` keeps its op in view; `open` unfolds the group its op is in. */
  update({ quiet = false, follow = true, open = false } = {}) {
    const k = this.steps.shown(this.model.get("step"));
    this.showCaption(k);
    if (!this.ready()) return;
    const t0 = performance.now();
    try {
      this.cells.showStep(stepCells(this.steps, this.quiz, k));
    } catch (e) {
      this.frame.showError(`could not update the diagram: ${errorText(e)}`, "update");
    }
    this.show(k, k >= 0 ? this.steps.marks(k) : {}, { follow, open });
    if (!quiet) this.report({ patch_ms: +(performance.now() - t0).toFixed(3) });
    this.changed();
  }

  /** Step k's caption (none until the quiz reveals it) and the quiz's question. */
  showCaption(k) {
    this.quiz.show(k, this.steps.step(k), this.steps.length);
    const caption = this.frame.caption;
    caption.textContent = this.quiz.revealed(k) ? str(this.steps.caption(k)) : "";
    caption.hidden = !caption.textContent;
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
