// Tensors as pictures: draws the heatmap, sparkline, histogram or grid of maps that viz/pictures.py
// describes (see its docstring for the dicts) into the table cell Graphviz reserved for it.
//
// drawPicture(holder, pic): `holder` is an SVG element (the <g id="a_pn3-value"> of a
// `<td id="pn3-value" href="#" fixedsize="true" width=… height=… bgcolor="#ffffff">`) that
// contains the cell's rectangle (the first <polygon>, <rect> or <path> found that is not
// ours). The picture is drawn in one <g class="adviz-pic" data-kind="heat|line|hist|maps"> next to
// that rectangle, at the top left of its bounding box, in SVG user units (points), at the
// size `box()` of viz/pictures.py reserves or smaller if the rectangle is smaller (Graphviz
// stretches a cell to its column's width: the picture stays left-aligned, like the text rows
// of a node), and replaced on the next call; its elements are reused when the kind, shape
// and box are unchanged (a slider move only rewrites fills, the path and the labels). No
// layout is read: the box comes from the polygon's `points` (getBBox only for a <path>).
// Elements are made with createElementNS, text set with textContent; the picture has
// pointer-events="none" (clicks reach the cell's <a>).

import palette from "../palette.json";

const SVG = "http://www.w3.org/2000/svg";
const FONT = "Helvetica";
const FONT_SIZE = 9;
const MINUS = "\u2212";

// Geometry, in points; the boxes of viz/pictures.py are designed for these
const MARGIN = 2;
const CELL = 7; // largest heatmap square
const HEAT_EXTENT = 168; // a heatmap's squares shrink so that it is at most this wide or high
const MIN_WIDTH = 112; // a heatmap's legend is at least this wide
const PLOT_WIDTH = 96; // sparkline and histogram
const LEGEND = 18; // heatmap legend row: bar and labels
const BAR = 4; // legend bar height
const NAN_KEY = 26; // room for the "nan" swatch at the right of the legend bar
const LABEL_COLUMN = 28; // y labels at the right of a sparkline / histogram
const TEXT_ROW = 12; // x labels below it
const BAR_STEPS = 32; // rectangles of the legend's gradient bar
const CHIP_BELOW = 20; // a picture box lower than this is a compact node's chip
const CHAR = 5.0; // mean width of a Helvetica character at FONT_SIZE (for overlap tests)
const MAPS_PER_ROW = 4; // a grid of maps (4-D arrays): maps per row
const MAP_EXTENT = 40; // a map's squares shrink so that it is at most this wide or high
const MAP_GAP = 4; // between maps
const MAP_LABEL = 10; // the row of a map's label above it
const CAPTION = 10; // each of the two caption lines above the maps
const CHIP_MAPS = 4; // a compact node's chip shows at most this many maps

const NAN_FILL = palette.text; // a nan square: dark, with a light diagonal
const NAN_HATCH = "#ffffff";
const LABEL = palette.meta;

// ---------------------------------------------------------------------------------------
// The diverging scale: heat_negative at −1, heat_zero at 0, heat_positive at +1,
// interpolated in OKLab (perceptually even steps), tabulated once.

const STEPS = 128; // per side

const hexRgb = (hex) => {
  const h = hex.replace("#", "");
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);
};
const toLinear = (c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const fromLinear = (c) => (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);

function oklab(hex) {
  const [r, g, b] = hexRgb(hex).map(toLinear);
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ];
}

function hexOf([L, A, B]) {
  const l = (L + 0.3963377774 * A + 0.2158037573 * B) ** 3;
  const m = (L - 0.1055613458 * A - 0.0638541728 * B) ** 3;
  const s = (L - 0.0894841775 * A - 1.291485548 * B) ** 3;
  const rgb = [
    4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
    -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
    -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s,
  ];
  return `#${rgb
    .map((c) => {
      const v = Math.round(Math.min(1, Math.max(0, fromLinear(c))) * 255);
      return v.toString(16).padStart(2, "0");
    })
    .join("")}`;
}

const SCALE = (() => {
  const ends = [palette.heat_negative, palette.heat_zero, palette.heat_positive];
  const [neg, zero, pos] = ends.map(oklab);
  const table = new Array(2 * STEPS + 1);
  for (let i = 0; i <= 2 * STEPS; i++) {
    const t = i / STEPS - 1;
    const end = t < 0 ? neg : pos;
    const f = Math.abs(t);
    table[i] = hexOf(zero.map((z, k) => z + (end[k] - z) * f));
  }
  // the ends and the middle exactly as the palette has them
  [table[0], table[STEPS], table[2 * STEPS]] = ends.map((c) => c.toLowerCase());
  return table;
})();

/** The colour of `t` in [−1, 1] on the diverging scale ("#rrggbb"; clamped; nan: the nan
 * fill). */
export function colour(t) {
  if (!(t === t)) return NAN_FILL; // eslint-disable-line no-self-compare
  const i = Math.round((Math.max(-1, Math.min(1, t)) + 1) * STEPS);
  return SCALE[i];
}

/** `v` with `digits` significant digits as Python's `%.{digits}g` writes it, with a true
 * minus sign. */
export function formatNumber(v, digits = 2) {
  if (v == null || Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : `${MINUS}inf`;
  if (v === 0) return "0";
  const rounded = Number(v.toPrecision(digits));
  const e = Math.floor(Math.log10(Math.abs(rounded)) + 1e-12);
  const strip = (s) => (s.includes(".") ? s.replace(/\.?0+$/, "") : s);
  let text;
  if (e < -4 || e >= digits) {
    const mantissa = strip((rounded / 10 ** e).toFixed(digits - 1));
    text = `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  } else {
    text = strip(rounded.toFixed(Math.max(0, digits - 1 - e)));
  }
  return text.replace(/^-/, MINUS);
}

// ---------------------------------------------------------------------------------------
// Elements

function el(name, attrs, parent) {
  const node = document.createElementNS(SVG, name);
  for (const key in attrs) node.setAttribute(key, attrs[key]);
  if (parent) parent.appendChild(node);
  return node;
}

function label(parent, anchor) {
  return el(
    "text",
    { "font-family": FONT, "font-size": FONT_SIZE, fill: LABEL, "text-anchor": anchor },
    parent,
  );
}

function put(node, x, y, text) {
  node.setAttribute("x", r2(x));
  node.setAttribute("y", r2(y));
  if (node.textContent !== text) node.textContent = text;
}

const r2 = (v) => String(Math.round(v * 100) / 100);
const width = (text) => text.length * CHAR;

// The cell's rectangle: the first shape in `holder` that is not part of a picture
const CELL_SHAPE = ["polygon", "rect", "path"].map((s) => `${s}:not(.adviz-pic *)`).join(", ");
function cellShape(holder) {
  return holder.querySelector(CELL_SHAPE);
}

function boxOf(shape) {
  if (shape.localName === "polygon") {
    const nums = (shape.getAttribute("points") || "").split(/[\s,]+/).filter(Boolean).map(Number);
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let i = 0; i + 1 < nums.length; i += 2) {
      x0 = Math.min(x0, nums[i]);
      x1 = Math.max(x1, nums[i]);
      y0 = Math.min(y0, nums[i + 1]);
      y1 = Math.max(y1, nums[i + 1]);
    }
    if (x1 >= x0 && y1 >= y0) return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  }
  if (shape.localName === "rect") {
    const get = (name) => parseFloat(shape.getAttribute(name)) || 0;
    return { x: get("x"), y: get("y"), width: get("width"), height: get("height") };
  }
  const b = shape.getBBox();
  return { x: b.x, y: b.y, width: b.width, height: b.height };
}

const drawn = new WeakMap(); // holder -> {g, key, parts}

/** Draw `pic` (a dict of viz/pictures.py) in the cell rectangle inside `holder`, replacing
 * the picture drawn there before; null/undefined just clears. */
export function drawPicture(holder, pic) {
  if (!holder) return;
  const kind = pic && typeof pic === "object" ? pic.kind : null;
  let state = drawn.get(holder);
  if (state && !(holder.contains(state.g) && holder.contains(state.shape))) state = null;
  const shape = state ? state.shape : cellShape(holder);
  for (const old of holder.querySelectorAll("g.adviz-pic")) {
    if (!state || old !== state.g) old.remove();
  }
  if (!shape || !DRAW.has(kind)) {
    if (state) state.g.remove();
    drawn.delete(holder);
    return;
  }
  const box = boxOf(shape);
  const chip = box.height < CHIP_BELOW; // a compact node's picture: colours only, no labels
  const key = [kind, chip, pic.rows, pic.cols, pic.count, box.x, box.y, box.width, box.height].join(" ");
  if (!state || state.key !== key) {
    if (state) state.g.remove();
    const g = el("g", { class: "adviz-pic", "data-kind": kind, "pointer-events": "none" });
    shape.parentNode.insertBefore(g, shape.nextSibling);
    const parts = chip ? { g, box } : BUILD.get(kind)(g, box, pic);
    state = { g, key, shape, parts };
    drawn.set(holder, state);
  }
  if (chip) drawChip(state.parts, pic);
  else DRAW.get(kind)(state.parts, box, pic);
}

// ---------------------------------------------------------------------------------------
// A chip: the picture of a compact node, one row high (viz/labels.py COMPACT_PICTURE), with
// no labels; the numbers are on hover and in the node's panel. A heatmap stretched to the
// box, a sparkline or a histogram's bars in the box.

function drawChip({ g, box }, pic) {
  g.replaceChildren();
  const x0 = box.x + 1;
  const y0 = box.y + 1;
  const w = box.width - 2;
  const h = box.height - 2;
  el("rect", { x: r2(x0), y: r2(y0), width: r2(w), height: r2(h), fill: "#ffffff", stroke: LABEL, "stroke-width": 0.4 }, g);
  if (pic.kind === "heat") chipHeat(g, pic, x0, y0, w, h);
  else if (pic.kind === "maps") chipMaps(g, pic, x0, y0, w, h);
  else if (pic.kind === "line") chipLine(g, pic, x0, y0, w, h);
  else chipHist(g, pic, x0, y0, w, h);
}

function chipHeat(g, pic, x0, y0, w, h) {
  const rows = Math.max(1, pic.rows | 0);
  const cols = Math.max(1, pic.cols | 0);
  const data = Array.isArray(pic.data) ? pic.data : [];
  const limit = Number(pic.limit) || 0;
  const cw = w / cols;
  const ch = h / rows;
  const grid = el("g", { "shape-rendering": "crispEdges" }, g);
  for (let k = 0; k < rows * cols; k++) {
    const t = heatValue(data[k], limit);
    const x = x0 + (k % cols) * cw;
    const y = y0 + Math.floor(k / cols) * ch;
    el("rect", { x: r2(x), y: r2(y), width: r2(cw + 0.05), height: r2(ch + 0.05), fill: t === t ? colour(t) : NAN_FILL }, grid);
  }
}

// the first maps side by side, a hair apart, each stretched to its share of the chip
function chipMaps(g, pic, x0, y0, w, h) {
  const maps = Array.isArray(pic.data) ? pic.data.slice(0, CHIP_MAPS) : [];
  const share = w / Math.max(1, maps.length);
  maps.forEach((data, k) => {
    const one = { rows: pic.rows, cols: pic.cols, limit: pic.limit, data };
    chipHeat(g, one, x0 + k * share + (k ? 0.5 : 0), y0, share - (k ? 0.5 : 0), h);
  });
}

function chipLine(g, pic, x0, y0, w, h) {
  const data = Array.isArray(pic.data) ? pic.data.flat() : [];
  const lo = typeof pic.lo === "number" ? pic.lo : 0;
  const hi = typeof pic.hi === "number" && pic.hi > lo ? pic.hi : lo + 1;
  let d = "";
  let pen = false;
  data.forEach((v, i) => {
    if (typeof v !== "number") {
      pen = false;
      return;
    }
    const x = x0 + (data.length > 1 ? (i / (data.length - 1)) * w : w / 2);
    const y = y0 + h - ((v - lo) / (hi - lo)) * h;
    d += `${pen ? "L" : "M"}${r2(x)},${r2(y)}`;
    pen = true;
  });
  el("path", { d, fill: "none", stroke: palette.grad, "stroke-width": 1 }, g);
}

function chipHist(g, pic, x0, y0, w, h) {
  const counts = Array.isArray(pic.counts) ? pic.counts.map((c) => Math.max(0, Number(c) || 0)) : [];
  const most = Math.max(1, ...counts);
  const lo = typeof pic.lo === "number" ? pic.lo : 0;
  const span = (typeof pic.hi === "number" ? pic.hi : 1) - lo || 1;
  const bw = w / Math.max(1, counts.length);
  counts.forEach((c, k) => {
    const left = lo + (k / counts.length) * span;
    const right = lo + ((k + 1) / counts.length) * span;
    const fill = right <= 0 ? colour(-0.85) : left >= 0 ? colour(0.85) : palette.muted;
    const bh = (c / most) * h;
    el("rect", { x: r2(x0 + k * bw), y: r2(y0 + h - bh), width: r2(bw), height: r2(bh), fill }, g);
  });
}

// ---------------------------------------------------------------------------------------
// Heatmap: squares row-major, then the legend (gradient bar, −m 0 +m, nan swatch)

const heatValue = (v, limit) => {
  if (v === null || v === undefined) return NaN;
  if (typeof v === "string") return v.startsWith("-") ? -1 : 1; // ±inf
  return limit > 0 ? v / limit : 0;
};

function buildHeat(g, box, pic) {
  const rows = Math.max(1, pic.rows | 0);
  const cols = Math.max(1, pic.cols | 0);
  const room = box.width - 2 * MARGIN;
  const cell = Math.max(
    0.5,
    Math.min(
      CELL,
      HEAT_EXTENT / Math.max(rows, cols),
      room / cols,
      (box.height - 2 * MARGIN - LEGEND) / rows,
    ),
  );
  const gw = cols * cell;
  const gh = rows * cell;
  // the squares centred over the legend, both at the left of the box
  const lx = box.x + MARGIN;
  const lw = Math.min(room, Math.max(gw, MIN_WIDTH));
  const gx = lx + (lw - gw) / 2;
  const gy = box.y + MARGIN;
  const grid = el("g", { class: "adviz-pic-cells", "shape-rendering": "crispEdges" }, g);
  const cells = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      // a hair wider than the pitch so that no seam shows between squares
      cells.push(
        el(
          "rect",
          {
            x: r2(gx + j * cell),
            y: r2(gy + i * cell),
            width: r2(cell + 0.05),
            height: r2(cell + 0.05),
          },
          grid,
        ),
      );
    }
  }
  el(
    "rect",
    {
      class: "adviz-pic-frame",
      x: r2(gx),
      y: r2(gy),
      width: r2(gw),
      height: r2(gh),
      fill: "none",
      stroke: palette.cluster_border,
      "stroke-width": 0.5,
    },
    g,
  );
  return {
    cells,
    fills: new Array(cells.length).fill(null), // as last set, not read back from the DOM
    cell,
    gx,
    gy,
    cols,
    ...buildLegend(g, lx, lw, gy + gh + 3),
  };
}

// The nan hatching and the legend below the squares: a gradient bar, −m 0 +m, a nan swatch
function buildLegend(g, lx, lw, by) {
  const hatch = el(
    "path",
    { class: "adviz-pic-nan", stroke: NAN_HATCH, "stroke-width": 0.8, fill: "none" },
    g,
  );
  const bar = el("g", { class: "adviz-pic-bar", "shape-rendering": "crispEdges" }, g);
  const steps = [];
  for (let k = 0; k < BAR_STEPS; k++) {
    const fill = colour((2 * k + 1) / BAR_STEPS - 1);
    steps.push(el("rect", { y: r2(by), height: BAR, fill }, bar));
  }
  const barFrame = el(
    "rect",
    { y: r2(by), height: BAR, fill: "none", stroke: palette.cluster_border, "stroke-width": 0.5 },
    g,
  );
  const texts = el("g", { class: "adviz-pic-legend" }, g);
  const key = el("g", { class: "adviz-pic-nankey" }, g);
  const sx = lx + lw - NAN_KEY + 3;
  el("rect", { x: r2(sx), y: r2(by - 1), width: 6, height: 6, fill: NAN_FILL }, key);
  el(
    "path",
    { d: `M${r2(sx)},${r2(by + 5)}l6,-6`, stroke: NAN_HATCH, "stroke-width": 0.8, fill: "none" },
    key,
  );
  put(label(key, "start"), sx + 8, by + 5, "nan");
  return {
    hatch,
    steps,
    barFrame,
    key,
    lx,
    lw,
    by,
    low: label(texts, "start"),
    zero: label(texts, "middle"),
    high: label(texts, "end"),
  };
}

function drawHeat(parts, box, pic) {
  const data = Array.isArray(pic.data) ? pic.data : [];
  const limit = Number(pic.limit) || 0;
  const hatch = fillSquares(parts, parts.gx, parts.gy, data, limit);
  drawLegend(parts, limit, hatch);
}

// Colour `count` of `parts.cells` from cell `first` on with `data` (row-major, `parts.cols`
// across, the first square at x0, y0); returns the nan hatching path of those squares.
function fillSquares(parts, x0, y0, data, limit, first = 0, count = parts.cells.length) {
  const { cells, fills, cell, cols } = parts;
  let hatch = "";
  for (let k = 0; k < count; k++) {
    const t = heatValue(data[k], limit);
    const fill = colour(t);
    if (fills[first + k] !== fill) {
      fills[first + k] = fill;
      cells[first + k].setAttribute("fill", fill);
    }
    if (t !== t) {
      const x = x0 + (k % cols) * cell;
      const y = y0 + Math.floor(k / cols) * cell;
      hatch += `M${r2(x)},${r2(y + cell)}L${r2(x + cell)},${r2(y)}`;
    }
  }
  return hatch;
}

function drawLegend(parts, limit, hatch) {
  parts.hatch.setAttribute("d", hatch);
  // the bar leaves room for the nan swatch when there is nan
  const hasNan = hatch !== "";
  const bw = parts.lw - (hasNan ? NAN_KEY : 0);
  const step = bw / BAR_STEPS;
  parts.steps.forEach((rect, k) => {
    rect.setAttribute("x", r2(parts.lx + k * step));
    rect.setAttribute("width", r2(step + 0.05));
  });
  parts.barFrame.setAttribute("x", r2(parts.lx));
  parts.barFrame.setAttribute("width", r2(bw));
  parts.key.setAttribute("display", hasNan ? "inline" : "none");
  const y = parts.by + BAR + 8;
  const m = formatNumber(limit, 2);
  put(parts.low, parts.lx, y, limit > 0 ? MINUS + m : "");
  put(parts.zero, parts.lx + bw / 2, y, "0");
  put(parts.high, parts.lx + bw, y, limit > 0 ? `+${m}` : "");
}

// ---------------------------------------------------------------------------------------
// A grid of maps (a 4-D array): two caption lines, then rows of small heatmaps, each under
// its label (`c3`), all on one colour scale, then the heatmap's legend

function squaresOf(grid, x0, y0, rows, cols, cell, cells) {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const attrs = { x: r2(x0 + j * cell), y: r2(y0 + i * cell) };
      attrs.width = attrs.height = r2(cell + 0.05);
      cells.push(el("rect", attrs, grid));
    }
  }
}

function buildMaps(g, box, pic) {
  const rows = Math.max(1, pic.rows | 0);
  const cols = Math.max(1, pic.cols | 0);
  const count = Math.max(1, pic.count | 0);
  const across = Math.min(count, MAPS_PER_ROW);
  const down = Math.ceil(count / MAPS_PER_ROW);
  const room = box.width - 2 * MARGIN;
  const free = box.height - 2 * MARGIN - 2 * CAPTION - LEGEND - down * MAP_LABEL;
  const cell = Math.max(
    0.5,
    Math.min(
      CELL,
      MAP_EXTENT / Math.max(rows, cols),
      (room - (across - 1) * MAP_GAP) / (across * cols),
      (free - (down - 1) * MAP_GAP) / (down * rows),
    ),
  );
  const mw = Math.ceil(cols * cell);
  const mh = Math.ceil(rows * cell);
  const lx = box.x + MARGIN;
  const top = box.y + MARGIN;
  const caption = [0, 1].map((k) => {
    const t = label(g, "start");
    t.setAttribute("class", "adviz-pic-caption");
    put(t, lx, top + (k + 1) * CAPTION - 2, "");
    return t;
  });
  const grid = el("g", { class: "adviz-pic-cells", "shape-rendering": "crispEdges" }, g);
  const names = el("g", { class: "adviz-pic-maplabels" }, g);
  const cells = [];
  const origins = [];
  const labels = [];
  for (let k = 0; k < count; k++) {
    const x = lx + (k % MAPS_PER_ROW) * (mw + MAP_GAP);
    const y = top + 2 * CAPTION + Math.floor(k / MAPS_PER_ROW) * (MAP_LABEL + mh + MAP_GAP);
    labels.push(label(names, "start"));
    put(labels[k], x, y + MAP_LABEL - 2, "");
    origins.push([x, y + MAP_LABEL]);
    squaresOf(grid, x, y + MAP_LABEL, rows, cols, cell, cells);
    const frame = { x: r2(x), y: r2(y + MAP_LABEL), width: r2(cols * cell), height: r2(rows * cell) };
    el("rect", { ...frame, fill: "none", stroke: palette.cluster_border, "stroke-width": 0.5 }, g);
  }
  const bottom = top + 2 * CAPTION + down * (MAP_LABEL + mh) + (down - 1) * MAP_GAP;
  const lw = Math.min(room, Math.max(across * mw + (across - 1) * MAP_GAP, MIN_WIDTH));
  return {
    cells,
    fills: new Array(cells.length).fill(null),
    cell,
    cols,
    per: rows * cols,
    origins,
    labels,
    caption,
    ...buildLegend(g, lx, lw, bottom + 3),
  };
}

function drawMaps(parts, box, pic) {
  const maps = Array.isArray(pic.data) ? pic.data : [];
  const limit = Number(pic.limit) || 0;
  const names = Array.isArray(pic.labels) ? pic.labels : [];
  const lines = Array.isArray(pic.caption) ? pic.caption : [];
  let hatch = "";
  parts.origins.forEach(([x, y], k) => {
    const data = Array.isArray(maps[k]) ? maps[k] : [];
    hatch += fillSquares(parts, x, y, data, limit, k * parts.per, parts.per);
    const [lx, ly] = [parts.labels[k].getAttribute("x"), parts.labels[k].getAttribute("y")];
    put(parts.labels[k], Number(lx), Number(ly), String(names[k] ?? ""));
  });
  parts.caption.forEach((t, k) => {
    put(t, Number(t.getAttribute("x")), Number(t.getAttribute("y")), String(lines[k] ?? ""));
  });
  drawLegend(parts, limit, hatch);
}

// ---------------------------------------------------------------------------------------
// Sparkline and histogram: a plot, a column of y labels at its right, x labels below

function plotArea(box) {
  const room = box.width - 2 * MARGIN - LABEL_COLUMN;
  return {
    x0: box.x + MARGIN,
    x1: box.x + MARGIN + Math.max(8, Math.min(PLOT_WIDTH, room)),
    y0: box.y + MARGIN + 1,
    y1: box.y + box.height - MARGIN - TEXT_ROW,
  };
}

function buildLine(g, box) {
  const area = plotArea(box);
  const parts = {
    area,
    axis: el(
      "line",
      {
        class: "adviz-pic-zero",
        x1: r2(area.x0),
        x2: r2(area.x1),
        stroke: palette.muted,
        "stroke-width": 0.6,
        "stroke-dasharray": "2,1.5",
      },
      g,
    ),
    path: el(
      "path",
      {
        class: "adviz-pic-line",
        fill: "none",
        stroke: palette.text,
        "stroke-width": 0.9,
        "stroke-linejoin": "round",
        "stroke-linecap": "round",
      },
      g,
    ),
  };
  const tx = area.x1 + 3;
  parts.hi = label(g, "start");
  parts.lo = label(g, "start");
  parts.first = label(g, "start");
  parts.last = label(g, "end");
  parts.note = label(g, "middle");
  parts.note.setAttribute("fill", palette.nan);
  parts.tx = tx;
  return parts;
}

function drawLine(parts, box, pic) {
  const { area } = parts;
  const n = Math.max(1, pic.n | 0);
  const step = Math.max(1, pic.step | 0);
  const data = Array.isArray(pic.data) ? pic.data : [];
  let lo = typeof pic.lo === "number" ? pic.lo : 0;
  let hi = typeof pic.hi === "number" ? pic.hi : 0;
  const empty = typeof pic.lo !== "number";
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const wide = area.x1 - area.x0;
  const xs = (i) => area.x0 + (n > 1 ? (i / (n - 1)) * wide : wide / 2);
  const ys = (v) => area.y1 - ((v - lo) / (hi - lo)) * (area.y1 - area.y0);
  let d = "";
  let pen = false;
  const point = (i, v) => {
    if (typeof v !== "number") {
      pen = false;
      return;
    }
    d += `${pen ? "L" : "M"}${r2(xs(i))},${r2(ys(v))}`;
    pen = true;
  };
  if (step === 1) {
    data.forEach((v, i) => point(i, v));
  } else {
    data.forEach((pair, b) => {
      const first = b * step;
      const last = Math.min(n, first + step) - 1;
      // the bucket's two extremes, in the order they occur, at its first and second half
      const [u, v] = Array.isArray(pair) ? pair : [null, null];
      point(first + (last - first) * 0.25, u);
      point(first + (last - first) * 0.75, v);
    });
  }
  // a lone point (gaps all round) as a dot: a zero-length segment with round caps
  parts.path.setAttribute("d", d.replace(/M([\d.,-]+)(?=M|$)/g, "M$1l0.01,0"));
  if (!empty && lo <= 0 && 0 <= hi) {
    const y = r2(ys(0));
    parts.axis.setAttribute("y1", y);
    parts.axis.setAttribute("y2", y);
    parts.axis.setAttribute("display", "inline");
  } else {
    parts.axis.setAttribute("display", "none");
  }
  put(parts.hi, parts.tx, area.y0 + 6, empty ? "" : formatNumber(pic.hi, 3));
  put(parts.lo, parts.tx, area.y1, empty ? "" : formatNumber(pic.lo, 3));
  const y = area.y1 + TEXT_ROW - 2;
  put(parts.first, area.x0, y, "0");
  put(parts.last, area.x1, y, String(n - 1));
  const bad = pic.nonfinite | 0;
  put(parts.note, (area.x0 + area.x1) / 2, y, bad ? `${bad} nan/inf` : "");
}

function buildHist(g, box) {
  const area = plotArea(box);
  const bars = el("g", { class: "adviz-pic-bars", "shape-rendering": "crispEdges" }, g);
  const parts = {
    area,
    bars,
    rects: [],
    base: el(
      "line",
      {
        x1: r2(area.x0),
        x2: r2(area.x1),
        y1: r2(area.y1 + 0.3),
        y2: r2(area.y1 + 0.3),
        stroke: palette.cluster_border,
        "stroke-width": 0.6,
      },
      g,
    ),
    zeroMark: el(
      "line",
      {
        class: "adviz-pic-zero",
        y1: r2(area.y0 - 1),
        y2: r2(area.y1 + 2),
        stroke: palette.text,
        "stroke-width": 0.8,
      },
      g,
    ),
  };
  parts.top = label(g, "start");
  parts.note = label(g, "start");
  parts.note.setAttribute("fill", palette.nan);
  parts.lo = label(g, "start");
  parts.zero = label(g, "middle");
  parts.hi = label(g, "end");
  parts.tx = area.x1 + 3;
  return parts;
}

function drawHist(parts, box, pic) {
  const { area } = parts;
  const counts = Array.isArray(pic.counts)
    ? pic.counts.map((c) => Math.max(0, Number(c) || 0))
    : [];
  while (parts.rects.length < counts.length) parts.rects.push(el("rect", {}, parts.bars));
  while (parts.rects.length > counts.length) parts.rects.pop().remove();
  const most = Math.max(1, ...counts);
  const empty = typeof pic.lo !== "number" || typeof pic.hi !== "number";
  const lo = empty ? 0 : pic.lo;
  const hi = empty ? 1 : pic.hi;
  const w = (area.x1 - area.x0) / Math.max(1, counts.length);
  const gap = w > 3 ? 0.6 : 0;
  const span = hi - lo || 1;
  counts.forEach((c, k) => {
    const h = (c / most) * (area.y1 - area.y0);
    const left = lo + (k / counts.length) * span;
    const right = lo + ((k + 1) / counts.length) * span;
    // bins coloured by sign, as the heatmap: negative, positive, or across 0 (grey)
    const fill = right <= 0 ? colour(-0.85) : left >= 0 ? colour(0.85) : palette.muted;
    const rect = parts.rects[k];
    rect.setAttribute("x", r2(area.x0 + k * w + gap / 2));
    rect.setAttribute("width", r2(w - gap));
    rect.setAttribute("y", r2(area.y1 - h));
    rect.setAttribute("height", r2(h));
    rect.setAttribute("fill", fill);
  });
  const y = area.y1 + TEXT_ROW - 2;
  const loText = empty ? "" : formatNumber(lo, 3);
  const hiText = empty ? "" : formatNumber(hi, 3);
  put(parts.lo, area.x0, y, loText);
  put(parts.hi, area.x1, y, hiText);
  let zeroText = "";
  if (!empty && lo < 0 && 0 < hi) {
    const x = area.x0 + ((0 - lo) / span) * (area.x1 - area.x0);
    parts.zeroMark.setAttribute("x1", r2(x));
    parts.zeroMark.setAttribute("x2", r2(x));
    parts.zeroMark.setAttribute("display", "inline");
    // its label only where it does not run into the end labels
    if (x - CHAR > area.x0 + width(loText) + 2 && x + CHAR < area.x1 - width(hiText) - 2) {
      zeroText = "0";
    }
    put(parts.zero, x, y, zeroText);
  } else {
    parts.zeroMark.setAttribute("display", "none");
    put(parts.zero, area.x0, y, "");
  }
  put(parts.top, parts.tx, area.y0 + 6, empty ? "" : String(Math.max(...counts, 0)));
  const bad = pic.nonfinite | 0;
  put(parts.note, parts.tx, y, bad ? `+${bad} nan` : "");
}

const BUILD = new Map([
  ["heat", buildHeat],
  ["line", buildLine],
  ["hist", buildHist],
  ["maps", buildMaps],
]);
const DRAW = new Map([
  ["heat", drawHeat],
  ["line", drawLine],
  ["hist", drawHist],
  ["maps", drawMaps],
]);
