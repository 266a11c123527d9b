// details.js: the details panel of the selected node and its gradient check.
import "./fake-dom.mjs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkBlocks, Details } from "../../viz/js/details.js";

const CHECK = [
  "Checked W's gradient by central differences (h = 1e-6).",
  "element  autodiff  numeric",
  "[0, 0]   0.5       0.5",
  "[0, 1]   -2        -2",
  "All 2 elements agree.",
];

test("checkBlocks: the table in one pre block, the sentences in p blocks", () => {
  assert.deepEqual(checkBlocks(CHECK), [
    { tag: "p", text: CHECK[0] },
    { tag: "pre", text: CHECK.slice(1, 4).join("\n") },
    { tag: "p", text: CHECK[4] },
  ]);
  assert.deepEqual(checkBlocks(["(scalar)  1.0  1.0"]), [{ tag: "pre", text: "(scalar)  1.0  1.0" }]);
  assert.deepEqual(checkBlocks([]), []);
});

function panel(details, viewport = { focus: () => {} }) {
  const sent = [];
  const reports = [];
  const model = { get: (name) => ({ details, selected: "" })[name], send: (m) => sent.push(m) };
  const scene = { nodeOfElement: (id) => (/^n\d+/.exec(id) || [""])[0] };
  const d = new Details(scene, model, (values) => reports.push(values));
  d.index = { names: new Map([["n3", "W"]]), nodes: new Map() };
  d.listen(viewport);
  return { d, sent, reports };
}

test("the panel shows the selected node's title and lines, and offers the check", () => {
  const { d } = panel({ n3: { title: "W (2, 2) float64", lines: ["value: …", "grad: …"], checkable: true } });
  d.show();
  assert.equal(d.panel.hidden, true); // nothing selected
  d.selected = "n3";
  d.show();
  assert.equal(d.panel.hidden, false);
  assert.equal(d.title.textContent, "W (2, 2) float64");
  assert.equal(d.body.textContent, "value: …\ngrad: …");
  assert.deepEqual([d.checkButton.hidden, d.checkBody.hidden], [false, true]);
});

test("details not yet sent: the node's drawn name, and a loading line", () => {
  const { d } = panel({});
  d.selected = "n3";
  d.show();
  assert.equal(d.title.textContent, "W");
  assert.equal(d.body.textContent, "(loading details…)");
  assert.equal(d.checkButton.hidden, true); // not checkable
});

test("the check: asked of the kernel, then its result replaces the button", () => {
  const { d, sent } = panel({ n3: { title: "W", lines: ["x"], checkable: true } });
  d.selected = "n3~g2"; // a copy: the check is of its leaf
  d.checkButton.fire("click");
  assert.deepEqual(sent, [{ check: "n3" }]);
  assert.deepEqual([d.checkButton.disabled, d.checkButton.textContent], [true, "Checking…"]);
  d.model.get = (name) => (name === "details" ? { n3: { title: "W", checkable: true, check: CHECK } } : "");
  d.show();
  assert.equal(d.checkButton.hidden, true);
  assert.deepEqual(
    d.checkBody.children.map((b) => [b.localName, b.textContent.split("\n").length]),
    [["p", 1], ["pre", 3], ["p", 1]],
  );
});

test("closing the panel unselects and gives the keyboard back to the diagram", () => {
  const focused = [];
  const { d, reports } = panel({}, { focus: (options) => focused.push(options) });
  d.selected = "n3";
  d.show();
  assert.equal(d.panel.hidden, false);
  d.close.fire("click");
  assert.deepEqual([d.selected, d.panel.hidden], ["", true]);
  assert.deepEqual([focused, reports], [[{ preventScroll: true }], [{ selected: "" }]]);
});

test("no drawing any more: the selection goes and is reported", () => {
  const { d, reports } = panel({});
  d.selected = "n3";
  d.clear();
  assert.deepEqual([d.selected, d.panel.hidden, reports], ["", true, [{ selected: "" }]]);
  d.clear(); // nothing selected: nothing to report
  assert.equal(reports.length, 1);
});
