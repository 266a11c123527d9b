// clicks.js: what a click or a key on the diagram does.
import "./fake-dom.mjs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeElement } from "./fake-dom.mjs";
import { Clicks, nodeAt } from "../../viz/js/clicks.js";

/** An SVG element inside `parents` (innermost first), as `closest` finds them. */
function target(localName, ...parents) {
  return { localName, closest: (sel) => parents.find((p) => p.matches.includes(sel)) || null };
}
const node = (id) => ({ id, matches: ["g.node"] });
const link = { matches: ["a"] };
const cluster = (id) => ({ id, matches: ["g.cluster"] });

function setup() {
  const nodes = [node("n3"), node("g7"), node("n5~n3")];
  const index = { nodeOf: new Map(nodes.map((g) => [g, g.id])) };
  const log = [];
  const folds = {
    titleKey: (t) => (t && t.localName === "text" && t.closest("g.cluster") ? "scope:enc" : null),
    toggle: (key, fold) => log.push(["toggle", key, fold]),
    activate(id) {
      if (id !== "g7") return false; // only g7 is a folded group
      log.push(["unfold", id]);
      return true;
    },
  };
  const details = {
    selected: "",
    select(id) {
      log.push(["select", id]);
      this.selected = id;
    },
  };
  const view = { suppressClick: false };
  const clicks = new Clicks({ index: () => index, view, folds, details });
  const viewport = new FakeElement("div");
  const root = new FakeElement("div");
  clicks.listen(viewport, root);
  const [n3, g7, copy] = nodes;
  return { clicks, log, view, details, viewport, root, n3, g7, copy };
}

test("nodeAt: the drawn node holding a target, else none", () => {
  const { clicks, n3, copy } = setup();
  const index = clicks.index();
  assert.equal(nodeAt(index, target("text", link, n3)), "n3");
  assert.equal(nodeAt(index, target("path", copy)), "n5~n3");
  assert.equal(nodeAt(index, target("polygon")), "");
  assert.equal(nodeAt(null, target("text", n3)), "");
  assert.equal(nodeAt(index, {}), ""); // not an element
});

test("a click selects a node, a second click unselects it, a click on nothing too", () => {
  const { log, viewport, n3 } = setup();
  const e = viewport.fire("click", { target: target("text", link, n3) });
  assert.equal(e.defaultPrevented, true); // Graphviz's links go nowhere
  viewport.fire("click", { target: target("text", n3) });
  viewport.fire("click", { target: target("text", n3) });
  viewport.fire("click", { target: target("polygon") });
  assert.deepEqual(log, [["select", "n3"], ["select", ""], ["select", "n3"], ["select", ""]]);
});

test("a click on a folded group unfolds it; on a cluster's title folds the cluster", () => {
  const { log, viewport, g7 } = setup();
  viewport.fire("click", { target: target("text", g7) });
  viewport.fire("click", { target: target("text", cluster("c1")) });
  assert.deepEqual(log, [["unfold", "g7"], ["toggle", "scope:enc", true]]);
});

test("the end of a drag is no click; with no drawing, clicks do nothing", () => {
  const { clicks, log, view, viewport, n3 } = setup();
  view.suppressClick = true;
  viewport.fire("click", { target: target("text", n3) });
  view.suppressClick = false;
  clicks.index = () => null;
  viewport.fire("click", { target: target("text", n3) });
  assert.deepEqual(log, []);
});

test("Enter or Space on a node activates it; other keys do nothing", () => {
  const { log, viewport, n3, g7 } = setup();
  assert.equal(viewport.fire("keydown", { key: "Enter", target: target("g", n3) }).defaultPrevented, true);
  viewport.fire("keydown", { key: " ", target: target("g", g7) });
  viewport.fire("keydown", { key: "a", target: target("g", n3) });
  viewport.fire("keydown", { key: "Enter", target: target("svg") });
  assert.deepEqual(log, [["select", "n3"], ["unfold", "g7"]]);
});

test("Escape unselects, and is not handled further; with nothing selected it passes", () => {
  const { log, root, details } = setup();
  assert.equal(root.fire("keydown", { key: "Escape" }).stopped, false);
  details.selected = "n3";
  assert.equal(root.fire("keydown", { key: "Escape" }).stopped, true);
  assert.deepEqual(log, [["select", ""]]);
});
