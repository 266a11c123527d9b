// cells.js: the three layers of what a cell shows (drawn, received, the step's overlay).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Cells, stepCells, stepChanges } from "../../viz/js/cells.js";
import { Steps } from "../../viz/js/steps.js";

const cell = (text) => ({ lines: [text], nan: false });
const STEPS = [
  { pending: ["n2", "n1"], base: { "n2-grad": cell("grad: …"), "n1-grad": cell("grad: …") } },
  { current: "n2", patches: { "n2-grad": cell("grad: 1") }, question: "?", answer: [1] },
  { current: "n1", patches: { "n1-grad": cell("grad: 3") }, question: "?", answer: [3] },
];
const steps = new Steps();
steps.set(STEPS);
const entries = (map) => [...map].map(([fid, c]) => [fid, c.lines[0]]);

test("stepCells: outside the quiz, the step's overlay (none at the last step)", () => {
  const open = { enabled: false, revealed: () => true };
  assert.deepEqual(entries(stepCells(steps, open, 1)), [
    ["n2-grad", "grad: 1"],
    ["n1-grad", "grad: …"],
  ]);
  assert.deepEqual(entries(stepCells(steps, open, 2)), []);
  assert.deepEqual(entries(stepCells(steps, open, -1)), []);
});

test("stepCells: in the quiz, the last step overlays too (the values stay hidden)", () => {
  const revealedAll = { enabled: true, revealed: () => true };
  assert.deepEqual(entries(stepCells(steps, revealedAll, 2)), [
    ["n2-grad", "grad: 1"],
    ["n1-grad", "grad: 3"],
  ]);
});

test("stepCells: a step not yet revealed shows the step before, and ? at its op", () => {
  const hidden = { enabled: true, revealed: (k) => k < 2 };
  assert.deepEqual(entries(stepCells(steps, hidden, 2)), [
    ["n2-grad", "grad: 1"],
    ["n1-grad", "grad: ?"],
  ]);
});

test("stepChanges: cells let go of get the latest received, else the drawn, value", () => {
  const shown = new Map([["a", cell("step a")], ["b", cell("step b")], ["c", cell("step c")]]);
  const next = new Map([["c", cell("next c")]]);
  const received = new Map([["a", cell("received a")]]);
  const drawn = new Map([["a", cell("drawn a")], ["b", cell("drawn b")]]);
  assert.deepEqual(entries(stepChanges(shown, next, received, drawn)), [
    ["a", "received a"],
    ["b", "drawn b"],
    ["c", "next c"],
  ]);
});

/** Cells that record what they write instead of writing into an SVG. */
class Recording extends Cells {
  constructor() {
    super();
    this.writes = [];
  }
  write(list) {
    this.writes.push(entries(new Map(list)));
  }
}

test("received patches: the ones sent with a dot, then later ones over them", () => {
  const cells = new Recording();
  cells.reset({ a: cell("a1"), b: cell("b1") });
  cells.receive({ b: cell("b2"), c: cell("c2") });
  assert.deepEqual(entries(cells.received), [["a", "a1"], ["b", "b2"], ["c", "c2"]]);
  cells.reset(null); // a new dot without patches
  assert.equal(cells.received.size, 0);
});

test("a cell under the step overlay keeps showing the step until it lets go", () => {
  const cells = new Recording();
  cells.showStep(new Map([["a", cell("step a")]]));
  cells.receive({ a: cell("new a"), b: cell("new b") });
  cells.writeReceived({ a: cell("new a"), b: cell("new b") });
  cells.showStep(new Map()); // back to no step
  assert.deepEqual(cells.writes, [[["a", "step a"]], [["b", "new b"]], [["a", "new a"]]]);
});
