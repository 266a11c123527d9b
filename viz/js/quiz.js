// Quiz mode (viz.explore(..., quiz=True)): predict, then reveal. At each backward step the
// student types the gradient arriving at the current op; it is checked against the step's
// `answer` (from Python, in the `steps` trait) and then revealed. Progress is reported to
// the `quiz_answers` trait, so a new view of the widget resumes where the student was.

import { h, list, obj, str } from "./dom.js";

const RTOL = 0.01; // the diagram prints 4 significant digits: answers worked from them pass

/** The numbers typed: separated by spaces, commas, semicolons or brackets. */
export function parseNumbers(text) {
  const parts = str(text).replace(/[[\]();,]/g, " ").trim().split(/\s+/).filter(Boolean);
  return parts.map((p) => Number(p.replace(/−/g, "-")));
}

/** Whether `typed` matches `answer` (numbers, or "nan"/"inf" strings for non-finite ones). */
export function matches(typed, answer) {
  const scale = Math.max(1e-12, ...answer.map((a) => (Number.isFinite(Number(a)) ? Math.abs(Number(a)) : 0)));
  return typed.every((t, i) => {
    const a = Number(answer[i]);
    if (!Number.isFinite(a)) return Object.is(t, a) || (Number.isNaN(a) && Number.isNaN(t));
    return Math.abs(t - a) <= RTOL * Math.abs(a) + 1e-3 * scale;
  });
}

export class Quiz {
  constructor(onAnswer) {
    this.onAnswer = onAnswer; // (step, record) => void: report progress
    this.enabled = false;
    this.asks = () => true; // (k) => whether step k asks a question (quiz=[names]: some do)
    this.stepAt = () => ({}); // (k) => step k's object (to show the first question at step 0)
    this.atStart = false; // the slider is at step 0: the first question is shown already
    this.answers = {}; // step -> {tries, right, revealed}
    this.step = null; // the step object asked about
    this.k = -1;
    this.total = 0;
    this.input = h("input", {
      type: "text",
      class: "adviz-quiz-input",
      placeholder: "e.g. 0.5 or [[1, 2]]",
      "aria-label": "Your gradient",
      spellcheck: "false",
      autocomplete: "off",
    });
    this.checkButton = h("button", { type: "button", text: "Check" });
    this.revealButton = h("button", { type: "button", text: "Reveal", hidden: true });
    this.question = h("div", { class: "adviz-quiz-question" });
    this.feedback = h("div", { class: "adviz-quiz-feedback", role: "status", "aria-live": "polite" });
    this.score = h("div", { class: "adviz-quiz-score" });
    this.form = h("div", { class: "adviz-quiz-form" }, this.input, this.checkButton, this.revealButton);
    this.root = h("div", { class: "adviz-quiz", hidden: true }, this.question, this.form, this.feedback, this.score);
    this.checkButton.addEventListener("click", () => this.check());
    this.revealButton.addEventListener("click", () => this.reveal());
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.check();
      }
    });
  }

  setAnswers(value) {
    this.answers = { ...obj(value) };
  }

  record(k) {
    return obj(this.answers[String(k)]);
  }

  /** Whether step k may show its gradients (always, outside quiz mode and at the steps
   * that ask nothing). */
  revealed(k) {
    return !this.enabled || k < 1 || !this.asks(k) || Boolean(this.record(k).revealed);
  }

  /** The first step that asks a question (0: none). */
  firstAsked(total) {
    for (let j = 1; j < total; j++) if (this.asks(j)) return j;
    return 0;
  }

  /** Show the question of step `k` (of `total`, the forward pass being step 0). At step 0
   * the first question is shown already, so that the student starts without hunting for
   * the slider (Play is hidden in quiz mode: it would run past the questions). */
  show(k, step, total) {
    this.atStart = this.enabled && k === 0 && this.firstAsked(total) > 0;
    if (this.atStart) {
      k = this.firstAsked(total);
      step = this.stepAt(k);
    }
    const changed = k !== this.k;
    this.k = k;
    this.step = obj(step);
    this.total = total;
    this.root.hidden = !this.enabled || k < 1;
    if (this.root.hidden) return;
    const done = this.revealed(k);
    const shown = this.atStart
      ? `Step ${k}: answered. Move the step slider to step ${k} to see it revealed.`
      : this.asks(k)
        ? `Step ${k}: revealed.`
        : `Step ${k}: no question here.`;
    this.question.textContent = done ? shown : str(this.step.question);
    this.form.hidden = done;
    if (changed) {
      this.input.value = "";
      this.feedback.textContent = "";
      this.revealButton.hidden = !(this.record(k).tries > 0);
    }
    this.updateScore();
  }

  check() {
    const k = this.k;
    if (!this.enabled || k < 1 || this.revealed(k)) return;
    const answer = list(this.step.answer);
    const typed = parseNumbers(this.input.value);
    const shape = list(this.step.shape);
    const unreadable = typed.some((t) => Number.isNaN(t)) && !answer.includes("nan");
    if (typed.length !== answer.length || unreadable) {
      const where = shape.length ? ` (shape [${shape.join(", ")}])` : "";
      const count = answer.length === 1 ? "one number" : `${answer.length} numbers`;
      this.feedback.textContent = unreadable
        ? `Could not read a number in "${this.input.value}": type ${count}${where}.`
        : `Type ${count}${where}; you typed ${typed.length}.`;
      this.feedback.className = "adviz-quiz-feedback adviz-quiz-hint";
      return;
    }
    const record = this.record(k);
    const tries = (record.tries || 0) + 1;
    if (matches(typed, answer)) {
      this.save(k, { tries, right: tries === 1 && !record.revealed, revealed: true });
      this.feedback.textContent = `${tries === 1 ? "Right!" : `Right, on try ${tries}.`} ${this.moveOn(k)}`;
      this.feedback.className = "adviz-quiz-feedback adviz-quiz-right";
    } else {
      this.save(k, { tries, right: false, revealed: false });
      this.feedback.textContent = "Not quite: try again, or reveal it. (Hint: upstream × local derivative, summed over every path.)";
      this.feedback.className = "adviz-quiz-feedback adviz-quiz-wrong";
      this.revealButton.hidden = false;
    }
  }

  /** What to do after a right answer at step `k`: see it revealed, then the next question. */
  moveOn(k) {
    if (this.atStart) return `Move the step slider to step ${k} to see it revealed, then on for the next question.`;
    return k + 1 < this.total ? `Revealed below. Move the step slider on to step ${k + 1} for the next question.` : "Revealed below.";
  }

  reveal() {
    const k = this.k;
    if (!this.enabled || k < 1) return;
    const record = this.record(k);
    this.save(k, { tries: record.tries || 0, right: false, revealed: true });
    this.feedback.textContent = this.atStart ? `Revealed: move the step slider to step ${k} to see it.` : "Revealed below.";
    this.feedback.className = "adviz-quiz-feedback";
  }

  save(k, record) {
    this.answers = { ...this.answers, [String(k)]: record };
    this.onAnswer(this.answers);
  }

  updateScore() {
    const records = Object.values(this.answers).map(obj);
    const revealed = records.filter((r) => r.revealed).length;
    const right = records.filter((r) => r.right).length;
    let steps = 0;
    for (let k = 1; k < this.total; k++) steps += this.asks(k) ? 1 : 0;
    const end = revealed >= steps && steps > 0;
    this.score.textContent = end
      ? `Score: ${right} of ${steps} right on the first try. Well done — move the step slider to review.`
      : `Score so far: ${right} of ${revealed} answered right on the first try (${steps} steps).`;
  }
}
