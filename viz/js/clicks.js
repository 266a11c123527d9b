// The reader's clicks and keys on the diagram. A click, Enter or Space on a node activates
// it: a folded group unfolds (folds.js), any other node is selected, or unselected when it
// was (details.js). A click on a foldable cluster's title folds it, a click on nothing
// unselects, and Escape anywhere in the widget unselects. A drag (panzoom.js) is no click.

/** The drawn element id of the node holding event target `target` in `index`, or "". */
export function nodeAt(index, target) {
  if (!index || !target || !target.closest) return "";
  const g = target.closest("g.node");
  return g ? index.nodeOf.get(g) || "" : "";
}

export class Clicks {
  /** `index()`: the drawing shown (or null); `view`: the PanZoom; `folds`: the Folds;
   * `details`: the Details (the selection). */
  constructor({ index, view, folds, details }) {
    Object.assign(this, { index, view, folds, details });
  }

  /** Listen on the `viewport` (clicks, Enter, Space) and on the widget's `root` (Escape). */
  listen(viewport, root) {
    viewport.addEventListener("click", (e) => this.click(e));
    viewport.addEventListener("keydown", (e) => this.key(e));
    root.addEventListener("keydown", (e) => {
      if (e.key !== "Escape" || !this.details.selected) return;
      this.details.select("");
      e.stopPropagation();
    });
  }

  click(e) {
    const target = e.target;
    if (target && target.closest && target.closest("a")) e.preventDefault();
    if (this.view.suppressClick || !this.index()) return;
    const key = this.folds.titleKey(target); // a cluster's title folds it
    if (key !== null) return this.folds.toggle(key, true);
    const id = nodeAt(this.index(), target);
    if (id) this.activate(id);
    else this.details.select("");
  }

  key(e) {
    if (e.key !== "Enter" && e.key !== " ") return;
    const id = nodeAt(this.index(), e.target);
    if (!id) return;
    e.preventDefault();
    this.activate(id);
  }

  /** Node `id` clicked: a folded group may unfold; else it is (un)selected. */
  activate(id) {
    const selected = this.details.selected;
    if (!this.folds.activate(id, selected)) this.details.select(id === selected ? "" : id);
  }
}
