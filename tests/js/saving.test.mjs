// saving.js: when the drawing is sent for saved notebooks, and which view a re-rendered
// output adopts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { adoptable, forget, keep, Saving } from "../../viz/js/saving.js";

function saving(t, drawing) {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const clock = { ms: 0 };
  const sent = [];
  const s = new Saving({ take: () => drawing.svg, send: (m) => sent.push(m), max: 10, now: () => clock.ms });
  return { s, sent, clock };
}

test("the drawing is sent once the view has rested 1.5 s since the last change", (t) => {
  const drawing = { svg: "<svg/>" };
  const { s, sent } = saving(t, drawing);
  s.schedule();
  t.mock.timers.tick(1000);
  s.schedule(); // another change: the wait starts again
  t.mock.timers.tick(1499);
  assert.deepEqual(sent, []);
  t.mock.timers.tick(1);
  assert.deepEqual(sent, [{ picture: "<svg/>" }]);
});

test("not sent: the same drawing again, none, or one longer than the limit", (t) => {
  const drawing = { svg: "<svg/>" };
  const { s, sent } = saving(t, drawing);
  s.sendNow();
  s.sendNow();
  drawing.svg = "";
  s.sendNow();
  drawing.svg = "<svg>....</svg>"; // 15 characters, the limit 10
  s.sendNow();
  drawing.svg = "<svg>.</svg>".slice(0, 10);
  s.sendNow();
  assert.deepEqual(sent, [{ picture: "<svg/>" }, { picture: "<svg>.</sv" }]);
});

test("disposed: a scheduled drawing is not sent", (t) => {
  const { s, sent } = saving(t, { svg: "<svg/>" });
  s.schedule();
  s.dispose();
  t.mock.timers.tick(5000);
  assert.deepEqual(sent, []);
});

test("a re-rendered output may adopt the view for 20 s after a drawing was sent", (t) => {
  const { s, clock } = saving(t, { svg: "<svg/>" });
  assert.equal(s.recent(), false); // nothing sent
  clock.ms = 1000;
  s.sendNow();
  clock.ms = 20999;
  assert.equal(s.recent(), true);
  clock.ms = 21000;
  assert.equal(s.recent(), false);
});

test("the views of a model: the one that may be adopted is found, forgotten ones not", () => {
  const a = { adoptable: () => false };
  const b = { adoptable: () => true };
  keep("model-1", a);
  assert.equal(adoptable("model-1"), null);
  keep("model-1", b);
  assert.equal(adoptable("model-1"), b);
  assert.equal(adoptable("model-2"), null);
  forget("model-1", b);
  assert.equal(adoptable("model-1"), null);
  forget("model-1", a);
  forget("model-3", a); // never kept: nothing happens
});
