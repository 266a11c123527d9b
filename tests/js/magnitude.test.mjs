// magnitude.js: the colour scale and log scale of "Colour by |grad|".
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fmt, logScale, scale } from "../../viz/js/magnitude.js";

const STOPS = JSON.parse(readFileSync(new URL("../../viz/palette.json", import.meta.url))).magnitude;
const rgb = (hex) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(",")})`;

test("scale: the palette's first stop at 0, its last at 1, clamped outside", () => {
  assert.equal(STOPS.length, 6);
  assert.equal(scale(0), rgb(STOPS[0]));
  assert.equal(scale(1), rgb(STOPS[5]));
  assert.equal(scale(-3), scale(0));
  assert.equal(scale(7), scale(1));
  assert.equal(scale(0.2), rgb(STOPS[1])); // each stop at k / 5
  assert.equal(scale(0.6), rgb(STOPS[3]));
});

test("scale: halfway between two stops, each channel halfway (rounded)", () => {
  assert.equal(scale(0.5), "rgb(201,71,121)"); // #E16462 and #B12A90
});

test("fmt: one digit and the power of ten", () => {
  assert.deepEqual([3e-7, 1, 25, 0, 0.00123, 9.6].map(fmt), ["3e-7", "1e0", "3e1", "0", "1e-3", "1e1"]);
});

test("logScale: positions between the smallest and largest positive magnitude, in log", () => {
  const s = logScale({ nodes: { n1: 0.001, n2: 0.1 }, edges: { "e1-2": 10, "e2-3": 0, "e3-4": NaN } });
  assert.deepEqual([s.lo, s.hi], [-3, 1]);
  assert.deepEqual([0.001, 0.01, 0.1, 10, 0, -1].map(s.t), [0, 0.25, 0.5, 1, 0, 0]);
});

test("logScale: all alike sit at the top; nothing positive is no scale", () => {
  assert.equal(logScale({ nodes: { n1: 2, n2: 2 } }).t(2), 1);
  assert.equal(logScale({ nodes: { n1: 0 }, edges: { e: -1 } }), null);
  assert.equal(logScale({}), null);
});
