// The widget's stylesheet, injected once per document (or shadow root) as one <style>.
// Colours come from viz/palette.json, the palette viz/dot.py uses too (Okabe–Ito).

import palette from "../palette.json";
import { h } from "./dom.js";

export const STYLE_ID = "adviz-style";

const CSS = `
.adviz {
  --adviz-max-height: 720px;
  position: relative;
  box-sizing: border-box;
  max-width: 100%;
  font-family: var(--jp-ui-font-family, system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif);
  font-size: 13px;
  color: #222;
}
.adviz *, .adviz *::before, .adviz *::after { box-sizing: border-box; }
.adviz [hidden] { display: none !important; }

.adviz-message {
  margin: 0 0 4px;
  color: ${palette.nan};
  font-weight: 600;
  white-space: pre-wrap;
  overflow-wrap: anywhere;
}

.adviz-toolbar {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 6px;
  margin: 0 0 4px;
}
.adviz button,
.adviz input {
  font: inherit;
  font-size: 12px;
  color: #222;
  background: #fff;
  border: 1px solid #999;
  border-radius: 4px;
  padding: 2px 8px;
  margin: 0;
}
.adviz button { cursor: pointer; }
.adviz button:hover { background: #f0f0f0; }
.adviz input[type="search"] { min-width: 12em; }
.adviz button:focus-visible,
.adviz input:focus-visible,
.adviz-viewport:focus-visible {
  outline: 2px solid ${palette.highlight};
  outline-offset: 1px;
}
.adviz-count { color: #555; font-size: 12px; }
.adviz button.adviz-toggle[aria-pressed="true"] { background: #e6f0f8; border-color: ${palette.highlight}; }
.adviz-legend { display: inline-flex; align-items: center; gap: 4px; font-size: 12px; color: #555; }
.adviz-legend-bar { display: inline-block; width: 90px; height: 10px; border-radius: 2px; }
.adviz-minimap {
  flex: none;
  align-self: flex-start;
  background: #fff;
  border: 1px solid #bbb;
  border-radius: 3px;
  cursor: crosshair;
  box-shadow: 0 1px 3px rgba(0, 0, 0, 0.15);
}

.adviz-body {
  display: flex;
  flex-wrap: wrap;
  align-items: flex-start;
  gap: 8px;
}
.adviz-viewport {
  position: relative;
  flex: 999 1 320px;
  min-width: 0;
  max-width: 100%;
  min-height: 60px;
  max-height: var(--adviz-max-height);
  overflow: hidden;
  background: #fff;
  border: 1px solid #ddd;
  border-radius: 4px;
  cursor: grab;
  touch-action: none;
  user-select: none;
  -webkit-user-select: none;
}
.adviz-viewport.adviz-dragging { cursor: grabbing; }
.adviz-viewport > svg {
  display: block;
  width: 100%;
  max-width: 100%;
}
.adviz-error {
  margin: 0 0 4px;
  padding: 6px 8px;
  background: #fff;
  border: 1px solid ${palette.nan};
  border-radius: 4px;
  color: ${palette.nan};
  font-family: var(--jp-code-font-family, ui-monospace, Menlo, Consolas, monospace);
  font-size: 12px;
  white-space: pre-wrap;
  overflow-wrap: anywhere;
}
.adviz-loading { padding: 8px; color: #777; }

.adviz-panel {
  flex: 1 1 260px;
  max-width: 100%;
  max-height: var(--adviz-max-height);
  overflow: auto;
  padding: 6px 8px;
  background: #fafafa;
  border: 1px solid #ddd;
  border-radius: 4px;
}
.adviz-panel-head {
  display: flex;
  align-items: flex-start;
  justify-content: space-between;
  gap: 6px;
}
.adviz-panel-title { font-weight: 600; overflow-wrap: anywhere; }
.adviz-panel pre {
  margin: 6px 0 0;
  font-family: var(--jp-code-font-family, ui-monospace, Menlo, Consolas, monospace);
  font-size: 12px;
  line-height: 1.35;
  white-space: pre;
  overflow: auto;
  background: transparent;
  color: #222;
}

.adviz-key {
  display: flex;
  flex-wrap: wrap;
  gap: 4px 12px;
  margin-top: 4px;
  font-size: 12px;
  color: #555;
}
.adviz-key-item { display: inline-flex; align-items: center; gap: 4px; }
.adviz-swatch {
  display: inline-block;
  width: 18px;
  height: 12px;
  border: 1.5px solid;
  border-radius: 3px;
}
.adviz-swatch-text { font-family: var(--jp-code-font-family, ui-monospace, Menlo, Consolas, monospace); font-weight: 600; }
.adviz-quiz {
  margin-top: 4px;
  padding: 6px 8px;
  border: 2px solid ${palette.current};
  border-radius: 4px;
  background: #fbf3f8;
}
.adviz-quiz-question { white-space: pre-wrap; overflow-wrap: anywhere; font-weight: 600; }
.adviz-quiz-form { display: flex; gap: 6px; margin-top: 4px; flex-wrap: wrap; }
.adviz-quiz-form input { min-width: 16em; font-family: var(--jp-code-font-family, ui-monospace, Menlo, Consolas, monospace); }
.adviz-quiz-feedback { margin-top: 4px; }
.adviz-quiz-right { color: ${palette.target}; font-weight: 600; }
.adviz-quiz-wrong { color: ${palette.nan}; font-weight: 600; }
.adviz-quiz-hint { color: #555; }
.adviz-quiz-score { margin-top: 4px; color: #444; }
.adviz-panel button.adviz-check { margin-top: 6px; }
.adviz-panel .adviz-check-result { border-top: 1px solid #ddd; margin-top: 6px; padding-top: 4px; }
.adviz-panel .adviz-check-result p {
  margin: 4px 0;
  font-size: 12px;
  white-space: normal;
  overflow-wrap: anywhere;
}
.adviz svg g.edge.adviz-back > polygon { display: none; }
.adviz svg g.edge.adviz-back > path { stroke: ${palette.grad}; stroke-width: 3px; }
.adviz svg .adviz-back-head { fill: ${palette.grad}; stroke: none; }
.adviz svg g.edge.adviz-fwd > path { stroke: ${palette.grad}; stroke-width: 3px; }
.adviz svg g.edge.adviz-fwd > polygon { fill: ${palette.grad}; stroke: ${palette.grad}; }
.adviz svg text.adviz-flow-text {
  font-family: Courier, "Courier New", "Liberation Mono", monospace;
  font-size: 11px;
  font-weight: 700;
  fill: ${palette.grad};
  stroke: #fff;
  stroke-width: 3px;
  paint-order: stroke;
}

.adviz-caption {
  margin-top: 4px;
  padding: 4px 8px;
  background: #f3f3f3;
  border-radius: 4px;
  white-space: pre-wrap;
  overflow-wrap: anywhere;
}

/* --- inside the Graphviz SVG --- */
.adviz svg g.node { cursor: pointer; }
.adviz svg g.node.adviz-group:hover > polygon,
.adviz svg g.node.adviz-group:hover > path { stroke-width: 3px; }
.adviz svg g.cluster.adviz-foldable > text { cursor: pointer; }
.adviz svg g.cluster.adviz-foldable > text:hover { text-decoration: underline; }
/* Graphviz-in-WebAssembly sizes text with built-in metrics for the names Courier,
   Helvetica/Arial and Times; draw them with those fonts or metric-compatible ones. */
.adviz svg text[font-family^="Courier" i] {
  font-family: Courier, "Courier New", "Liberation Mono", "Nimbus Mono PS", "Cousine",
    "DejaVu Sans Mono", monospace;
}
.adviz svg text[font-family^="Helvetica" i],
.adviz svg text[font-family^="Arial" i] {
  font-family: Helvetica, Arial, "Liberation Sans", "Nimbus Sans", "Arimo", sans-serif;
}
.adviz svg g.node:focus { outline: none; }
.adviz svg text.adviz-nan { fill: ${palette.nan}; }
.adviz svg text.adviz-ok-value { fill: #222222; }
.adviz svg text.adviz-ok-grad { fill: ${palette.highlight}; }

/* search */
.adviz svg.adviz-searching g.node:not(.adviz-match),
.adviz svg.adviz-searching g.edge { opacity: 0.3; }
.adviz svg g.node.adviz-match > path,
.adviz svg g.node.adviz-match > polygon,
.adviz svg g.node.adviz-match > ellipse {
  stroke: #222; stroke-width: 2.5px; stroke-dasharray: 6 3;
}

/* click: what the node depends on (upstream) and where its gradient comes from (downstream) */
.adviz svg g.node.adviz-up > path,
.adviz svg g.node.adviz-up > polygon,
.adviz svg g.node.adviz-up > ellipse { stroke: ${palette.upstream}; stroke-width: 3px; }
.adviz svg g.edge.adviz-up > path { stroke: ${palette.upstream}; stroke-width: 2.5px; }
.adviz svg g.edge.adviz-up > polygon { stroke: ${palette.upstream}; fill: ${palette.upstream}; }
.adviz svg g.node.adviz-down > path,
.adviz svg g.node.adviz-down > polygon,
.adviz svg g.node.adviz-down > ellipse { stroke: ${palette.downstream}; stroke-width: 3px; }
.adviz svg g.edge.adviz-down > path { stroke: ${palette.downstream}; stroke-width: 2.5px; }
.adviz svg g.edge.adviz-down > polygon { stroke: ${palette.downstream}; fill: ${palette.downstream}; }
.adviz svg g.node.adviz-sel > path,
.adviz svg g.node.adviz-sel > polygon,
.adviz svg g.node.adviz-sel > ellipse { stroke: #000; stroke-width: 3.5px; stroke-dasharray: none; }

/* highlight trait (set by Python) */
.adviz svg g.node.adviz-hl > path,
.adviz svg g.node.adviz-hl > polygon,
.adviz svg g.node.adviz-hl > ellipse { stroke: ${palette.highlight}; stroke-width: 3px; stroke-dasharray: none; }
.adviz svg g.edge.adviz-hl > path { stroke: ${palette.highlight}; stroke-width: 3.5px; }
.adviz svg g.edge.adviz-hl > polygon { stroke: ${palette.highlight}; fill: ${palette.highlight}; }
.adviz svg g.node.adviz-pending [id$="-grad"] { opacity: 0.35; }
.adviz svg g.node.adviz-current > path,
.adviz svg g.node.adviz-current > polygon,
.adviz svg g.node.adviz-current > ellipse { stroke: ${palette.current}; stroke-width: 5px; stroke-dasharray: none; }

.adviz svg g.node:focus-visible > path,
.adviz svg g.node:focus-visible > polygon,
.adviz svg g.node:focus-visible > ellipse { stroke: ${palette.highlight}; stroke-width: 3px; stroke-dasharray: 2 2; }
`;

/** The key under the diagram: what fills, outlines and arrows mean. */
export function legend() {
  const item = (text, style, sample = "") => {
    const swatch = h("span", { class: sample ? "adviz-swatch-text" : "adviz-swatch", style, text: sample });
    return h("span", { class: "adviz-key-item" }, swatch, text);
  };
  return h(
    "div",
    { class: "adviz-key", "aria-label": "Legend" },
    item("variable", `background:${palette.variable_fill};border-color:${palette.variable_border}`),
    item("constant", `background:${palette.constant_fill};border-color:${palette.constant_border}`),
    item("operation", `background:${palette.op_fill};border-color:${palette.op_border}`),
    item("folded group", `background:${palette.group_fill};border-color:${palette.group_border}`),
    item("target", `background:#fff;border:3px solid ${palette.target}`),
    item("current step", `background:#fff;border:3px solid ${palette.current}`),
    flowItem(item("gradient (sent back along the arrow)", `color:${palette.grad}`, "← 0.5")),
  );
}

function flowItem(el) {
  el.classList.add("adviz-key-flow");
  return el;
}

/** The legend's flow item for backprop (gradients sent back) or forward mode (tangents
 * sent along the arrows). */
export function legendFlow(key, forward) {
  const el = key && key.querySelector(".adviz-key-flow");
  if (!el) return;
  el.firstChild.textContent = forward ? "0.5 →" : "← 0.5";
  el.lastChild.textContent = forward ? "tangent (sent along the arrow)" : "gradient (sent back along the arrow)";
}

const styled = new WeakSet();

function inject(root) {
  if (!root || styled.has(root)) return;
  const host = root === document ? document.head : root;
  if (!host) return;
  if (!host.querySelector(`style#${STYLE_ID}`)) {
    const style = document.createElement("style");
    style.id = STYLE_ID;
    style.textContent = CSS;
    host.appendChild(style);
  }
  styled.add(root);
}

/** Add the stylesheet to the document, and to `el`'s shadow root if it lives in one. */
export function injectStyles(el) {
  inject(document);
  const check = () => {
    const root = el.getRootNode && el.getRootNode();
    if (typeof ShadowRoot !== "undefined" && root instanceof ShadowRoot) inject(root);
  };
  check();
  // `el` may not be attached yet when render() runs
  if (typeof requestAnimationFrame === "function") requestAnimationFrame(check);
}
