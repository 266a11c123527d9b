// anywidget front end of viz.widget.GraphView. Python owns the state in traits; this module
// renders them and reports user input (`selected`, `folded`, `color_by`) and timings
// (`render_ms`, `patch_ms`). Its parts, one job each:
//   layout.js (DOT -> SVG), svg.js (reading and writing the SVG), scene.js (graph nodes ->
//   drawn elements), panzoom.js (the view), detail.js (the level of detail: fit, zoom),
//   minimap.js, steps.js (backward steps),
//   magnitude.js (colour by |grad|), pictures.js (tensors as pictures), styles.js.
//
// What a cell shows, in layers: the DOT's own text; then every `patches` received since
// the last `dot` (the current values); then, while `step` >= 0, the step overlay.

import { errorText, h, list, Marks, obj, str } from "./dom.js";
import { graphviz, renderSvg } from "./layout.js";
import { MagnitudeView } from "./magnitude.js";
import { Flows } from "./flows.js";
import { Minimap } from "./minimap.js";
import { Detail } from "./detail.js";
import { PanZoom } from "./panzoom.js";
import { drawPicture } from "./pictures.js";
import { Quiz } from "./quiz.js";
import { MAX_PICTURE, pictureOf } from "./saved.js";
import { Scene } from "./scene.js";
import { Steps } from "./steps.js";
import { injectStyles, legend, legendFlow } from "./styles.js";
import { fitTexts, indexSvg, reach, setTitle, snapshot, writeCells } from "./svg.js";

const PICTURE_DELAY = 1500;
const REST = "grest"; // the node standing for what a very big diagram does not draw // ms of rest before the drawing is sent for saved notebooks
const ADOPT_WINDOW = 20000; // ms after sending it in which a re-render may adopt the view

function buildDom() {
  const message = h("div", { class: "adviz-message", role: "status", hidden: true });
  const reset = h("button", { type: "button", text: "Reset view", title: "Back to the first view" });
  const colour = h("button", {
    type: "button",
    class: "adviz-toggle",
    text: "Colour by |grad|",
    "aria-pressed": "false",
    title: "Colour nodes and edges by the size of their gradient (log scale)",
  });
  const search = h("input", {
    type: "search",
    placeholder: "Search nodes…",
    "aria-label": "Search nodes by name",
    spellcheck: "false",
    autocomplete: "off",
  });
  const count = h("span", { class: "adviz-count", "aria-live": "polite" });
  const toolbar = h("div", { class: "adviz-toolbar" }, reset, colour, search, count);
  const viewport = h("div", {
    class: "adviz-viewport",
    tabindex: "0",
    role: "group",
    "aria-label":
      "Computation graph. Drag or use the arrow keys to pan; mouse wheel or + and - to zoom; 0 resets. Click a folded node to unfold it, a cluster's title to fold it.",
  });
  const status = h("div", { class: "adviz-loading", text: "Laying out…", hidden: true });
  const error = h("pre", { class: "adviz-error", role: "alert", hidden: true });
  viewport.append(status);
  const panelTitle = h("div", { class: "adviz-panel-title" });
  const close = h("button", { type: "button", text: "×", "aria-label": "Close details" });
  const panelBody = h("pre");
  const checkButton = h("button", {
    type: "button",
    class: "adviz-check",
    text: "Check this gradient",
    title: "Compare with central differences, (f(x+h) - f(x-h)) / 2h, by replaying the graph",
    hidden: true,
  });
  const checkBody = h("div", { class: "adviz-check-result", hidden: true });
  const panel = h(
    "aside",
    { class: "adviz-panel", hidden: true, "aria-label": "Node details" },
    h("div", { class: "adviz-panel-head" }, panelTitle, close),
    panelBody,
    checkButton,
    checkBody,
  );
  const body = h("div", { class: "adviz-body" }, viewport, panel);
  const caption = h("div", { class: "adviz-caption", hidden: true });
  const key = legend();
  const root = h("div", { class: "adviz" }, message, toolbar, error, body, caption, key);
  return {
    ...{ root, message, reset, colour, search, count, toolbar, viewport, status, error },
    ...{ panel, panelTitle, panelBody, close, caption, checkButton, checkBody, key },
  };
}

/** The lines of "check this gradient" as blocks: its table (the header and one row per
 * element) in columns that keep their alignment, and its sentences (what was checked, the
 * verdict) wrapped to the panel's width. */
function checkBlocks(lines) {
  const blocks = [];
  for (const line of lines) {
    const table = /^(element\s|\[|\()/.test(line); // the header, "[0, 1]", "(scalar)"
    const last = blocks[blocks.length - 1];
    if (table && last && last.localName === "pre") last.textContent += `\n${line}`;
    else blocks.push(h(table ? "pre" : "p", { text: line }));
  }
  return blocks;
}

class GraphWidget {
  constructor(model, el) {
    this.model = model;
    this.dom = buildDom();
    el.replaceChildren(this.dom.root);
    this.view = new PanZoom(this.dom.viewport);
    this.minimap = new Minimap(this.dom.viewport, this.view);
    this.view.onChange = () => this.minimap.draw();
    this.detail = new Detail(
      this.view,
      (message) => this.model.send(message),
      () => this.model.get("drawn"),
    );
    this.view.onZoom = (factor, px, py) => {
      if (!this.rendering) this.detail.zoomed(this.index, factor, px, py);
    };
    this.opened = new Set(); // keys of the groups a backward step asked to unfold
    this.followAfterLayout = false; // the next drawing keeps the current step's op in view
    this.view.focus = () => this.scene.nodeEls(this.scene.nodeOfElement(this.scene.focus))[0]
      || (this.index && this.index.nodes.get(this.scene.focus));
    this.magnitude = new MagnitudeView();
    this.dom.toolbar.append(this.magnitude.legend);
    this.scene = new Scene();
    this.steps = new Steps();
    this.flows = new Flows();
    this.quiz = new Quiz((answers) => this.report({ quiz_answers: answers }));
    this.quiz.asks = (k) => Boolean(obj(this.steps.step(k)).question);
    this.quiz.stepAt = (k) => this.steps.step(k);
    this.dom.caption.before(this.quiz.root);
    this.index = null;
    this.selected = "";
    this.renderToken = 0;
    this.foldFocus = null; // the container key a click just folded or unfolded
    this.rendering = false; // a layout is waiting for Graphviz to load
    this.received = new Map(); // cell id -> cell: every `patches` since the last `dot`
    this.drawnCells = new Map(); // cell id -> cell as Graphviz drew it
    this.overlay = new Map(); // cell id -> cell from the backward step shown
    this.fitted = true; // false while the view was hidden when texts were to be measured
    this.disposed = false;
    this.errors = new Map(); // by source ("layout", "update", "steps", "widget")
    this.marks = Object.fromEntries(
      ["hl", "current", "pending", "sel", "up", "down", "match"].map((m) => [m, new Marks(`adviz-${m}`)]),
    );
    this.matches = [];
    this.matchAt = -1;
    this.el = el; // the host element of the view showing this widget now
    this.picture = ""; // the drawing last sent to the kernel for saved notebooks
    this.pictureTimer = null;
    this.pictureSentAt = -Infinity;
  }

  // ---- reporting ----
  /** Send the drawing to the kernel (viz/saved.py) once the view has rested a while. */
  schedulePicture() {
    clearTimeout(this.pictureTimer);
    this.pictureTimer = setTimeout(() => this.guard(() => this.sendPicture())(), PICTURE_DELAY);
  }

  sendPicture() {
    if (!this.index || this.rendering || this.disposed || !this.view.base) return;
    const svg = pictureOf(this.index.svg, this.view.base);
    if (svg === this.picture || svg.length > MAX_PICTURE) return;
    this.picture = svg;
    this.pictureSentAt = performance.now();
    this.model.send({ picture: svg });
  }

  /** Whether a front end that re-renders this output (after the kernel put the picture
   * into it) may hand this widget's view to the new one instead of drawing it again. */
  adoptable() {
    return !this.disposed && !this.dom.root.isConnected &&
      performance.now() - this.pictureSentAt < ADOPT_WINDOW;
  }

  /** Show this widget's view in `el` (a re-rendered output), keeping zoom and state. */
  moveTo(el) {
    this.el = el;
    el.replaceChildren(this.dom.root);
  }
  showError(text, source = "layout") {
    if (text) this.errors.set(source, text);
    else this.errors.delete(source);
    this.dom.error.textContent = [...this.errors.values()].join("\n\n");
    this.dom.error.hidden = this.errors.size === 0;
  }

  report(values) {
    try {
      for (const [key, value] of Object.entries(values)) this.model.set(key, value);
      this.model.save_changes();
    } catch (e) {
      console.warn("adviz: could not report", values, e);
    }
  }

  setText(node, value) {
    node.textContent = str(value);
    node.hidden = !node.textContent;
  }

  // ---- traits -> view ----
  updateMessage() {
    this.setText(this.dom.message, this.model.get("message"));
  }

  updateCaption() {
    const k = this.steps.shown(this.model.get("step"));
    this.quiz.show(k, this.steps.step(k), this.steps.length);
    const own = this.quiz.revealed(k) ? this.steps.caption(k) : "";
    this.setText(this.dom.caption, own);
  }

  /** Read the quiz traits (mode and progress). */
  readQuiz() {
    this.quiz.enabled = Boolean(this.model.get("quiz"));
    this.quiz.setAnswers(this.model.get("quiz_answers"));
  }

  updateQuiz() {
    this.readQuiz();
    this.updateStep({ quiet: true, follow: false });
  }

  /** The cells shown over the diagram at step k. In quiz mode a step not yet revealed
   * shows the step before it, and a "?" for the gradient it asks about. */
  stepCells(k) {
    if (this.quiz.revealed(k)) return this.steps.overlay(k, this.quiz.enabled && k >= 0);
    const cells = this.steps.overlay(k - 1, true);
    const current = str(this.steps.step(k).current);
    if (current) cells.set(`${current}-grad`, { lines: ["grad: ?"], nan: false });
    return cells;
  }

  write(entries) {
    const texts = writeCells(this.index, entries, drawPicture);
    if (texts.length) fitTexts(this.index, texts);
  }

  /** New cells: the whole `patches` trait, or (`delta`) the cells a custom message says
   * changed while a slider moves. Cells showing the same content already are skipped. */
  updatePatches(delta = null) {
    const patches = obj(delta || this.model.get("patches"));
    for (const fid of Object.keys(patches)) this.received.set(fid, patches[fid]);
    if (!this.index || this.rendering) return;
    const t0 = performance.now();
    try {
      // cells under the step overlay keep showing the step until it lets go of them
      this.write(Object.entries(patches).filter(([fid]) => !this.overlay.has(fid)));
    } catch (e) {
      this.showError(`could not update the diagram: ${errorText(e)}`, "update");
      return;
    }
    this.report({ patch_ms: +(performance.now() - t0).toFixed(3) });
    this.schedulePicture();
  }

  updateSteps() {
    try {
      this.steps.set(this.model.get("steps"));
      legendFlow(this.dom.key, this.steps.forward);
      this.showError("", "steps");
    } catch (e) {
      this.steps.set([]);
      this.showError(`could not read the backward steps: ${errorText(e)}`, "steps");
    }
    this.updateStep();
  }

  /** Show step `step`: cells, marks and caption. */
  updateStep({ quiet = false, follow = true, open = false } = {}) {
    this.updateCaption();
    if (!this.index || this.rendering) return;
    const t0 = performance.now();
    const next = this.stepCells(this.steps.shown(this.model.get("step")));
    const entries = [];
    for (const fid of this.overlay.keys()) {
      if (!next.has(fid)) entries.push([fid, this.received.get(fid) || this.drawnCells.get(fid)]);
    }
    entries.push(...next);
    this.overlay = next;
    try {
      this.write(entries);
    } catch (e) {
      this.showError(`could not update the diagram: ${errorText(e)}`, "update");
    }
    this.updateHighlight({ follow, open });
    if (!quiet) this.report({ patch_ms: +(performance.now() - t0).toFixed(3) });
    this.schedulePicture();
  }

  updateHighlight({ follow = true, open = false } = {}) {
    if (!this.index) return;
    const k = this.steps.shown(this.model.get("step"));
    const hl = k >= 0 ? this.steps.marks(k) : {};
    const scene = this.scene;
    const els = (ids) => list(ids).flatMap((id) => scene.nodeEls(str(id)));
    const edges = list(hl.edges).map((e) => scene.edgeEl(e[0], e[1]));
    this.marks.hl.set(els(hl.nodes).concat(edges));
    this.marks.pending.set(els(hl.pending));
    if (open && k > 0) this.openForStep(str(hl.current)); // the reader moved the step
    const current = els([hl.current]);
    this.marks.current.set(current);
    this.minimap.mark(current);
    const flows = k >= 0 && this.quiz.revealed(k) ? this.steps.flows(k) : [];
    this.flows.show(
      this.index.svg,
      flows.map(([tail, head, text]) => [scene.edgeEl(tail, head), str(text)]).filter(([e]) => e),
      this.steps.forward,
    );
    if (follow && current.length) this.view.ensureVisible(current[0]);
  }

  /** The current op of a backward step is drawn unfolded: when it sits in a folded scope
   * or run, that group is unfolded (the kernel answers with a new drawing, which follows
   * the op). A folded line of code shows its op inside, in its expression; and where no
   * kernel answers (an exported page), the group itself is marked. */
  openForStep(current) {
    const group = this.scene.groupOf.get(Number(current.replace(/^n/, "")));
    const key = group ? str(this.scene.groupKey.get(group)) : "";
    if (!key || key.startsWith("line:") || group === REST || this.opened.has(key)) return;
    this.opened.add(key); // asked once: an exported page has no kernel to answer
    this.followAfterLayout = true;
    const folded = list(this.model.get("folded")).map(str).filter((k) => k !== key);
    this.report({ folded });
  }

  showDetails() {
    const { panel, panelTitle, panelBody } = this.dom;
    if (!this.selected) {
      panel.hidden = true;
      return;
    }
    const node = this.scene.nodeOfElement(this.selected) || this.selected;
    const info = obj(obj(this.model.get("details"))[node]);
    const name = (this.index && this.index.names.get(this.selected)) || this.selected;
    panelTitle.textContent = str(info.title) || name;
    const lines = list(info.lines).map(str);
    panelBody.textContent = lines.length ? lines.join("\n") : "(loading details…)";
    const checked = list(info.check).map(str);
    const { checkButton, checkBody } = this.dom;
    checkButton.hidden = !info.checkable || checked.length > 0;
    checkButton.disabled = false;
    checkButton.textContent = "Check this gradient";
    checkBody.replaceChildren(...checkBlocks(checked));
    checkBody.hidden = !checked.length;
    panel.hidden = false;
  }

  /** Ask the kernel to check the selected node's gradient by central differences. */
  askCheck() {
    const node = this.scene.nodeOfElement(this.selected);
    if (!node) return;
    this.dom.checkButton.disabled = true;
    this.dom.checkButton.textContent = "Checking…";
    this.model.send({ check: node });
  }

  select(id, { notify = true } = {}) {
    const index = this.index;
    id = index && index.nodes.has(id) ? id : "";
    const node = this.scene.nodeOfElement(id);
    const changed = node !== this.scene.nodeOfElement(this.selected);
    this.selected = id;
    if (!id) {
      for (const m of ["sel", "up", "down"]) this.marks[m].clear();
    } else {
      const up = reach(index, id, index.incoming);
      const down = reach(index, id, index.outgoing);
      this.marks.sel.set(node ? this.scene.nodeEls(node) : [index.nodes.get(id)]);
      this.marks.up.set([...up.nodes, ...up.edges]);
      this.marks.down.set([...down.nodes, ...down.edges]);
    }
    this.showDetails();
    if (notify && (changed || str(this.model.get("selected")) !== node)) {
      this.report({ selected: node });
    }
  }

  updateSearch({ jump = false } = {}) {
    const { search, count } = this.dom;
    const query = search.value.trim();
    if (!this.index) return;
    if (!query) {
      this.marks.match.clear();
      this.index.svg.classList.remove("adviz-searching");
      count.textContent = "";
      this.matches = [];
      this.matchAt = -1;
      return;
    }
    const nodes = this.scene.search(query);
    const found = [...new Set(nodes.flatMap((n) => this.scene.nodeEls(n)))];
    const same = found.length === this.matches.length && found.every((g, i) => g === this.matches[i]);
    if (!same) {
      this.matches = found;
      this.matchAt = -1;
      this.marks.match.set(found);
      this.index.svg.classList.add("adviz-searching");
    }
    const hidden = nodes.filter((n) => this.scene.groupOf.has(n)).length;
    const inFolds = hidden ? ` (${hidden} inside folded groups)` : "";
    count.textContent = `${nodes.length === 1 ? "1 match" : `${nodes.length} matches`}${inFolds}`;
    if (jump && found.length) {
      this.matchAt = (this.matchAt + 1) % found.length;
      this.view.centerOn(found[this.matchAt]);
      count.textContent = `${this.matchAt + 1} of ${found.length} shown${inFolds}`;
    }
  }

  updateMagnitudes() {
    const on = str(this.model.get("color_by")) === "grad";
    this.dom.colour.setAttribute("aria-pressed", String(on));
    if (!on || !this.index) this.magnitude.clear();
    else this.magnitude.apply(this.index, this.model.get("magnitudes"));
    this.schedulePicture();
  }

  async updateDot() {
    const token = ++this.renderToken;
    const dot = str(this.model.get("dot"));
    this.scene.setDrawn(this.model.get("drawn"));
    // a new diagram: the patches that count are those sent with it and after it
    this.received = new Map(Object.entries(obj(this.model.get("patches"))));
    if (!dot.trim()) {
      this.clearSvg();
      this.showError("");
      return;
    }
    this.dom.status.hidden = false;
    this.rendering = true;
    let viz;
    try {
      viz = await graphviz();
    } catch (e) {
      if (token !== this.renderToken || this.disposed) return;
      this.rendering = false;
      this.dom.status.hidden = true;
      this.showError(`Graphviz (WebAssembly) failed to load: ${errorText(e)}`);
      return;
    }
    if (token !== this.renderToken || this.disposed) return;
    this.rendering = false;
    this.dom.status.hidden = true;
    const t0 = performance.now();
    let svg;
    try {
      svg = renderSvg(viz, dot);
    } catch (e) {
      this.clearSvg();
      this.showError(`Graphviz could not lay out this graph:\n${errorText(e)}`);
      return;
    }
    this.attach(svg);
    const renderMs = performance.now() - t0;
    const t1 = performance.now();
    this.paint();
    const patchMs = performance.now() - t1;
    this.report({ render_ms: +renderMs.toFixed(3), patch_ms: +patchMs.toFixed(3) });
  }

  /** Put a new SVG in place and index it. */
  attach(svg) {
    const old = this.index && this.index.svg;
    if (old) old.replaceWith(svg);
    else this.dom.viewport.prepend(svg);
    this.index = indexSvg(svg);
    this.scene.setIndex(this.index);
    for (const mark of Object.values(this.marks)) mark.clear();
    this.matches = [];
    for (const node of this.index.nodes.values()) {
      node.setAttribute("tabindex", "0");
      node.setAttribute("role", "button");
      const id = this.index.nodeOf.get(node);
      if (this.scene.groupKey.has(id)) {
        node.classList.add("adviz-group");
        this.describeGroup(node, id);
      }
    }
    for (const cluster of this.index.clusters.values()) {
      if (this.scene.clusterKey.has(cluster.id)) cluster.classList.add("adviz-foldable");
    }
    this.showError("");
    this.showError("", "update");
  }

  /** A folded group answers hovering with what it holds (its details' summary), in its
   * SVG <title>. */
  describeGroup(node, id) {
    const info = obj(obj(this.model.get("details"))[id]);
    const lines = list(info.lines).map(str);
    if (lines.length) setTitle(node, [str(info.title), ...lines].join("\n"));
  }

  /** Everything drawn over a new SVG: cells, step, marks, view, minimap, selection. */
  paint() {
    try {
      this.drawnCells = snapshot(this.index);
      this.overlay = new Map();
      this.write(this.received);
      this.fitted = fitTexts(this.index);
      this.view.attach(this.index.svg);
      this.showFoldFocus();
      this.detail.shown(this.index);
      this.updateStep({ quiet: true, follow: this.followAfterLayout }); // and the highlight
      this.followAfterLayout = false;
      this.minimap.measure(this.index);
      this.updateMagnitudes();
    } catch (e) {
      this.showError(`could not update the diagram: ${errorText(e)}`, "update");
    }
    this.updateSearch();
    this.schedulePicture();
    const keep = this.selected || str(this.model.get("selected"));
    this.selected = "";
    const el = keep && !this.index.nodes.has(keep) ? this.scene.nodeEls(keep)[0] : null;
    this.select(el ? this.index.nodeOf.get(el) : keep, { notify: false });
  }

  /** After a click folded or unfolded a container, centre the view on it (its cluster, or
   * the node it folded into) instead of the first view. */
  showFoldFocus() {
    const key = this.foldFocus;
    this.foldFocus = null;
    if (!key) return;
    const scene = this.scene;
    const cluster = [...scene.clusterKey].find(([, k]) => k === key);
    const group = [...scene.groupKey].find(([, k]) => k === key);
    const el = cluster
      ? this.index.clusters.get(cluster[0])
      : group && this.index.nodes.get(group[0]);
    if (el) this.view.centerOn(el, { top: Boolean(cluster) });
  }

  clearSvg() {
    if (this.index && this.index.svg) this.index.svg.remove();
    this.index = null;
    this.scene.setIndex(null);
    this.rendering = false;
    this.overlay = new Map();
    this.drawnCells = new Map();
    this.view.detach();
    this.matches = [];
    this.dom.status.hidden = true;
    if (this.selected) {
      this.selected = "";
      this.showDetails();
      this.report({ selected: "" });
    }
  }

  // ---- user input -> model ----
  nodeFromEvent(e) {
    if (!this.index || !e.target || !e.target.closest) return "";
    const g = e.target.closest("g.node");
    return g ? this.index.nodeOf.get(g) || "" : "";
  }

  /** Fold or unfold a container by its key (Python answers with a new `dot`). */
  toggleFold(key, fold) {
    this.foldFocus = key; // the next layout shows what was clicked
    const folded = new Set(list(this.model.get("folded")).map(str));
    if (fold) folded.add(key);
    else folded.delete(key);
    this.report({ folded: [...folded].sort() });
  }

  /** A click: a folded scope or run unfolds; a folded line of code shows its tensor's
   * panel first, and unfolds into its ops on a second click; a node is (de)selected. */
  activate(id) {
    const key = this.scene.groupKey.get(id);
    const line = key && key.startsWith("line:");
    if (key && (!line || id === this.selected)) this.toggleFold(key, false);
    else this.select(id === this.selected ? "" : id);
  }

  onClick(e) {
    if (e.target && e.target.closest && e.target.closest("a")) e.preventDefault();
    if (this.view.suppressClick || !this.index) return;
    const cluster = e.target && e.target.closest && e.target.closest("g.cluster");
    if (cluster && e.target.localName === "text" && this.scene.clusterKey.has(cluster.id)) {
      this.toggleFold(this.scene.clusterKey.get(cluster.id), true);
      return;
    }
    const id = this.nodeFromEvent(e);
    if (id) this.activate(id);
    else this.select("");
  }

  listen() {
    const { viewport, root, reset, colour, search, close } = this.dom;
    viewport.addEventListener("click", (e) => this.onClick(e));
    viewport.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" && e.key !== " ") return;
      const id = this.nodeFromEvent(e);
      if (!id) return;
      e.preventDefault();
      this.activate(id);
    });
    root.addEventListener("keydown", (e) => {
      if (e.key !== "Escape") return;
      if (e.target === search && search.value) {
        search.value = "";
        this.updateSearch();
        e.stopPropagation();
        return;
      }
      if (this.selected) {
        this.select("");
        e.stopPropagation();
      }
    });
    reset.addEventListener("click", () => this.view.reset());
    this.dom.checkButton.addEventListener("click", () => this.askCheck());
    colour.addEventListener("click", () =>
      this.report({ color_by: str(this.model.get("color_by")) === "grad" ? "" : "grad" }),
    );
    close.addEventListener("click", () => {
      this.select("");
      viewport.focus({ preventScroll: true });
    });
    search.addEventListener("input", () => this.updateSearch());
    search.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.updateSearch({ jump: true });
      }
    });
    if (typeof ResizeObserver === "function") {
      this.resizer = new ResizeObserver(() => {
        this.view.onResize();
        if (!this.fitted && this.index && viewport.clientWidth > 0) {
          this.fitted = fitTexts(this.index);
          this.view.reset();
          this.minimap.measure(this.index);
        }
      });
      this.resizer.observe(viewport);
    }
  }

  // ---- model events ----
  guard(fn) {
    return () => {
      try {
        const out = fn();
        if (out && typeof out.catch === "function") {
          out.catch((e) => this.showError(`widget error: ${errorText(e)}`, "widget"));
        }
      } catch (e) {
        this.showError(`widget error: ${errorText(e)}`, "widget");
      }
    };
  }

  connect() {
    const handlers = {
      "change:dot": () => this.updateDot(),
      "change:patches": () => this.updatePatches(),
      "change:steps": () => this.updateSteps(),
      "change:step": () => this.updateStep({ open: true }),
      "change:message": () => this.updateMessage(),
      "change:details": () => this.showDetails(),
      "change:color_by": () => this.updateMagnitudes(),
      "change:quiz": () => this.updateQuiz(),
      "change:quiz_answers": () => this.updateQuiz(),
      "change:magnitudes": () => this.updateMagnitudes(),
      "change:selected": () => {
        const node = str(this.model.get("selected"));
        if (node !== this.scene.nodeOfElement(this.selected)) {
          const el = this.scene.nodeEls(node)[0];
          this.select(el ? this.index.nodeOf.get(el) : "", { notify: false });
        }
      },
    };
    this.handlers = Object.entries(handlers).map(([event, fn]) => [event, this.guard(fn)]);
    const onMessage = (msg) => {
      if (msg && typeof msg === "object" && msg.patches) this.updatePatches(msg.patches);
    };
    this.handlers.push(["msg:custom", (msg) => this.guard(() => onMessage(msg))()]);
    for (const [event, handler] of this.handlers) this.model.on(event, handler);
    this.guard(() => this.updateMessage())();
    this.readQuiz();
    this.guard(() => this.updateSteps())(); // parses `steps` (nothing to draw yet)
    this.guard(() => this.updateDot())();
  }

  dispose() {
    this.disposed = true;
    clearTimeout(this.pictureTimer);
    for (const [event, handler] of this.handlers) this.model.off(event, handler);
    if (this.resizer) this.resizer.disconnect();
  }
}

const live = new Map(); // the model's `_key` -> its GraphWidgets (each view gets its own proxy)

async function render({ model, el }) {
  injectStyles(el);
  const key = str(model.get("_key")) || `adviz-${Math.random()}`; // none: adopt nothing
  const widgets = live.get(key) || new Set();
  live.set(key, widgets);
  // JupyterLab re-renders an output whose display was updated (the picture joined it) by
  // emptying it and asking for a new view: the view just emptied out is handed over whole
  let widget = [...widgets].find((w) => w.adoptable());
  if (widget) widget.moveTo(el);
  else {
    widget = new GraphWidget(model, el);
    widget.listen();
    widget.connect();
    widgets.add(widget);
  }
  return () => {
    if (widget.el !== el) return; // handed over to a newer view
    widget.dispose();
    widgets.delete(widget);
    if (!widgets.size) live.delete(key);
  };
}

export default { render };
