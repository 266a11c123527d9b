// stepview.js: the step shown: its caption (hidden by the quiz until revealed), the cells it
// overlays, its marks, and an unreadable `steps` trait shown as an error.
import "./fake-dom.mjs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { h } from "../../viz/js/dom.js";
import { Quiz } from "../../viz/js/quiz.js";
import { Steps } from "../../viz/js/steps.js";
import { StepView } from "../../viz/js/stepview.js";

const STEPS = [
  { current: "n2", caption: "Step 1: seed", nodes: ["n2"], edges: [], pending: ["n1"], cells: {} },
  { current: "n1", caption: "Step 2: d/dx", nodes: ["n1"], edges: [["n1", "n2"]], pending: [], cells: {} },
];

function stepView(traits, { ready = true } = {}) {
  const errors = {};
  const frame = {
    caption: h("div"),
    key: null, // the legend (styles.js: legendFlow skips a missing one)
    showError: (text, source) => (errors[source] = text),
  };
  const shown = [];
  const calls = { cells: [], reports: [], changed: 0 };
  const quiz = new Quiz(() => {});
  quiz.asks = () => true;
  const steps = new Steps();
  const view = new StepView({
    model: { get: (name) => traits[name] },
    scene: { nodeEls: (id) => [id], edgeEl: (a, b) => `${a}->${b}` },
    view: { ensureVisible: (el) => shown.push(el) },
    minimap: { mark: () => {} },
    steps,
    quiz,
    folds: { openForStep: () => {} },
    cells: { showStep: (cells) => calls.cells.push(cells) },
    frame,
    ready: () => ready,
    report: (values) => calls.reports.push(values),
    changed: () => (calls.changed += 1),
  });
  view.show = (k, hl) => shown.push([k, hl.current]); // marks need an SVG: recorded here
  return { view, frame, errors, calls, shown };
}

test("the step's caption is shown, and the step marked and reported", () => {
  const { view, frame, calls, shown } = stepView({ steps: JSON.stringify(STEPS), step: 1 });
  view.readSteps();
  assert.equal(frame.caption.textContent, "Step 2: d/dx");
  assert.equal(frame.caption.hidden, false);
  assert.deepEqual(shown, [[1, "n1"]]);
  assert.equal(calls.cells.length, 1);
  assert.equal(calls.reports.length, 1);
  assert.ok("patch_ms" in calls.reports[0]);
  assert.equal(calls.changed, 1);
});

test("no step (-1): no caption, no marks", () => {
  const { view, frame, shown } = stepView({ steps: STEPS, step: -1 });
  view.readSteps();
  assert.equal(frame.caption.textContent, "");
  assert.equal(frame.caption.hidden, true);
  assert.deepEqual(shown, [[-1, undefined]]);
});

test("in quiz mode the caption waits for the answer; quiet updates report nothing", () => {
  const { view, frame, calls } = stepView({ steps: STEPS, step: 1, quiz: true, quiz_answers: {} });
  view.readQuiz();
  view.readSteps();
  assert.equal(frame.caption.textContent, "");
  view.quizChanged();
  assert.equal(calls.reports.length, 1); // readSteps reported; quizChanged is quiet
});

test("before a drawing is shown only the caption changes", () => {
  const { view, frame, calls, shown } = stepView({ steps: STEPS, step: 0 }, { ready: false });
  view.readSteps();
  assert.equal(frame.caption.textContent, "Step 1: seed");
  assert.deepEqual([calls.cells.length, shown.length, calls.changed], [0, 0, 0]);
});

test("unreadable steps are an error of their own, and no step is shown", () => {
  const { view, frame, errors } = stepView({ steps: "{not json", step: 0 });
  view.readSteps();
  assert.match(errors.steps, /^could not read the backward steps: /);
  assert.equal(frame.caption.textContent, "");
  const fixed = stepView({ steps: STEPS, step: 0 });
  fixed.view.readSteps();
  assert.equal(fixed.errors.steps, "");
});
