// quiz.js: reading typed answers, checking them, and the quiz's progress and texts.
import "./fake-dom.mjs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { matches, parseNumbers, Quiz } from "../../viz/js/quiz.js";

test("parseNumbers: numbers separated by spaces, commas, semicolons or brackets", () => {
  assert.deepEqual(parseNumbers("[[1, 2], [3; −4.5]]"), [1, 2, 3, -4.5]);
  assert.deepEqual(parseNumbers(" 0.5 "), [0.5]);
  assert.deepEqual(parseNumbers("(1e-3,-2)"), [0.001, -2]);
  assert.deepEqual(parseNumbers(""), []);
  assert.deepEqual(parseNumbers(null), []);
  assert.deepEqual(parseNumbers("1 two"), [1, NaN]);
});

test("matches: within 1% of each element, or 0.1% of the largest element", () => {
  assert.equal(matches([0.5], [0.5]), true);
  assert.equal(matches([0.5049], [0.5]), true); // |0.0049| <= 1% of 0.5 + 0.1% of 0.5
  assert.equal(matches([0.51], [0.5]), false);
  assert.equal(matches([-0.5], [0.5]), false);
  assert.equal(matches([100, 0.05], [100, 0.001]), true); // small next to 100: 0.1 allowed
  assert.equal(matches([100, 0.2], [100, 0.001]), false);
  assert.equal(matches([0], [0]), true);
  assert.equal(matches([1e-16], [0]), true); // all zero: a tolerance of 1e-15
  assert.equal(matches([1e-13], [0]), false);
});

test("matches: nan and infinities only as themselves", () => {
  assert.equal(matches([NaN], ["nan"]), true);
  assert.equal(matches([1], ["nan"]), false);
  assert.equal(matches([Infinity], [Infinity]), true);
  assert.equal(matches([-Infinity], [Infinity]), false);
  assert.equal(matches([1e308], [Infinity]), false);
});

// a backward pass of 4 steps; steps 1 and 3 ask (quiz=[names] may leave some out)
const STEPS = [
  {},
  { question: "What gradient reaches loss?", answer: [1], shape: [] },
  {},
  { question: "What gradient reaches W?", answer: [0.5, -2, 3, 4], shape: [2, 2] },
];

function quiz() {
  const reports = [];
  const q = new Quiz((answers) => reports.push(answers));
  q.enabled = true;
  q.asks = (k) => Boolean(STEPS[k].question);
  q.stepAt = (k) => STEPS[k];
  q.reports = reports;
  return q;
}
const at = (q, k) => q.show(k, STEPS[k], STEPS.length);
const answer = (q, text) => {
  q.input.value = text;
  q.checkButton.fire("click");
  return q.feedback.textContent;
};

test("outside quiz mode every step is revealed and nothing is shown", () => {
  const q = quiz();
  q.enabled = false;
  at(q, 3);
  assert.equal(q.root.hidden, true);
  assert.equal(q.revealed(3), true);
  assert.equal(answer(q, "1"), ""); // checking does nothing
  assert.deepEqual(q.reports, []);
});

test("step 0 shows the first question already; a right answer says where to see it", () => {
  const q = quiz();
  at(q, 0);
  assert.equal(q.root.hidden, false);
  assert.equal(q.question.textContent, "What gradient reaches loss?");
  assert.equal(q.revealed(1), false);
  assert.equal(
    answer(q, "1.0"),
    "Right! Move the step slider to step 1 to see it revealed, then on for the next question.",
  );
  assert.deepEqual(q.reports, [{ 1: { tries: 1, right: true, revealed: true } }]);
  assert.equal(q.revealed(1), true);
  at(q, 1); // the slider moved there
  assert.equal(q.question.textContent, "Step 1: revealed.");
  assert.equal(q.form.hidden, true);
});

test("a wrong answer offers Reveal; revealing counts as not right", () => {
  const q = quiz();
  at(q, 3);
  assert.equal(q.revealButton.hidden, true);
  assert.match(answer(q, "[[0.5, 2], [3, 4]]"), /^Not quite: try again, or reveal it\./);
  assert.equal(q.feedback.className, "adviz-quiz-feedback adviz-quiz-wrong");
  assert.equal(q.revealButton.hidden, false);
  assert.equal(q.revealed(3), false);
  q.revealButton.fire("click");
  assert.equal(q.feedback.textContent, "Revealed below.");
  assert.deepEqual(q.answers, { 3: { tries: 1, right: false, revealed: true } });
  assert.equal(q.revealed(3), true);
});

test("a right answer on a later try is revealed, not counted right; the last step says so", () => {
  const q = quiz();
  at(q, 3);
  answer(q, "0 0 0 0");
  assert.equal(answer(q, "0.5 -2 3 4"), "Right, on try 2. Revealed below.");
  assert.deepEqual(q.answers[3], { tries: 2, right: false, revealed: true });
});

test("a count or a word that cannot be an answer is a hint, not a try", () => {
  const q = quiz();
  at(q, 3);
  assert.equal(answer(q, "1 2"), "Type 4 numbers (shape [2, 2]); you typed 2.");
  assert.equal(answer(q, "1 2 3 x"), 'Could not read a number in "1 2 3 x": type 4 numbers (shape [2, 2]).');
  at(q, 1);
  assert.equal(answer(q, ""), "Type one number; you typed 0.");
  assert.deepEqual(q.reports, []);
  assert.equal(q.feedback.className, "adviz-quiz-feedback adviz-quiz-hint");
});

test("a step that asks nothing says so; moving on clears what was typed", () => {
  const q = quiz();
  at(q, 3);
  q.input.value = "typed";
  at(q, 2);
  assert.equal(q.question.textContent, "Step 2: no question here.");
  assert.equal(q.revealed(2), true);
  assert.equal(q.input.value, "");
});

test("the score, and progress resumed from the quiz_answers trait", () => {
  const q = quiz();
  q.setAnswers({ 1: { tries: 1, right: true, revealed: true } });
  at(q, 1);
  assert.equal(q.score.textContent, "Score so far: 1 of 1 answered right on the first try (2 steps).");
  q.setAnswers({ 1: { tries: 1, right: true, revealed: true }, 3: { tries: 3, right: false, revealed: true } });
  at(q, 3);
  assert.equal(
    q.score.textContent,
    "Score: 1 of 2 right on the first try. Well done — move the step slider to review.",
  );
});
