// layout.js: one Graphviz per page, and the SVG it lays out as svg.js expects it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { graphviz, layOut, loadGraphviz, renderSvg } from "../../viz/js/layout.js";

test("graphviz: one instance per page, shared by every view", async () => {
  const first = graphviz();
  assert.equal(graphviz(), first);
  const viz = await first;
  assert.equal(await graphviz(), viz);
});

test("Graphviz draws a node, an edge and a cell as svg.js reads them", async () => {
  const viz = await graphviz();
  const dot = `digraph { n1 [id="n1" label="x"];
    n3 [id="n3" shape=plain label=<<table><tr><td id="n3-value" href="#">value: 1</td></tr></table>>];
    n1 -> n3 [id="e1-3"] }`;
  const svg = viz.renderString(dot, { format: "svg" });
  assert.match(svg, /<g id="n3" class="node">\s*<title>n3<\/title>/);
  assert.match(svg, /<g id="e1&#45;3" class="edge">\s*<title>n1&#45;&gt;n3<\/title>/);
  // a cell with an href: a <g id="a_…"> around a link, whose "<TABLE>" tooltip sanitize drops
  assert.match(
    svg,
    /<g id="a_n3&#45;value"><a xlink:href="#" xlink:title="&lt;TABLE&gt;">\s*<polygon[^>]*\/>\s*<text[^>]*>value: 1<\/text>/,
  );
});

/** A stand-in for Graphviz's SVG element: its attributes, and none below it. */
function fakeSvg(attributes) {
  const attrs = new Map(Object.entries(attributes));
  return {
    get attributes() {
      return [...attrs.keys()].map((name) => ({ name }));
    },
    querySelectorAll: () => [],
    setAttribute: (name, value) => attrs.set(name, value),
    removeAttribute: (name) => attrs.delete(name),
    attrs,
  };
}

test("renderSvg: the SVG sanitized (no event handlers) and labelled for screen readers", () => {
  const svg = fakeSvg({ width: "62pt", onload: "alert(1)", ONCLICK: "x" });
  const viz = { renderSVGElement: (dot) => (dot === "digraph {}" ? svg : null) };
  assert.equal(renderSvg(viz, "digraph {}"), svg);
  assert.deepEqual(Object.fromEntries(svg.attrs), {
    width: "62pt",
    role: "img",
    "aria-label": "computation graph",
  });
});

test("renderSvg: Graphviz's own message when the DOT cannot be laid out", async () => {
  const viz = await graphviz();
  assert.throws(() => renderSvg(viz, "digraph { a -> }"), /syntax error in line 1/);
});

test("loadGraphviz: the page's instance", async () => {
  assert.deepEqual(await loadGraphviz(), { viz: await graphviz() });
});

test("layOut: the SVG, or Graphviz's message under a sentence saying what failed", async () => {
  const svg = fakeSvg({});
  assert.deepEqual(layOut({ renderSVGElement: () => svg }, "digraph {}"), { svg });
  const { error } = layOut(await graphviz(), "digraph { a -> }");
  assert.match(error, /^Graphviz could not lay out this graph:\n.*syntax error in line 1/s);
});
