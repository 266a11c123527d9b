// What a diagram's cells (the value, gradient and picture rows of its nodes) show, in
// three layers: the DOT's own text, as Graphviz drew it; over it every `patches` received
// since the last `dot` (the current values); over those, while a backward step is shown,
// that step's cells. Cells are rewritten in place (svg.js: writeCells; pictures.js for the
// picture cells), without a new layout.

import { obj, str } from "./dom.js";
import { drawPicture } from "./pictures.js";
import { fitTexts, snapshot, writeCells } from "./svg.js";

/** The cells shown over the diagram at step k of `steps` (steps.js). With `quiz` in quiz
 * mode (quiz.js), a step not yet revealed shows the step before it, and a "?" for the
 * gradient it asks about. */
export function stepCells(steps, quiz, k) {
  if (quiz.revealed(k)) return steps.overlay(k, quiz.enabled && k >= 0);
  const cells = steps.overlay(k - 1, true);
  const current = str(steps.step(k).current);
  if (current) cells.set(`${current}-grad`, { lines: ["grad: ?"], nan: false });
  return cells;
}

/** The writes that turn the step overlay `shown` into `next`: each cell the step lets go
 * of shows its latest received value (else its drawn text) again, then the new step's. */
export function stepChanges(shown, next, received, drawn) {
  const entries = [];
  for (const fid of shown.keys()) {
    if (!next.has(fid)) entries.push([fid, received.get(fid) || drawn.get(fid)]);
  }
  entries.push(...next);
  return entries;
}

export class Cells {
  constructor() {
    this.index = null; // the drawing written into
    this.received = new Map(); // cell id -> cell: every `patches` since the last `dot`
    this.drawn = new Map(); // cell id -> cell as Graphviz drew it
    this.overlay = new Map(); // cell id -> cell from the backward step shown
  }

  /** A new `dot`: the patches that count are those sent with it (`patches`) and after. */
  reset(patches) {
    this.received = new Map(Object.entries(obj(patches)));
  }

  /** Patches received (the trait, or a message's changes while a slider moves). */
  receive(patches) {
    for (const fid of Object.keys(patches)) this.received.set(fid, patches[fid]);
  }

  /** Write received `patches` into the drawing; cells under the step overlay keep
   * showing the step until it lets go of them. */
  writeReceived(patches) {
    this.write(Object.entries(patches).filter(([fid]) => !this.overlay.has(fid)));
  }

  /** A new drawing `index`: its text as drawn, then every cell received written over it.
   * Returns whether the texts could be fitted (false while the view is hidden). */
  draw(index) {
    this.index = index;
    this.drawn = snapshot(index);
    this.overlay = new Map();
    this.write(this.received);
    return fitTexts(index);
  }

  /** Show the step overlay `next` (stepCells) in place of the one shown. */
  showStep(next) {
    const entries = stepChanges(this.overlay, next, this.received, this.drawn);
    this.overlay = next;
    this.write(entries);
  }

  /** No drawing any more (what was received stays, for the next). */
  clear() {
    this.index = null;
    this.overlay = new Map();
    this.drawn = new Map();
  }

  write(entries) {
    const texts = writeCells(this.index, entries, drawPicture);
    if (texts.length) fitTexts(this.index, texts);
  }
}
