// The widget's frame: the elements its parts hang in, built once per view. From the top:
// the message line; the toolbar (reset view, colour by |grad|, the search box of search.js);
// the error box; the viewport (with its "Laying out…" status) beside the details panel of
// details.js; the caption; and the legend (styles.js). It shows the errors of every part.

import { h } from "./dom.js";
import { legend } from "./styles.js";

const VIEWPORT_LABEL =
  "Computation graph. Drag or use the arrow keys to pan; mouse wheel or + and - to zoom; 0 resets. Click a folded node to unfold it, a cluster's title to fold it.";

export class Frame {
  /** The frame around `search` (search.js: its box and count) and `panel` (details.js). */
  constructor(search, panel) {
    const message = h("div", { class: "adviz-message", role: "status", hidden: true });
    const reset = h("button", { type: "button", text: "Reset view", title: "Back to the first view" });
    const colour = h("button", {
      type: "button",
      class: "adviz-toggle",
      text: "Colour by |grad|",
      "aria-pressed": "false",
      title: "Colour nodes and edges by the size of their gradient (log scale)",
    });
    const toolbar = h("div", { class: "adviz-toolbar" }, reset, colour, search.input, search.count);
    const viewport = h("div", { class: "adviz-viewport", tabindex: "0", role: "group", "aria-label": VIEWPORT_LABEL });
    const status = h("div", { class: "adviz-loading", text: "Laying out…", hidden: true });
    const error = h("pre", { class: "adviz-error", role: "alert", hidden: true });
    viewport.append(status);
    const body = h("div", { class: "adviz-body" }, viewport, panel);
    const caption = h("div", { class: "adviz-caption", hidden: true });
    const key = legend();
    const root = h("div", { class: "adviz" }, message, toolbar, error, body, caption, key);
    Object.assign(this, { root, message, reset, colour, toolbar, viewport, status, error, caption, key });
    this.errors = new Map(); // by source ("layout", "update", "steps", "widget")
  }

  /** Show `text` as the error from `source`, or ("") clear that source's error. */
  showError(text, source = "layout") {
    if (text) this.errors.set(source, text);
    else this.errors.delete(source);
    this.error.textContent = [...this.errors.values()].join("\n\n");
    this.error.hidden = this.errors.size === 0;
  }
}
