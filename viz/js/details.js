// Selection and the details panel. A clicked node is selected: it is marked, with what it
// depends on (upstream) and where its gradient comes from (downstream); the panel beside
// the diagram shows its details (the `details` trait, by graph node); and "Check this
// gradient" asks the kernel (viz/check.py) to compare it with central differences, whose
// table and verdict the panel then shows. The selection is reported in `selected`.

import { h, list, Marks, obj, str } from "./dom.js";
import { reach } from "./svg.js";

/** The lines of "check this gradient" as blocks: its table (the header and one row per
 * element) in `pre` blocks that keep their columns aligned, and its sentences (what was
 * checked, the verdict) in `p` blocks wrapped to the panel's width. [{tag, text}] */
export function checkBlocks(lines) {
  const blocks = [];
  for (const line of lines) {
    const table = /^(element\s|\[|\()/.test(line); // the header, "[0, 1]", "(scalar)"
    const last = blocks[blocks.length - 1];
    if (table && last && last.tag === "pre") last.text += `\n${line}`;
    else blocks.push({ tag: table ? "pre" : "p", text: line });
  }
  return blocks;
}

export class Details {
  /** `scene`: the Scene; `model`: the widget's model (`details`, `selected`; it carries
   * the check request); `report(values)`: sets traits. */
  constructor(scene, model, report) {
    this.scene = scene;
    this.model = model;
    this.report = report;
    this.index = null;
    this.selected = ""; // the drawn element selected ("n3", "g2", "n5~n12") or ""
    this.marks = { sel: new Marks("adviz-sel"), up: new Marks("adviz-up"), down: new Marks("adviz-down") };
    this.title = h("div", { class: "adviz-panel-title" });
    this.close = h("button", { type: "button", text: "×", "aria-label": "Close details" });
    this.body = h("pre");
    this.checkButton = h("button", {
      type: "button",
      class: "adviz-check",
      text: "Check this gradient",
      title: "Compare with central differences, (f(x+h) - f(x-h)) / 2h, by replaying the graph",
      hidden: true,
    });
    this.checkBody = h("div", { class: "adviz-check-result", hidden: true });
    this.panel = h(
      "aside",
      { class: "adviz-panel", hidden: true, "aria-label": "Node details" },
      h("div", { class: "adviz-panel-head" }, this.title, this.close),
      this.body,
      this.checkButton,
      this.checkBody,
    );
  }

  /** Closing the panel unselects and gives the keyboard back to `viewport`. */
  listen(viewport) {
    this.checkButton.addEventListener("click", () => this.askCheck());
    this.close.addEventListener("click", () => {
      this.select("");
      viewport.focus({ preventScroll: true });
    });
  }

  /** A new drawing: its marks start empty (the selection is restored by `restore`). */
  attach(index) {
    this.index = index;
    for (const mark of Object.values(this.marks)) mark.clear();
  }

  /** Select drawn element `id` ("" or one not drawn: none); `notify` reports it. */
  select(id, { notify = true } = {}) {
    const index = this.index;
    id = index && index.nodes.has(id) ? id : "";
    const node = this.scene.nodeOfElement(id);
    const changed = node !== this.scene.nodeOfElement(this.selected);
    this.selected = id;
    if (!id) {
      for (const mark of Object.values(this.marks)) mark.clear();
    } else {
      const up = reach(index, id, index.incoming);
      const down = reach(index, id, index.outgoing);
      this.marks.sel.set(node ? this.scene.nodeEls(node) : [index.nodes.get(id)]);
      this.marks.up.set([...up.nodes, ...up.edges]);
      this.marks.down.set([...down.nodes, ...down.edges]);
    }
    this.show();
    if (notify && (changed || str(this.model.get("selected")) !== node)) {
      this.report({ selected: node });
    }
  }

  /** The panel for the selection (hidden when there is none). */
  show() {
    if (!this.selected) {
      this.panel.hidden = true;
      return;
    }
    const node = this.scene.nodeOfElement(this.selected) || this.selected;
    const info = obj(obj(this.model.get("details"))[node]);
    const name = (this.index && this.index.names.get(this.selected)) || this.selected;
    this.title.textContent = str(info.title) || name;
    const lines = list(info.lines).map(str);
    this.body.textContent = lines.length ? lines.join("\n") : "(loading details…)";
    this.showCheck(info);
    this.panel.hidden = false;
  }

  /** The check's button (a node that can be checked and was not yet) or its result. */
  showCheck(info) {
    const checked = list(info.check).map(str);
    const { checkButton, checkBody } = this;
    checkButton.hidden = !info.checkable || checked.length > 0;
    checkButton.disabled = false;
    checkButton.textContent = "Check this gradient";
    checkBody.replaceChildren(...checkBlocks(checked).map(({ tag, text }) => h(tag, { text })));
    checkBody.hidden = !checked.length;
  }

  /** Ask the kernel to check the selected node's gradient by central differences. */
  askCheck() {
    const node = this.scene.nodeOfElement(this.selected);
    if (!node) return;
    this.checkButton.disabled = true;
    this.checkButton.textContent = "Checking…";
    this.model.send({ check: node });
  }

  /** After a new drawing: the selection again (or the `selected` trait's node), shown by
   * whatever draws it now (itself, a copy, or the folded group holding it). */
  restore() {
    const keep = this.selected || str(this.model.get("selected"));
    this.selected = "";
    const el = keep && !this.index.nodes.has(keep) ? this.scene.nodeEls(keep)[0] : null;
    this.select(el ? this.index.nodeOf.get(el) : keep, { notify: false });
  }

  /** The `selected` trait changed (Python, or another view): select that node. */
  follow() {
    const node = str(this.model.get("selected"));
    if (node !== this.scene.nodeOfElement(this.selected)) {
      const el = this.scene.nodeEls(node)[0];
      this.select(el ? this.index.nodeOf.get(el) : "", { notify: false });
    }
  }

  /** No drawing any more: nothing is selected. */
  clear() {
    this.index = null;
    if (this.selected) {
      this.selected = "";
      this.show();
      this.report({ selected: "" });
    }
  }
}
