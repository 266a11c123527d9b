// DOT to SVG with Graphviz compiled to WebAssembly (bundled: nothing is fetched at run
// time). One Graphviz instance per page, shared by every view.

import { instance } from "@viz-js/viz";
import { errorText } from "./dom.js";
import { sanitize } from "./svg.js";

let vizPromise = null;

/** The Graphviz instance, created once per page. */
export function graphviz() {
  if (!vizPromise) {
    vizPromise = instance();
    vizPromise.catch(() => {
      vizPromise = null; // let a later render retry
    });
  }
  return vizPromise;
}

/** Lay out `dot` with a loaded Graphviz: the sanitized SVG element. Throws Graphviz's own
 * message when the DOT cannot be laid out. */
export function renderSvg(viz, dot) {
  const svg = viz.renderSVGElement(dot);
  sanitize(svg);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "computation graph");
  return svg;
}

/** The page's Graphviz once loaded: {viz}, or {error} saying why it failed to load. */
export async function loadGraphviz() {
  try {
    return { viz: await graphviz() };
  } catch (e) {
    return { error: `Graphviz (WebAssembly) failed to load: ${errorText(e)}` };
  }
}

/** `dot` laid out by `viz`: {svg} (renderSvg), or {error} with Graphviz's message. */
export function layOut(viz, dot) {
  try {
    return { svg: renderSvg(viz, dot) };
  } catch (e) {
    return { error: `Graphviz could not lay out this graph:\n${errorText(e)}` };
  }
}
