// folds.js: what folds or unfolds on a click or a backward step, and what is reported.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Folds, REST } from "../../viz/js/folds.js";
import { Scene } from "../../viz/js/scene.js";

// n1, n2 in the folded scope g7; n4 in the folded line of code g8; n6 in the rest; c1 a
// cluster (scope:model/enc) that a click on its title folds
function folds(folded = ["scope:model/dec", "line:12"]) {
  const scene = new Scene();
  scene.setDrawn({
    groups: {
      g7: { key: "scope:model/dec", members: [1, 2] },
      g8: { key: "line:12", members: [4] },
      [REST]: { key: "rest", members: [6] },
    },
    clusters: { c1: "scope:model/enc" },
  });
  const reports = [];
  const f = new Folds(scene, null, () => folded, (values) => reports.push(values));
  return { f, reports };
}

test("toggle: the folded trait with the key added or removed, sorted; the view follows it", () => {
  const { f, reports } = folds();
  f.toggle("scope:model/enc", true);
  f.toggle("scope:model/dec", false);
  assert.deepEqual(reports, [
    { folded: ["line:12", "scope:model/dec", "scope:model/enc"] },
    { folded: ["line:12"] },
  ]);
  assert.equal(f.focus, "scope:model/dec");
});

test("a click on a folded scope unfolds it; on a folded line, only once it is selected", () => {
  const { f, reports } = folds();
  assert.equal(f.activate("n3", ""), false); // not a group
  assert.equal(f.activate("g8", ""), false); // first click: the line's panel
  assert.equal(f.activate("g8", "g8"), true);
  assert.equal(f.activate("g7", ""), true);
  assert.deepEqual(reports, [{ folded: ["scope:model/dec"] }, { folded: ["line:12"] }]);
});

test("a cluster's title (a text in a foldable cluster) names the key to fold", () => {
  const { f } = folds();
  const target = (localName, id) => ({ localName, closest: () => (id ? { id } : null) });
  assert.equal(f.titleKey(target("text", "c1")), "scope:model/enc");
  assert.equal(f.titleKey(target("polygon", "c1")), null); // its box: no
  assert.equal(f.titleKey(target("text", "c2")), null); // not foldable
  assert.equal(f.titleKey(target("text", "")), null); // outside every cluster
  assert.equal(f.titleKey(null), null);
});

test("a step at an op in a folded scope unfolds it, once; the next drawing follows", () => {
  const { f, reports } = folds();
  f.openForStep("n2");
  f.openForStep("n1"); // the same scope: asked already
  assert.deepEqual(reports, [{ folded: ["line:12"] }]);
  assert.deepEqual([f.takeFollow(), f.takeFollow()], [true, false]);
});

test("a step at an op in a folded line, in the rest, or not folded unfolds nothing", () => {
  const { f, reports } = folds();
  for (const op of ["n4", "n6", "n3", ""]) f.openForStep(op);
  assert.deepEqual(reports, []);
  assert.equal(f.takeFollow(), false);
});
