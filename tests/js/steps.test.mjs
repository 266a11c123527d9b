// steps.js: the backward steps read from the `steps` trait, step by step.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Steps } from "../../viz/js/steps.js";

// y = tanh(w * x): n0 = x, n1 = w, n2 = w * x, n3 = y, as viz/explore.py sends them (nodes
// as ids, edges and flows as node numbers)
const PAYLOAD = [
  {
    caption: "The forward pass.",
    pending: ["n3", "n2", "n1", "n0"],
    base: { "n3-grad": { lines: ["grad: …"] }, "n2-grad": { lines: ["grad: …"] } },
    patches: {},
    done: [],
  },
  {
    current: "n3",
    nodes: ["n3"],
    edges: [],
    done: ["n3"],
    patches: { "n3-grad": { lines: ["grad: 1"] } },
    flows: [],
    caption: "Seed: dy/dy = 1.",
  },
  {
    current: "n2",
    nodes: ["n2", "n3"],
    edges: [[2, 3], [9]],
    done: ["n2"],
    patches: { "n2-grad": { lines: ["grad: 0.42"] }, "n3-grad": { lines: ["grad: 1.0"] } },
    flows: [[2, 3, "0.42"], [2, 3]],
    caption: 7,
  },
  {
    current: "n1",
    nodes: ["n0", "n1", "n2"],
    edges: [[0, 2], [1, 2]],
    done: ["n0", "n1"],
    patches: { "n1-grad": { lines: ["grad: 0.84"] }, "n0-grad": { lines: ["grad: 1.26"] } },
    flows: [[1, 2, "0.84"], [0, 2, "1.26"]],
  },
];

const steps = () => {
  const s = new Steps();
  s.set(PAYLOAD);
  return s;
};

test("reads the trait as a list or as JSON text; empty text is no steps", () => {
  const fromText = new Steps();
  fromText.set(JSON.stringify(PAYLOAD));
  assert.equal(fromText.length, 4);
  assert.deepEqual(fromText.marks(2), steps().marks(2));
  fromText.set("  ");
  assert.equal(fromText.length, 0);
  assert.equal(fromText.shown(0), -1);
  assert.throws(() => fromText.set("[oops"), SyntaxError);
});

test("the step shown: -1 for none, else the index floored and clamped to the last", () => {
  const s = steps();
  assert.deepEqual(
    [-1, -0.5, 0, 1.9, "2", 3, 99, NaN, undefined, "x"].map((v) => s.shown(v)),
    [-1, -1, 0, 1, 2, 3, 3, -1, -1, -1],
  );
});

test("a step's caption is its own string, else null (the trait's caption shows)", () => {
  const s = steps();
  assert.deepEqual([-1, 0, 1, 2, 3].map((k) => s.caption(k)), [
    null,
    "The forward pass.",
    "Seed: dy/dy = 1.",
    null, // not a string
    null, // none
  ]);
});

test("the overlay at step k: the base cells, then every step's patches up to k", () => {
  const s = steps();
  assert.deepEqual(s.overlay(-1), new Map());
  assert.deepEqual(
    s.overlay(1),
    new Map([
      ["n3-grad", { lines: ["grad: 1"] }],
      ["n2-grad", { lines: ["grad: …"] }],
    ]),
  );
  const two = s.overlay(2);
  assert.deepEqual(two.get("n3-grad"), { lines: ["grad: 1.0"] }); // the later patch wins
  assert.deepEqual([...two.keys()], ["n3-grad", "n2-grad"]);
});

test("the last step overlays nothing (the cells show the values sent), unless full", () => {
  const s = steps();
  assert.equal(s.overlay(3).size, 0);
  assert.equal(s.overlay(7).size, 0);
  assert.deepEqual([...s.overlay(3, true).keys()], ["n3-grad", "n2-grad", "n1-grad", "n0-grad"]);
});

test("what a step marks: its op, nodes, well-formed edges, and the ops still pending", () => {
  const s = steps();
  assert.deepEqual(s.marks(0), {
    current: "",
    nodes: [],
    edges: [],
    pending: ["n3", "n2", "n1", "n0"],
  });
  assert.deepEqual(s.marks(2), {
    current: "n2",
    nodes: ["n2", "n3"],
    edges: [[2, 3]],
    pending: ["n1", "n0"],
  });
  assert.deepEqual(s.marks(3).pending, []);
});

test("flows: the well-formed [tail, head, text] of steps from 1 on", () => {
  const s = steps();
  assert.deepEqual(s.flows(0), []);
  assert.deepEqual(s.flows(2), [[2, 3, "0.42"]]);
  assert.deepEqual(s.flows(3), [[1, 2, "0.84"], [0, 2, "1.26"]]);
});

test("direction: backward unless the first step says forward (forward mode)", () => {
  const s = steps();
  assert.equal(s.forward, false);
  s.set([{ direction: "forward", pending: [] }]);
  assert.equal(s.forward, true);
  assert.deepEqual(s.step(5), {}); // out of range: an empty step
});
