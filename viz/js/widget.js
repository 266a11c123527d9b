// anywidget front end of viz.widget.GraphView: draws the `dot` trait with Graphviz
// (WebAssembly, bundled: nothing is fetched at run time), patches cell text in place from
// `patches`, shows backward step `step` of `steps` without the kernel, and reports user
// input (`selected`) and timings (`render_ms`, `patch_ms`).
// Python owns the state; this module only renders it and reports back.
// Model data is only ever written with textContent, never innerHTML.
//
// What a cell shows, in layers: the DOT's own text; then every `patches` received since
// the last `dot` (the current values); then, while `step` >= 0, the step overlay: `base`
// of step 0 and the `patches` of steps 0..step.

import { instance } from "@viz-js/viz";
import { PanZoom } from "./panzoom.js";
import { injectStyles } from "./styles.js";
import { fitTexts, indexSvg, reach, sanitize, snapshot, writeCells } from "./svg.js";

let vizPromise = null;

/** The Graphviz instance, created once per page and shared by every view. */
function graphviz() {
  if (!vizPromise) {
    vizPromise = instance();
    vizPromise.catch(() => {
      vizPromise = null; // let a later render retry
    });
  }
  return vizPromise;
}

function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "hidden") el.hidden = Boolean(value);
    else el.setAttribute(key, value);
  }
  for (const child of children) el.append(child);
  return el;
}

const str = (v) => (v == null ? "" : String(v));
const obj = (v) => (v && typeof v === "object" && !Array.isArray(v) ? v : {});
const list = (v) => (Array.isArray(v) ? v : []);
const errorText = (e) => str((e && e.message) || e) || "unknown error";

/** A CSS class on a set of elements, replaced as a whole. */
class Marks {
  constructor(name) {
    this.name = name;
    this.els = new Set();
  }
  set(els) {
    for (const el of this.els) el.classList.remove(this.name);
    this.els = new Set();
    for (const el of els) {
      if (!el) continue;
      el.classList.add(this.name);
      this.els.add(el);
    }
  }
  clear() {
    this.set([]);
  }
}

async function render({ model, el }) {
  injectStyles(el);

  // ---- DOM ----
  const message = h("div", { class: "adviz-message", role: "status", hidden: true });
  const reset = h("button", { type: "button", text: "Reset view", title: "Fit the diagram" });
  const search = h("input", {
    type: "search",
    placeholder: "Search nodes…",
    "aria-label": "Search nodes by name",
    spellcheck: "false",
    autocomplete: "off",
  });
  const count = h("span", { class: "adviz-count", "aria-live": "polite" });
  const toolbar = h("div", { class: "adviz-toolbar" }, reset, search, count);
  const viewport = h("div", {
    class: "adviz-viewport",
    tabindex: "0",
    role: "group",
    "aria-label":
      "Computation graph. Drag or use the arrow keys to pan; mouse wheel or + and - to zoom; 0 resets.",
  });
  const status = h("div", { class: "adviz-loading", text: "Laying out…", hidden: true });
  const error = h("pre", { class: "adviz-error", role: "alert", hidden: true });
  viewport.append(status);
  const panelTitle = h("div", { class: "adviz-panel-title" });
  const close = h("button", { type: "button", text: "×", "aria-label": "Close details" });
  const panelBody = h("pre");
  const panel = h(
    "aside",
    { class: "adviz-panel", hidden: true, "aria-label": "Node details" },
    h("div", { class: "adviz-panel-head" }, panelTitle, close),
    panelBody,
  );
  const body = h("div", { class: "adviz-body" }, viewport, panel);
  const caption = h("div", { class: "adviz-caption", hidden: true });
  const root = h("div", { class: "adviz" }, message, toolbar, error, body, caption);
  el.replaceChildren(root);

  const view = new PanZoom(viewport);
  let index = null; // indexSvg() of the current SVG
  let selected = "";
  let renderToken = 0;
  let rendering = false; // a layout is waiting for Graphviz to load
  let received = new Map(); // field id -> cell: every `patches` since the last `dot`
  let drawn = new Map(); // field id -> cell as Graphviz drew it
  let overlay = new Map(); // field id -> cell from the backward steps shown
  let steps = []; // parsed `steps`
  let fitted = true; // false while the view was hidden when texts were to be measured
  let disposed = false;
  const marks = {
    hl: new Marks("adviz-hl"),
    current: new Marks("adviz-current"),
    pending: new Marks("adviz-pending"),
    sel: new Marks("adviz-sel"),
    up: new Marks("adviz-up"),
    down: new Marks("adviz-down"),
    match: new Marks("adviz-match"),
  };
  let matches = [];
  let matchAt = -1;

  // errors by source ("layout", "update", "steps", "widget"); a source's next success
  // clears its own error only
  const errors = new Map();
  const showError = (text, source = "layout") => {
    if (text) errors.set(source, text);
    else errors.delete(source);
    error.textContent = [...errors.values()].join("\n\n");
    error.hidden = errors.size === 0;
  };

  const report = (values) => {
    try {
      for (const [key, value] of Object.entries(values)) model.set(key, value);
      model.save_changes();
    } catch (e) {
      console.warn("adviz: could not report", values, e);
    }
  };

  // ---- traits → view ----
  const setText = (node, value) => {
    const text = str(value);
    node.textContent = text;
    node.hidden = !text;
  };
  const updateMessage = () => setText(message, model.get("message"));

  /** The backward step shown: -1 (none) or an index into `steps` (clamped). */
  function stepShown() {
    const k = Math.floor(Number(model.get("step")));
    if (!Number.isFinite(k) || k < 0 || !steps.length) return -1;
    return Math.min(k, steps.length - 1);
  }

  function updateCaption() {
    const k = stepShown();
    const own = k >= 0 ? obj(steps[k]).caption : undefined;
    setText(caption, typeof own === "string" ? own : model.get("caption"));
  }

  function updatePatches() {
    const patches = obj(model.get("patches"));
    for (const fid of Object.keys(patches)) received.set(fid, patches[fid]);
    if (!index || rendering) return;
    const t0 = performance.now();
    try {
      // cells under the step overlay keep showing the step; they show the new value when
      // the overlay lets go of them
      const entries = Object.entries(patches).filter(([fid]) => !overlay.has(fid));
      const texts = writeCells(index, entries);
      if (texts.length) fitTexts(index, texts);
    } catch (e) {
      showError(`could not update the diagram: ${errorText(e)}`, "update");
      return;
    }
    report({ patch_ms: +(performance.now() - t0).toFixed(3) });
  }

  function updateSteps() {
    let value = model.get("steps");
    try {
      if (typeof value === "string") value = value.trim() ? JSON.parse(value) : [];
      steps = list(value);
      showError("", "steps");
    } catch (e) {
      steps = [];
      showError(`could not read the backward steps: ${errorText(e)}`, "steps");
    }
    updateStep();
  }

  /** Show step `step` of `steps`: cells, highlight and caption. */
  function updateStep({ quiet = false } = {}) {
    updateCaption();
    if (!index || rendering) return;
    const t0 = performance.now();
    const k = stepShown();
    const next = new Map();
    // The last step is the full gradient: the cells then show the latest values as sent
    // (the steps of a new value may still be on their way); only earlier steps overlay them.
    if (k >= 0 && k < steps.length - 1) {
      for (const [fid, cell] of Object.entries(obj(obj(steps[0]).base))) next.set(fid, cell);
      for (let j = 0; j <= k; j++) {
        for (const [fid, cell] of Object.entries(obj(obj(steps[j]).patches))) next.set(fid, cell);
      }
    }
    const entries = [];
    for (const fid of overlay.keys()) {
      if (!next.has(fid)) entries.push([fid, received.get(fid) || drawn.get(fid)]);
    }
    entries.push(...next);
    overlay = next;
    try {
      const texts = writeCells(index, entries);
      if (texts.length) fitTexts(index, texts);
    } catch (e) {
      showError(`could not update the diagram: ${errorText(e)}`, "update");
    }
    updateHighlight();
    if (!quiet) report({ patch_ms: +(performance.now() - t0).toFixed(3) });
  }

  function updateHighlight() {
    if (!index) return;
    const k = stepShown();
    const hl = k >= 0 ? obj(steps[k]) : obj(model.get("highlight"));
    const nodes = (ids) => list(ids).map((id) => index.nodes.get(str(id)));
    marks.hl.set(nodes(hl.nodes).concat(list(hl.edges).map((id) => index.edges.get(str(id)))));
    marks.pending.set(nodes(hl.pending));
    const current = index.nodes.get(str(hl.current));
    marks.current.set([current]);
    if (current) view.ensureVisible(current);
  }

  function showDetails() {
    if (!selected) {
      panel.hidden = true;
      return;
    }
    const info = obj(obj(model.get("details"))[selected]);
    const name = (index && index.names.get(selected)) || selected;
    panelTitle.textContent = str(info.title) || name;
    const lines = list(info.lines).map(str);
    panelBody.textContent = lines.length ? lines.join("\n") : "(no details)";
    panel.hidden = false;
  }

  function select(id, { notify = true } = {}) {
    id = index && index.nodes.has(id) ? id : "";
    const changed = id !== selected;
    selected = id;
    if (!id) {
      marks.sel.clear();
      marks.up.clear();
      marks.down.clear();
    } else {
      const up = reach(index, id, index.incoming);
      const down = reach(index, id, index.outgoing);
      marks.sel.set([index.nodes.get(id)]);
      marks.up.set([...up.nodes, ...up.edges]);
      marks.down.set([...down.nodes, ...down.edges]);
    }
    showDetails();
    if (notify && (changed || str(model.get("selected")) !== id)) report({ selected: id });
  }

  function updateSearch({ jump = false } = {}) {
    const query = search.value.trim().toLowerCase();
    if (!index) return;
    if (!query) {
      marks.match.clear();
      index.svg.classList.remove("adviz-searching");
      count.textContent = "";
      matches = [];
      matchAt = -1;
      return;
    }
    const found = [];
    for (const [id, name] of index.names) {
      if (name.toLowerCase().includes(query) || id.toLowerCase() === query) {
        found.push(index.nodes.get(id));
      }
    }
    const changed = found.length !== matches.length || found.some((g, i) => g !== matches[i]);
    if (changed) {
      matches = found;
      matchAt = -1;
      marks.match.set(found);
      index.svg.classList.add("adviz-searching");
    }
    count.textContent = found.length === 1 ? "1 match" : `${found.length} matches`;
    if (jump && found.length) {
      matchAt = (matchAt + 1) % found.length;
      view.centerOn(found[matchAt]);
      count.textContent = `${matchAt + 1} of ${found.length}`;
    }
  }

  async function updateDot() {
    const token = ++renderToken;
    const dot = str(model.get("dot"));
    // a new diagram: the patches that count are those sent with it and after it
    received = new Map(Object.entries(obj(model.get("patches"))));
    if (!dot.trim()) {
      clearSvg();
      showError("");
      return;
    }
    status.hidden = false;
    rendering = true;
    let viz;
    try {
      viz = await graphviz();
    } catch (e) {
      if (token !== renderToken || disposed) return;
      rendering = false;
      status.hidden = true;
      showError(`Graphviz (WebAssembly) failed to load: ${errorText(e)}`);
      return;
    }
    if (token !== renderToken || disposed) return;
    rendering = false;
    status.hidden = true;
    const t0 = performance.now();
    let svg;
    try {
      svg = viz.renderSVGElement(dot);
    } catch (e) {
      clearSvg();
      showError(`Graphviz could not lay out this graph:\n${errorText(e)}`);
      return;
    }
    try {
      sanitize(svg);
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", "computation graph");
      const old = index && index.svg;
      if (old) old.replaceWith(svg);
      else viewport.prepend(svg);
      index = indexSvg(svg);
      view.attach(svg);
      showError("");
      showError("", "update");
    } catch (e) {
      clearSvg();
      showError(`could not show the diagram: ${errorText(e)}`);
      return;
    }
    const renderMs = performance.now() - t0;
    for (const mark of Object.values(marks)) mark.clear();
    matches = [];
    const t1 = performance.now();
    try {
      drawn = snapshot(index);
      overlay = new Map();
      writeCells(index, received);
      updateStep({ quiet: true }); // also the highlight
      fitted = fitTexts(index);
    } catch (e) {
      showError(`could not update the diagram: ${errorText(e)}`, "update");
    }
    const patchMs = performance.now() - t1;
    for (const node of index.nodes.values()) {
      node.setAttribute("tabindex", "0");
      node.setAttribute("role", "button");
    }
    updateSearch();
    // keep the selection if the node is still there
    const keep = selected || str(model.get("selected"));
    selected = "";
    select(keep, { notify: Boolean(keep) && !index.nodes.has(keep) });
    report({ render_ms: +renderMs.toFixed(3), patch_ms: +patchMs.toFixed(3) });
  }

  function clearSvg() {
    if (index && index.svg) index.svg.remove();
    index = null;
    rendering = false;
    overlay = new Map();
    drawn = new Map();
    view.detach();
    matches = [];
    status.hidden = true;
    if (selected) {
      selected = "";
      showDetails();
      report({ selected: "" });
    }
  }

  // ---- user input → model ----
  const nodeFromEvent = (e) => {
    if (!index || !e.target || !e.target.closest) return "";
    const g = e.target.closest("g.node");
    return g ? index.nodeOf.get(g) || "" : "";
  };

  const onClick = (e) => {
    if (e.target && e.target.closest && e.target.closest("a")) e.preventDefault();
    if (view.suppressClick) return;
    if (!index) return;
    const id = nodeFromEvent(e);
    select(id === selected ? "" : id);
  };
  const onNodeKey = (e) => {
    if (e.key !== "Enter" && e.key !== " ") return;
    const id = nodeFromEvent(e);
    if (!id) return;
    e.preventDefault();
    select(id === selected ? "" : id);
  };
  const onRootKey = (e) => {
    if (e.key !== "Escape") return;
    if (e.target === search) {
      if (search.value) {
        search.value = "";
        updateSearch();
        e.stopPropagation();
        return;
      }
    }
    if (selected) {
      select("");
      e.stopPropagation();
    }
  };
  viewport.addEventListener("click", onClick);
  viewport.addEventListener("keydown", onNodeKey);
  root.addEventListener("keydown", onRootKey);
  reset.addEventListener("click", () => view.reset());
  close.addEventListener("click", () => {
    select("");
    viewport.focus({ preventScroll: true });
  });
  search.addEventListener("input", () => updateSearch());
  search.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      updateSearch({ jump: true });
    }
  });

  let resizer = null;
  if (typeof ResizeObserver === "function") {
    resizer = new ResizeObserver(() => {
      view.onResize();
      if (!fitted && index && viewport.clientWidth > 0) fitted = fitTexts(index);
    });
    resizer.observe(viewport);
  }

  // ---- model events ----
  const guard = (fn) => () => {
    try {
      const out = fn();
      if (out && typeof out.catch === "function") {
        out.catch((e) => showError(`widget error: ${errorText(e)}`, "widget"));
      }
    } catch (e) {
      showError(`widget error: ${errorText(e)}`, "widget");
    }
  };
  const handlers = {
    "change:dot": guard(updateDot),
    "change:patches": guard(updatePatches),
    "change:highlight": guard(updateHighlight),
    "change:caption": guard(updateCaption),
    "change:steps": guard(updateSteps),
    "change:step": guard(() => updateStep()),
    "change:message": guard(updateMessage),
    "change:details": guard(showDetails),
    "change:selected": guard(() => {
      const id = str(model.get("selected"));
      if (id !== selected) select(id, { notify: false });
    }),
  };
  for (const [event, handler] of Object.entries(handlers)) model.on(event, handler);

  guard(updateMessage)();
  guard(updateSteps)(); // parses `steps` (nothing to draw yet)
  guard(updateDot)();

  return () => {
    disposed = true;
    for (const [event, handler] of Object.entries(handlers)) model.off(event, handler);
    if (resizer) resizer.disconnect();
  };
}

export default { render };
