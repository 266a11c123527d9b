// Search by name: the toolbar's search box marks the nodes whose names contain what is
// typed (scene.js: Scene.search), the count beside it says how many (and how many are
// inside folded groups), Enter centres the view on each match in turn, Escape empties it.

import { h, Marks } from "./dom.js";

/** What the count says of `found` matching nodes, `inFolds` of them inside folded groups. */
export function countText(found, inFolds) {
  return `${found === 1 ? "1 match" : `${found} matches`}${foldsText(inFolds)}`;
}

/** What the count says once Enter showed drawn match `at` (0-based) of `shown`. */
export function jumpText(at, shown, inFolds) {
  return `${at + 1} of ${shown} shown${foldsText(inFolds)}`;
}

const foldsText = (n) => (n ? ` (${n} inside folded groups)` : "");

export class Search {
  /** `scene`: the Scene (names, folded groups); `centerOn(el)`: shows a match. */
  constructor(scene, centerOn) {
    this.scene = scene;
    this.centerOn = centerOn;
    this.index = null;
    this.input = h("input", {
      type: "search",
      placeholder: "Search nodes…",
      "aria-label": "Search nodes by name",
      spellcheck: "false",
      autocomplete: "off",
    });
    this.count = h("span", { class: "adviz-count", "aria-live": "polite" });
    this.marks = new Marks("adviz-match");
    this.matches = []; // the drawn elements marked
    this.at = -1; // the match Enter showed last
  }

  listen() {
    const input = this.input;
    input.addEventListener("input", () => this.update());
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.update({ jump: true });
      } else if (e.key === "Escape" && input.value) {
        input.value = "";
        this.update();
        e.stopPropagation(); // the widget's Escape (unselect) waits for the next one
      }
    });
  }

  /** A new drawing (or none): its marks start empty. */
  attach(index) {
    this.index = index;
    this.marks.clear();
    this.matches = [];
  }

  /** Mark what the box asks for in the drawing; with `jump`, show the next match. */
  update({ jump = false } = {}) {
    const query = this.input.value.trim();
    if (!this.index) return;
    if (!query) return this.clear();
    const nodes = this.scene.search(query);
    const found = [...new Set(nodes.flatMap((n) => this.scene.nodeEls(n)))];
    const same = found.length === this.matches.length && found.every((g, i) => g === this.matches[i]);
    if (!same) {
      this.matches = found;
      this.at = -1;
      this.marks.set(found);
      this.index.svg.classList.add("adviz-searching");
    }
    const inFolds = nodes.filter((n) => this.scene.groupOf.has(n)).length;
    this.count.textContent = countText(nodes.length, inFolds);
    if (jump && found.length) {
      this.at = (this.at + 1) % found.length;
      this.centerOn(found[this.at]);
      this.count.textContent = jumpText(this.at, found.length, inFolds);
    }
  }

  clear() {
    this.marks.clear();
    this.index.svg.classList.remove("adviz-searching");
    this.count.textContent = "";
    this.matches = [];
    this.at = -1;
  }
}
