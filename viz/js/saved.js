// The picture a saved notebook keeps (viz/saved.py): the browser's own drawing, as a
// standalone SVG that needs none of the widget's stylesheet. It is the whole diagram (not
// the zoomed view), with the colours our CSS gives marked nodes, edges and texts written
// into attributes, and without the widget's interactive attributes.

import protocol from "../protocol.json";

const NS = "http://www.w3.org/2000/svg";
const INLINE = ["fill", "stroke", "stroke-width", "opacity", "display", "stroke-dasharray", "paint-order"];
const INTERACTIVE = ["tabindex", "role", "aria-label", "focusable"];
export const MAX_PICTURE = protocol.constants.MAX_PICTURE; // characters (viz/protocol.json)

/** True for an element our stylesheet may restyle: it, or its parent, has an adviz class. */
function styled(el) {
  const has = (e) => e && e.classList && [...e.classList].some((c) => c.startsWith("adviz-"));
  return has(el) || has(el.parentNode);
}

/** `svg` (shown in the page) as one standalone SVG document of the whole diagram. */
export function pictureOf(svg, base) {
  const copy = svg.cloneNode(true);
  const from = svg.querySelectorAll("*");
  const to = copy.querySelectorAll("*");
  for (let i = 0; i < from.length && i < to.length; i++) {
    const el = to[i];
    if (styled(from[i])) {
      const style = getComputedStyle(from[i]);
      for (const name of INLINE) {
        const value = style.getPropertyValue(name);
        if (value) el.setAttribute(name, value);
      }
      if (from[i].localName === "text") {
        el.setAttribute("font-size", style.fontSize);
        el.setAttribute("font-weight", style.fontWeight);
        el.setAttribute("font-family", style.fontFamily);
      }
    }
    for (const name of INTERACTIVE) el.removeAttribute(name);
    if (el.classList.length) {
      const kept = [...el.classList].filter((c) => !c.startsWith("adviz-"));
      if (kept.length) el.setAttribute("class", kept.join(" "));
      else el.removeAttribute("class");
    }
  }
  copy.setAttribute("xmlns", NS);
  copy.setAttribute("viewBox", `${base.x} ${base.y} ${base.w} ${base.h}`);
  copy.setAttribute("width", `${base.w}pt`);
  copy.setAttribute("height", `${base.h}pt`);
  for (const name of ["style", "class", "preserveAspectRatio", "data-adviz-back"]) {
    copy.removeAttribute(name);
  }
  return new XMLSerializer().serializeToString(copy);
}
