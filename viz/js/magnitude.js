// "Colour by |grad|": nodes' outlines and edges coloured by the size of the gradient (its
// root mean square), on a log scale from the smallest to the largest in the diagram, so
// that gradients vanishing or exploding along a chain (an RNN through time) show at a glance.

import { h, obj } from "./dom.js";
import palette from "../palette.json";

const STOPS = palette.magnitude; // small -> large
const SHAPES = "path, polygon, ellipse";

function mix(a, b, t) {
  const pa = [1, 3, 5].map((i) => parseInt(a.slice(i, i + 2), 16));
  const pb = [1, 3, 5].map((i) => parseInt(b.slice(i, i + 2), 16));
  const c = pa.map((v, i) => Math.round(v + (pb[i] - v) * t));
  return `rgb(${c.join(",")})`;
}

/** The colour of t in [0, 1] on the magnitude scale. */
export function scale(t) {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  return mix(STOPS[i], STOPS[i + 1], x - i);
}

/** 3e-7, 1e0, 2e1: one digit and the power of ten. */
export function fmt(v) {
  if (v === 0) return "0";
  const [digit, power] = v.toExponential(0).split("e");
  return `${digit}e${Number(power)}`;
}

/** The log scale of magnitudes `m` ({nodes, edges}): `lo` and `hi`, log10 of the smallest
 * and largest positive finite magnitude, and `t(v)`, v's place between them in [0, 1] (0
 * for none, 1 when all are alike); null when no magnitude is positive. */
export function logScale(m) {
  const values = [...Object.values(obj(m.nodes)), ...Object.values(obj(m.edges))].filter(
    (v) => Number.isFinite(v) && v > 0,
  );
  if (!values.length) return null;
  const lo = Math.log10(Math.min(...values));
  const hi = Math.log10(Math.max(...values));
  const t = (v) => (!(v > 0) ? 0 : hi - lo < 1e-9 ? 1 : (Math.log10(v) - lo) / (hi - lo));
  return { lo, hi, t };
}

export class MagnitudeView {
  constructor() {
    this.painted = [];
    this.legend = h("span", { class: "adviz-legend", hidden: true });
  }

  clear() {
    for (const el of this.painted) {
      el.style.removeProperty("stroke");
      el.style.removeProperty("stroke-width");
      el.style.removeProperty("fill");
    }
    this.painted = [];
    this.legend.hidden = true;
  }

  /** Paint `magnitudes` ({nodes: {element: rms}, edges: {edge id: rms}}) on `index`. */
  apply(index, magnitudes) {
    this.clear();
    const m = obj(magnitudes);
    const range = logScale(m);
    if (!index || !range) return;
    const { lo, hi, t } = range;
    for (const [id, v] of Object.entries(obj(m.edges))) {
      const g = index.edges.get(id);
      if (!g) continue;
      const colour = v > 0 ? scale(t(v)) : palette.muted;
      for (const el of g.querySelectorAll(SHAPES)) {
        el.style.stroke = colour;
        if (el.localName === "polygon") el.style.fill = colour;
        else el.style.strokeWidth = `${(1 + 3.5 * t(v)).toFixed(2)}px`;
        this.painted.push(el);
      }
    }
    for (const [id, v] of Object.entries(obj(m.nodes))) {
      const g = index.nodes.get(id);
      const outline = g && g.querySelector(SHAPES);
      if (!outline) continue;
      outline.style.stroke = v > 0 ? scale(t(v)) : palette.muted;
      outline.style.strokeWidth = "3px";
      this.painted.push(outline);
    }
    this.legend.replaceChildren(
      h("span", { text: `|grad| ${fmt(10 ** lo)}` }),
      h("span", { class: "adviz-legend-bar" }),
      h("span", { text: fmt(10 ** hi) }),
    );
    this.legend.querySelector(".adviz-legend-bar").style.background =
      `linear-gradient(to right, ${STOPS.join(", ")})`;
    this.legend.hidden = false;
  }
}
