// scene.js: which drawn elements show which graph nodes and edges.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Scene } from "../../viz/js/scene.js";

// n0..n6; n1 and n2 folded into group g7 (a scope); n5 a shared leaf copied beside n3 and
// beside the group; cluster c1 is the scope "model"
const DRAWN = {
  groups: { g7: { key: "scope:model", members: [1, 2] } },
  clusters: { c1: "scope:model/layer" },
  copied: [5],
  names: ["x", "W1", "h1", "loss", "b", "lr", "Weights"],
  focus: "n3",
};
const el = (id) => ({ id });
const INDEX = {
  nodes: new Map(["n0", "g7", "n3", "n4", "n6", "n5~n3", "n5~g7"].map((id) => [id, el(id)])),
  copies: new Map([["n5", [el("n5~n3"), el("n5~g7")]]]),
  edges: new Map(["e0-g7", "eg7-3", "e5~n3-3", "e5~g7-g7", "e4-3"].map((id) => [id, el(id)])),
};

const scene = () => {
  const s = new Scene();
  s.setDrawn(DRAWN);
  s.setIndex(INDEX);
  return s;
};
const ids = (els) => els.map((e) => e.id);

test("reads the drawn trait: groups, their keys, clusters, copies, names, focus", () => {
  const s = scene();
  assert.deepEqual([...s.groupOf], [[1, "g7"], [2, "g7"]]);
  assert.deepEqual([...s.groupKey], [["g7", "scope:model"]]);
  assert.deepEqual([...s.clusterKey], [["c1", "scope:model/layer"]]);
  assert.deepEqual([...s.copied], [5]);
  assert.equal(s.focus, "n3");
  s.setDrawn(null); // nothing drawn: everything empty
  assert.deepEqual([s.groupOf.size, s.clusterKey.size, s.names.length, s.focus], [0, 0, 0, ""]);
});

test("a node is drawn by itself, by the folded group holding it, or by all its copies", () => {
  const s = scene();
  assert.deepEqual(ids(s.nodeEls("n3")), ["n3"]);
  assert.deepEqual(ids(s.nodeEls(3)), ["n3"]);
  assert.deepEqual(ids(s.nodeEls("n2")), ["g7"]);
  assert.deepEqual(ids(s.nodeEls("n5")), ["n5~n3", "n5~g7"]);
  for (const none of ["", null, "n99", "nx", -1, "n1.5"]) assert.deepEqual(s.nodeEls(none), []);
  s.setIndex(null);
  assert.deepEqual(s.nodeEls("n3"), []);
});

test("a graph edge (node numbers) is drawn by the edge between the elements showing its ends", () => {
  const s = scene();
  assert.equal(s.edgeEl(0, 1).id, "e0-g7"); // into the group
  assert.equal(s.edgeEl(2, 3).id, "eg7-3"); // out of it
  assert.equal(s.edgeEl(5, 3).id, "e5~n3-3"); // from the copy beside its reader
  assert.equal(s.edgeEl(5, 2).id, "e5~g7-g7");
  assert.equal(s.edgeEl(1, 2), null); // inside the group: not drawn
  assert.equal(s.edgeEl("0", "6"), null); // no such edge
});

test("the graph node a drawn element stands for: itself or a copy's leaf, a group none", () => {
  const s = scene();
  assert.deepEqual(["n3", "n5~n3", "n5~g7", "g7", "", "grest"].map((id) => s.nodeOfElement(id)), [
    "n3",
    "n5",
    "n5",
    "",
    "",
    "",
  ]);
});

test("search: node numbers whose names contain the query, any case, or whose id it is", () => {
  const s = scene();
  assert.deepEqual(s.search("w"), [1, 6]); // "W1", "Weights"
  assert.deepEqual(s.search("H1"), [2]);
  assert.deepEqual(s.search("n4"), [4]); // by id
  assert.deepEqual(s.search("zz"), []);
});
