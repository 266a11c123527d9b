// Reading and updating the SVG that Graphviz (via @viz-js/viz) produces.
//
// What Graphviz 16 emits (checked with @viz-js/viz 3.31):
//   node   <g id="n3" class="node"><title>n3</title>…   (id="nodeN" when the DOT node has no
//          `id` attribute; the <title> is always the DOT node name, so we key on it)
//   edge   <g id="e1-3" class="edge"><title>n1->n3</title>…
//   cell   <td id="n3-value" href="#"> becomes <g id="a_n3-value"><a xlink:href="#" …>
//          <text>line 1</text><text>line 2</text>…</a></g>; without href/tooltip the id is
//          dropped. A bare id="n3-value" is accepted too (other Graphviz versions).

const XLINK = "http://www.w3.org/1999/xlink";
const NAN_FILL = "#d55e00";

const titleOf = (g) => {
  for (const child of g.children) {
    if (child.localName === "title") return (child.textContent || "").trim();
  }
  return "";
};

/** Set the text of `g`'s own <title> (Graphviz gives every node and edge one): the
 * browser's hover tooltip. */
export const setTitle = (g, text) => {
  for (const child of g.children) {
    if (child.localName === "title") {
      child.textContent = text;
      return;
    }
  }
  const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
  title.textContent = text;
  g.prepend(title);
};

const bare = (end) => end.split(":")[0].trim(); // drop a port ("n3:p" -> "n3")

/** Remove anything active from Graphviz's SVG: links (we handle clicks), scripts, event
 * handler attributes, and the useless "<TABLE>" tooltips of HTML-label cells. */
export function sanitize(svg) {
  for (const el of svg.querySelectorAll("script, foreignObject, iframe, object, embed")) {
    el.remove();
  }
  for (const el of [svg, ...svg.querySelectorAll("*")]) {
    for (const attr of [...el.attributes]) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) el.removeAttribute(attr.name);
    }
  }
  for (const a of svg.querySelectorAll("a")) {
    a.removeAttribute("href");
    a.removeAttributeNS(XLINK, "href");
    a.removeAttribute("target");
    a.removeAttributeNS(XLINK, "target");
    const tip = a.getAttributeNS(XLINK, "title") || a.getAttribute("title");
    if (!tip || !tip.trim() || /^<\s*table\s*>$/i.test(tip.trim())) {
      a.removeAttributeNS(XLINK, "title");
      a.removeAttribute("title");
    }
  }
}

/** Maps from our ids to SVG elements, and the drawing's adjacency (from edge titles).
 * Cells of copies and folded groups carry a suffix (`n3-value~g2`): `fields` maps the
 * graph's cell id (`n3-value`) to every element showing it; `pics` likewise maps it to the
 * reserved picture cells (`pn3-value`). */
export function indexSvg(svg) {
  const nodes = new Map(); // element id ("n3", "g2", "n5~n12") -> <g class="node">
  const nodeOf = new Map(); // <g class="node"> -> element id
  const copies = new Map(); // leaf ("n5") -> its copies' <g>s
  const names = new Map(); // element id -> display name
  const edges = new Map(); // edge id ("e1-3") -> <g class="edge">
  const fields = new Map(); // cell id ("n3-value") -> [elements holding its <text>s]
  const pics = new Map(); // cell id -> [reserved picture cells]
  const clusters = new Map(); // cluster id ("c4") -> <g class="cluster">
  const incoming = new Map(); // element id -> [[edge g, tail id], …]
  const outgoing = new Map(); // element id -> [[edge g, head id], …]

  for (const g of svg.querySelectorAll("g.node")) {
    const key = titleOf(g) || g.id;
    if (!key) continue;
    nodes.set(key, g);
    nodeOf.set(g, key);
    const copy = /^(n\d+)~/.exec(key);
    if (copy) {
      if (!copies.has(copy[1])) copies.set(copy[1], []);
      copies.get(copy[1]).push(g);
    }
  }
  for (const g of svg.querySelectorAll("g.cluster")) if (g.id) clusters.set(g.id, g);

  const structural = (el) =>
    el.classList &&
    (el.classList.contains("node") ||
      el.classList.contains("edge") ||
      el.classList.contains("cluster") ||
      el.classList.contains("graph"));
  const add = (map, key, el) => {
    if (!map.has(key)) map.set(key, []);
    const els = map.get(key);
    if (!els.some((other) => other.contains(el) || el.contains(other))) els.push(el);
  };
  for (const el of svg.querySelectorAll("[id]")) {
    if (structural(el)) continue;
    const id = el.id.startsWith("a_") ? el.id.slice(2) : el.id;
    const fid = id.split("~")[0];
    if (/^pn\d+-/.test(fid)) add(pics, fid.slice(1), el);
    else if (fid) add(fields, fid, el);
  }

  for (const [key, g] of nodes) {
    const cell = (fields.get(`${key}-name`) || []).find((el) => g.contains(el));
    const own = [...g.querySelectorAll("[id]")].find((el) => /-name(~|$)/.test(el.id));
    let name = textOf(cell || own || g.querySelector("text") || g);
    if (!name) name = key;
    names.set(key, name);
    setTitle(g, name); // hover tooltip: the node's name, not our id
  }

  for (const g of svg.querySelectorAll("g.edge")) {
    const m = titleOf(g).match(/^(.*?)(->|--)(.*)$/);
    const tail = m ? bare(m[1]) : "";
    const head = m ? bare(m[3]) : "";
    if (g.id && !/^edge\d+$/.test(g.id)) edges.set(g.id, g);
    if (tail && head) {
      const derived = `e${tail.replace(/^n(?=\d)/, "")}-${head.replace(/^n(?=\d)/, "")}`;
      if (!edges.has(derived)) edges.set(derived, g);
      if (!incoming.has(head)) incoming.set(head, []);
      if (!outgoing.has(tail)) outgoing.set(tail, []);
      incoming.get(head).push([g, tail]);
      outgoing.get(tail).push([g, head]);
      setTitle(g, `${names.get(tail) || tail} → ${names.get(head) || head}`);
    }
  }
  return { svg, nodes, nodeOf, copies, names, edges, fields, pics, clusters, incoming, outgoing };
}

function textOf(el) {
  const parts = [];
  for (const t of el.querySelectorAll("text")) parts.push((t.textContent || "").trim());
  return parts.filter(Boolean).join(" ").replace(/\u00a0/g, " ");
}

/** Every node and edge reachable from `start` along `adjacency` (`incoming`: what it
 * depends on; `outgoing`: where its gradient comes from). */
export function reach(index, start, adjacency) {
  const nodes = new Set();
  const edges = new Set();
  const seen = new Set([start]);
  const stack = [start];
  while (stack.length) {
    const id = stack.pop();
    for (const [edge, other] of adjacency.get(id) || []) {
      edges.add(edge);
      if (seen.has(other)) continue;
      seen.add(other);
      const g = index.nodes.get(other);
      if (g) nodes.add(g);
      stack.push(other);
    }
  }
  return { nodes, edges };
}

/** The text of every cell as Graphviz drew it: cell id -> {lines, nan: null} (null: keep
 * the colour the DOT gave it). */
export function snapshot(index) {
  const cells = new Map();
  for (const [fid, els] of index.fields) {
    const lines = [...els[0].querySelectorAll("text")].map((t) => t.textContent || "");
    if (lines.length) cells.set(fid, { lines, nan: null });
  }
  return cells;
}

const shown = new WeakMap(); // cell element -> what it shows now (to skip same writes)

/** Replace the text lines (and picture) of cells in place (no layout), in every element
 * showing them: `entries` are [cell id, cell] with cell = {lines: [str], nan: bool | null,
 * pic}. Returns the <text> elements written. */
export function writeCells(index, entries, drawPicture = null) {
  const touched = [];
  if (!index) return touched;
  for (const [fid, cell] of entries) {
    if (!cell || typeof cell !== "object") continue;
    const lines = Array.isArray(cell.lines)
      ? cell.lines.map((l) => (l == null ? "" : String(l)))
      : [cell.lines == null ? "" : String(cell.lines)];
    const nan = cell.nan == null ? null : Boolean(cell.nan);
    const key = `${nan}\u0000${lines.join("\n")}`;
    const okClass = /-grad$/.test(fid) ? "adviz-ok-grad" : "adviz-ok-value";
    for (const el of index.fields.get(fid) || []) {
      if (shown.get(el) === key) continue;
      shown.set(el, key);
      const compact = isCompact(el);
      if (compact) setTitle(el, lines.join("\n").replace(/\u00a0/g, " "));
      for (const t of setLines(el, compact ? [shortText(cell, lines)] : lines)) {
        t.classList.toggle("adviz-nan", nan === true);
        // a cell drawn red (nan) by the DOT that is no longer nan gets its normal colour back
        const drawnNan = (t.getAttribute("fill") || "").toLowerCase() === NAN_FILL;
        t.classList.toggle(okClass, nan === false && drawnNan);
        touched.push(t);
      }
    }
    if (drawPicture) {
      const own = cell.pic && typeof cell.pic === "object" ? cell.pic : null;
      const small = cell.chip && typeof cell.chip === "object" ? cell.chip : null;
      for (const holder of index.pics.get(fid) || []) {
        const compact = isCompact(holder);
        const pic = compact ? own || small : own; // a compact node pictures small arrays too
        const picKey = pic ? JSON.stringify(pic) : "";
        if (shown.get(holder) === picKey) continue;
        shown.set(holder, picKey);
        if (compact) setTitle(holder, lines.join("\n").replace(/\u00a0/g, " "));
        drawPicture(holder, pic);
      }
    }
  }
  return touched;
}

const compactCells = new WeakMap(); // cell element -> whether it is in a compact node

/** Whether `el` is a cell of a compact node (`viz.dot`: class "adviz-compact"): it shows
 * its cell's `short` text in one row, and the full lines on hover. */
function isCompact(el) {
  let compact = compactCells.get(el);
  if (compact === undefined) {
    compact = Boolean(el.closest && el.closest("g.adviz-compact"));
    compactCells.set(el, compact);
  }
  return compact;
}

/** A cell's text in a compact node: its `short` form (viz/dot.py `cell`), or else its
 * first line without the "value:" / "grad:" / "tangent:" label (a pending or quiz cell). */
function shortText(cell, lines) {
  if (typeof cell.short === "string" && (cell.short || cell.pic || cell.chip)) return cell.short;
  return (lines[0] || "").replace(/^(value|grad|tangent):[\s\u00a0]*/, "");
}

function setLines(el, lines) {
  for (const extra of el.querySelectorAll("text.adviz-extra")) extra.remove();
  const texts = [...el.querySelectorAll("text")];
  if (!texts.length) return texts;
  texts.forEach((t, i) => {
    const line = i < lines.length ? lines[i] : "";
    if (t.textContent !== line) t.textContent = line;
  });
  if (lines.length > texts.length) {
    // more lines than the layout has room for: add lines below the last (the box does not
    // grow; send a new `dot` to re-lay out)
    const last = texts[texts.length - 1];
    const y0 = parseFloat(last.getAttribute("y")) || 0;
    const prev = texts.length > 1 ? parseFloat(texts[texts.length - 2].getAttribute("y")) : NaN;
    const size = parseFloat(last.getAttribute("font-size")) || 10;
    const step = Number.isFinite(prev) && y0 - prev > 0 ? y0 - prev : size * 1.2;
    let after = last;
    for (let i = texts.length; i < lines.length; i++) {
      const t = last.cloneNode(false);
      t.classList.add("adviz-extra");
      t.setAttribute("y", String(+(y0 + step * (i - texts.length + 1)).toFixed(2)));
      t.textContent = lines[i];
      after.after(t);
      after = t;
      texts.push(t);
    }
  }
  return texts;
}

const SHAPES = new Set(["path", "polygon", "ellipse", "rect"]);
const metrics = new WeakMap(); // <text> -> {room, perChar}: measured once per layout

/** Squeeze node texts that overflow their node's box. Graphviz (WebAssembly) sizes boxes
 * with built-in estimates of Helvetica/Courier/Times widths; where the browser draws
 * with wider fonts (e.g. DejaVu on Linux without Arial/Liberation fonts) text would
 * cross the border. Only left-aligned text inside nodes is adjusted, and all lines of a
 * cell by the same factor (monospace columns stay aligned). `texts` defaults to every
 * such text. Returns false when nothing could be measured (hidden view). */
export function fitTexts(index, texts) {
  if (!index) return true;
  const all = texts || index.svg.querySelectorAll("g.node text");
  const items = [];
  for (const t of all) {
    if (!t.isConnected || (t.getAttribute("text-anchor") || "start") !== "start") continue;
    if (t.closest(".adviz-pic")) continue; // a picture's labels are laid out by pictures.js
    const node = t.closest("g.node");
    if (node) items.push([t, node]);
  }
  // a cell's lines share one scale: take them all even if only some were written
  const seen = new Set(items.map(([t]) => t));
  for (const [t, node] of [...items]) {
    if (t.parentNode === node) continue;
    for (const sibling of t.parentNode.querySelectorAll("text")) {
      if (sibling.closest(".adviz-pic")) continue; // a picture's labels: pictures.js
      if (!seen.has(sibling)) {
        seen.add(sibling);
        items.push([sibling, node]);
      }
    }
  }
  // Known texts are computed, not measured: a text's room and its width per character
  // (the value cells are monospace) were measured when the diagram was first fitted, so a
  // slider's patch forces no layout. Unknown texts: writes first, then all reads, then
  // writes (one forced layout).
  const unknown = items.filter(([t]) => !metrics.has(t));
  for (const [t] of unknown) {
    if (t.hasAttribute("textLength")) {
      t.removeAttribute("textLength");
      t.removeAttribute("lengthAdjust");
    }
  }
  const boxes = new Map();
  let measured = items.length === 0;
  for (const [t, node] of unknown) {
    let box = boxes.get(node);
    if (box === undefined) {
      box = nodeBox(node);
      boxes.set(node, box);
    }
    const x = parseFloat(t.getAttribute("x"));
    const chars = (t.textContent || "").length;
    const length = box ? t.getComputedTextLength() : 0;
    if (!Number.isFinite(x) || !(length > 0) || !chars) continue;
    const room = Math.min(box.right - box.pad, nextOnLine(t, x, node)) - x;
    metrics.set(t, { room, perChar: length / chars });
  }
  const groups = new Map(); // the lines of one cell share one scale
  for (const [t, node] of items) {
    const m = metrics.get(t);
    if (!m) continue;
    measured = true;
    const length = m.perChar * (t.textContent || "").length;
    const key = t.parentNode === node ? t : t.parentNode;
    if (!groups.has(key)) groups.set(key, { scale: 1, lines: [] });
    const group = groups.get(key);
    group.lines.push([t, length]);
    if (m.room > 1 && length > m.room + 0.5) group.scale = Math.min(group.scale, m.room / length);
  }
  for (const { scale, lines } of groups.values()) {
    for (const [t, length] of lines) {
      if (scale < 1) {
        t.setAttribute("textLength", (length * scale).toFixed(2));
        t.setAttribute("lengthAdjust", "spacingAndGlyphs");
      } else if (t.hasAttribute("textLength")) {
        t.removeAttribute("textLength");
        t.removeAttribute("lengthAdjust");
      }
    }
  }
  return measured;
}

/** Where the next text on the same line of `t` in `node` starts (a title's "= op" after
 * its bold name, a compact node's shape after its title), or Infinity: `t` must not run
 * into it. */
function nextOnLine(t, x, node) {
  const y = parseFloat(t.getAttribute("y"));
  let next = Infinity;
  for (const other of node.querySelectorAll("text")) {
    if (other === t || !(Math.abs(parseFloat(other.getAttribute("y")) - y) < 3)) continue;
    const ox = parseFloat(other.getAttribute("x"));
    if (ox > x) next = Math.min(next, ox - 1);
  }
  // a compact node's picture cells on the same row (its shape must not run under them)
  for (const holder of node.querySelectorAll("[id^='a_pn']")) {
    const b = holder.getBBox();
    if (b.x > x && b.y <= y && y <= b.y + b.height + 3) next = Math.min(next, b.x - 1);
  }
  return next;
}

/** A node's outline (its first shape): right edge, and the inner left padding. */
function nodeBox(node) {
  let outline = null;
  for (const child of node.children) {
    if (SHAPES.has(child.localName)) {
      outline = child;
      break;
    }
  }
  if (!outline) return null;
  const b = outline.getBBox();
  if (!(b.width > 0)) return null;
  let minX = Infinity;
  for (const t of node.querySelectorAll("text")) {
    if ((t.getAttribute("text-anchor") || "start") !== "start") continue;
    const x = parseFloat(t.getAttribute("x"));
    if (Number.isFinite(x)) minX = Math.min(minX, x);
  }
  const pad = Number.isFinite(minX) ? Math.min(Math.max(minX - b.x, 1), 8) : 4;
  return { right: b.x + b.width, pad };
}
