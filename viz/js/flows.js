// The gradient travelling back along the current backward step's edges (CS231n style): the
// edge's forward arrowhead is hidden, an arrowhead at its start points back to the input,
// and the number it carries sits on its middle. Only the current step's edges are turned;
// every other edge keeps its forward arrow.

const NS = "http://www.w3.org/2000/svg";
const MAX_TEXT = 28; // characters of a gradient written on an edge
let markers = 0; // one marker id per SVG: several widgets share a page

function marker(svg) {
  let id = svg.getAttribute("data-adviz-back");
  if (id) return id;
  id = `adviz-back-${++markers}`;
  const defs = svg.querySelector("defs") || svg.insertBefore(document.createElementNS(NS, "defs"), svg.firstChild);
  const m = document.createElementNS(NS, "marker");
  for (const [k, v] of Object.entries({
    id,
    viewBox: "0 0 10 10",
    refX: "2",
    refY: "5",
    markerWidth: "4",
    markerHeight: "4",
    orient: "auto-start-reverse",
    markerUnits: "strokeWidth",
  })) m.setAttribute(k, v);
  const head = document.createElementNS(NS, "path");
  head.setAttribute("d", "M 0 0 L 10 5 L 0 10 z");
  head.setAttribute("class", "adviz-back-head");
  m.append(head);
  defs.append(m);
  svg.setAttribute("data-adviz-back", id);
  return id;
}

export class Flows {
  constructor() {
    this.turned = []; // [edge <g>, its path]
    this.layer = null;
  }

  /** Turn the edges of `items` ([edge <g>, gradient text]) back, in `svg`. */
  show(svg, items) {
    this.clear();
    if (!svg || !items.length) return;
    const id = marker(svg);
    const graph = svg.querySelector("g.graph") || svg;
    const layer = document.createElementNS(NS, "g");
    layer.setAttribute("class", "adviz-flows");
    for (const [edge, text] of items) {
      const path = edge && edge.querySelector("path");
      if (!path) continue;
      edge.classList.add("adviz-back");
      path.setAttribute("marker-start", `url(#${id})`);
      this.turned.push([edge, path]);
      if (text) layer.append(label(path, text));
    }
    graph.append(layer);
    this.layer = layer;
  }

  clear() {
    for (const [edge, path] of this.turned) {
      edge.classList.remove("adviz-back");
      path.removeAttribute("marker-start");
    }
    this.turned = [];
    if (this.layer) this.layer.remove();
    this.layer = null;
  }
}

/** The gradient's text at the middle of `path`, on a halo so that it reads over lines. */
function label(path, text) {
  let point = { x: 0, y: 0 };
  try {
    point = path.getPointAtLength(path.getTotalLength() / 2);
  } catch (e) {
    // a path without geometry (not laid out yet): the label goes to the origin, unseen
  }
  const t = document.createElementNS(NS, "text");
  t.setAttribute("x", point.x.toFixed(1));
  t.setAttribute("y", (point.y - 4).toFixed(1));
  t.setAttribute("text-anchor", "middle");
  t.setAttribute("class", "adviz-flow-text");
  t.textContent = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
  return t;
}
