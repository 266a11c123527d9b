// The gradient travelling back along the current backward step's edges (CS231n style): the
// edge's forward arrowhead is hidden, an arrowhead at its start points back to the input,
// and the number it carries sits on its middle. Only the current step's edges are turned;
// every other edge keeps its forward arrow. In forward mode, the tangent goes the edge's
// own way: the edge is marked (`adviz-fwd`) and labelled, not turned.

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

  /** Turn the edges of `items` ([edge <g>, gradient text]) back, in `svg`; each text is
   * put where it covers no node, arrowhead or other text (`place`). With `forward` (forward
   * mode: tangents), the edges keep their direction and are only marked and labelled. */
  show(svg, items, forward = false) {
    this.clear();
    if (!svg || !items.length) return;
    const id = forward ? "" : marker(svg);
    const graph = svg.querySelector("g.graph") || svg;
    const layer = document.createElementNS(NS, "g");
    layer.setAttribute("class", "adviz-flows");
    graph.append(layer);
    this.layer = layer;
    const labels = [];
    for (const [edge, text] of items) {
      const path = edge && edge.querySelector("path");
      if (!path) continue;
      edge.classList.add(forward ? "adviz-fwd" : "adviz-back");
      if (!forward) path.setAttribute("marker-start", `url(#${id})`);
      this.turned.push([edge, path]);
      if (text) labels.push([path, label(text)]);
    }
    if (!labels.length) return;
    const obstacles = obstaclesIn(graph, labels.map(([path]) => path));
    const bounds = bbox(graph) || { x: 0, y: 0, w: 0, h: 0 }; // the drawing (no text yet)
    for (const [path, t] of labels) {
      layer.append(t);
      place(t, path, obstacles, bounds);
      const box = bbox(t);
      if (box) obstacles.push(box);
    }
  }

  clear() {
    for (const [edge, path] of this.turned) {
      edge.classList.remove("adviz-back", "adviz-fwd");
      path.removeAttribute("marker-start");
    }
    this.turned = [];
    if (this.layer) this.layer.remove();
    this.layer = null;
  }
}

/** A gradient's text, on a halo so that it reads over lines (placed by `place`). */
function label(text) {
  const t = document.createElementNS(NS, "text");
  t.setAttribute("text-anchor", "middle");
  t.setAttribute("class", "adviz-flow-text");
  t.textContent = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
  return t;
}

const bbox = (el) => {
  try {
    const b = el.getBBox();
    return { x: b.x, y: b.y, w: b.width, h: b.height };
  } catch (e) {
    return null; // not rendered
  }
};

const overlap = (a, b) =>
  Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) *
  Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));

/** What a text must not cover: every node, every edge's arrowhead, and the arrowheads the
 * turned edges get at their start (in the graph's coordinates). */
function obstaclesIn(graph, paths) {
  const out = [];
  for (const g of graph.querySelectorAll("g.node")) {
    const b = bbox(g);
    if (b) out.push(b);
  }
  for (const head of graph.querySelectorAll("g.edge polygon")) {
    const b = bbox(head);
    if (b) out.push({ x: b.x - 1, y: b.y - 1, w: b.w + 2, h: b.h + 2 });
  }
  for (const path of paths) {
    try {
      const p = path.getPointAtLength(0);
      out.push({ x: p.x - 5, y: p.y - 5, w: 10, h: 10 });
    } catch (e) {
      // no geometry
    }
  }
  return out;
}

/** Where a text of `size` centred at `at` on one axis (`axis` "x": along its row at
 * height `cross`; "y": along its column at `cross`) ends up when moved both ways past
 * every obstacle in its row or column: [after, before]. */
function slid(at, cross, size, obstacles, axis) {
  const [pos, len, other, otherLen] = axis === "x" ? ["x", "w", "y", "h"] : ["y", "h", "x", "w"];
  const half = size[len] / 2;
  const across = size[otherLen] / 2;
  const line = obstacles.filter((o) => o[other] < cross + across && o[other] + o[otherLen] > cross - across);
  return [1, -1].map((dir) => {
    let c = at;
    for (let moved = true, k = 0; moved && k <= line.length; k++) {
      moved = false;
      for (const o of line) {
        if (o[pos] < c + half && o[pos] + o[len] > c - half) {
          c = dir > 0 ? o[pos] + o[len] + half + 2 : o[pos] - half - 2;
          moved = true;
        }
      }
    }
    return c;
  });
}

// Where along the edge (fraction of its length) and on which side a text may go, in order
const ALONG = [0.5, 0.38, 0.62, 0.26, 0.74, 0.15, 0.85];
const SIDES = [[0, -1], [0, 1], [1, 0], [-1, 0]];

/** Put text `t` beside `path` where it covers the least of `obstacles` and stays inside
 * `bounds` (the drawing): the first place that covers nothing, trying the middle of the
 * edge first, then farther from it. */
function place(t, path, obstacles, bounds) {
  let length = 0;
  try {
    length = path.getTotalLength();
  } catch (e) {
    return; // no geometry: the text stays at the origin, unseen
  }
  t.setAttribute("x", "0");
  t.setAttribute("y", "0");
  const size = bbox(t) || { x: 0, y: 0, w: 0, h: 0 };
  let best = null;
  const tryAt = (x, y) => {
    const box = { x: x - size.w / 2, y: y - size.h / 2, w: size.w, h: size.h };
    const outside = size.w * size.h - overlap(box, bounds);
    const covered = obstacles.reduce((sum, o) => sum + overlap(box, o), outside);
    if (!best || covered < best.covered) best = { covered, x, y };
    return covered === 0;
  };
  search: {
    for (const reach of [1, 2]) {
      for (const f of ALONG) {
        const p = path.getPointAtLength(length * f);
        for (const [sx, sy] of SIDES) {
          const x = p.x + sx * reach * (size.w / 2 + 3);
          if (tryAt(x, p.y + sy * reach * (size.h / 2 + 2))) break search;
        }
      }
    }
    // between two close nodes: slid along the row or the column, clear of what it covers
    for (const f of ALONG) {
      const p = path.getPointAtLength(length * f);
      for (const x of slid(p.x, p.y, size, obstacles, "x")) if (tryAt(x, p.y)) break search;
      for (const y of slid(p.y, p.x, size, obstacles, "y")) if (tryAt(p.x, y)) break search;
    }
  }
  // the text's box is centred on (x, y): its baseline sits below the centre
  t.setAttribute("x", best.x.toFixed(1));
  t.setAttribute("y", (best.y - size.y - size.h / 2).toFixed(1));
}
