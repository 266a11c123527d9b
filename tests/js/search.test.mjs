// search.js: the search box's matches, count and jumps.
import "./fake-dom.mjs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeElement } from "./fake-dom.mjs";
import { countText, jumpText, Search } from "../../viz/js/search.js";
import { Scene } from "../../viz/js/scene.js";

test("countText and jumpText: what the count beside the box says", () => {
  assert.equal(countText(0, 0), "0 matches");
  assert.equal(countText(1, 0), "1 match");
  assert.equal(countText(3, 2), "3 matches (2 inside folded groups)");
  assert.equal(jumpText(0, 2, 0), "1 of 2 shown");
  assert.equal(jumpText(1, 2, 1), "2 of 2 shown (1 inside folded groups)");
});

// four nodes: "W1" and "W2" folded into group g9, "weights" and "x" drawn
function search() {
  const scene = new Scene();
  scene.setDrawn({ groups: { g9: { key: "scope:a", members: [0, 1] } }, names: ["W1", "W2", "weights", "x"] });
  const els = new Map(["g9", "n2", "n3"].map((id) => [id, Object.assign(new FakeElement("g"), { id })]));
  const index = { svg: new FakeElement("svg"), nodes: els, copies: new Map() };
  scene.setIndex(index);
  const centred = [];
  const s = new Search(scene, (g) => centred.push(g.id));
  s.listen();
  s.attach(index);
  const type = (text) => {
    s.input.value = text;
    s.input.fire("input");
  };
  return { s, els, index, centred, type };
}

test("typing marks every drawn element showing a match, once, and counts the nodes", () => {
  const { s, els, index, type } = search();
  type("w");
  assert.equal(s.count.textContent, "3 matches (2 inside folded groups)");
  assert.deepEqual(s.matches.map((g) => g.id), ["g9", "n2"]);
  assert.equal(els.get("g9").className, "adviz-match");
  assert.equal(els.get("n3").className, "");
  assert.equal(index.svg.className, "adviz-searching");
  type("x ");
  assert.equal(s.count.textContent, "1 match");
  assert.deepEqual([els.get("g9").className, els.get("n3").className], ["", "adviz-match"]);
});

test("Enter centres the view on each match in turn", () => {
  const { s, centred, type } = search();
  type("w");
  const enter = () => s.input.fire("keydown", { key: "Enter" });
  assert.equal(enter().defaultPrevented, true);
  assert.equal(s.count.textContent, "1 of 2 shown (2 inside folded groups)");
  enter();
  enter();
  assert.deepEqual(centred, ["g9", "n2", "g9"]);
  assert.equal(s.count.textContent, "1 of 2 shown (2 inside folded groups)");
});

test("Escape empties the box and the marks, and goes no further", () => {
  const { s, els, index, type } = search();
  type("weights");
  const escape = s.input.fire("keydown", { key: "Escape" });
  assert.deepEqual([s.input.value, s.count.textContent, escape.stopped], ["", "", true]);
  assert.deepEqual([els.get("n2").className, index.svg.className], ["", ""]);
  assert.equal(s.input.fire("keydown", { key: "Escape" }).stopped, false); // empty: unselects
});

test("no drawing: typing waits for one", () => {
  const { s, type } = search();
  s.attach(null);
  type("w");
  assert.equal(s.count.textContent, "");
});
