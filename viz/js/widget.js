// anywidget front end of viz.widget.GraphView. Python owns the state in traits; this module
// renders them and reports user input (`selected`, `folded`, `color_by`) and timings
// (`render_ms`, `patch_ms`). GraphWidget only wires its parts, one job each:
//   frame.js      the widget's elements (toolbar, viewport, panel, caption, legend), errors
//   layout.js     DOT -> SVG with Graphviz in WebAssembly
//   clicks.js     clicks and keys on the diagram: select, fold, unfold
//   svg.js        reading and writing Graphviz's SVG (index, cells, fitting texts)
//   scene.js      graph nodes and edges -> the elements drawing them
//   cells.js      what cells show: drawn text, received patches, the step's overlay
//   panzoom.js    the view: zoom and pan
//   detail.js     the level of detail (fit, zoom between compact and full nodes)
//   minimap.js    the overview of a diagram that does not fit
//   search.js     search by name
//   details.js    selection, the details panel and the gradient check
//   folds.js      folding and unfolding groups and clusters
//   steps.js      the backward (or forward) steps, read from `steps`
//   stepview.js   the step shown: its marks and the gradients on its edges
//   flows.js      gradients drawn along edges
//   quiz.js       quiz mode: predict the gradient, then reveal it
//   magnitude.js  colour by |grad|
//   pictures.js   tensors drawn as pictures in their cells
//   saved.js      the standalone picture a saved notebook keeps
//   saving.js     sending that picture; a re-rendered output adopting the view
//   styles.js     the stylesheet and the legend
//   dom.js        small DOM helpers
//   loader.js     the tiny ESM of each widget, loading this bundle (built apart)

import { errorText, obj, str } from "./dom.js";
import { layOut, loadGraphviz } from "./layout.js";
import { MagnitudeView } from "./magnitude.js";
import { Minimap } from "./minimap.js";
import { Detail } from "./detail.js";
import { PanZoom } from "./panzoom.js";
import { Quiz } from "./quiz.js";
import { MAX_PICTURE, pictureOf } from "./saved.js";
import { Scene } from "./scene.js";
import { Steps } from "./steps.js";
import { injectStyles } from "./styles.js";
import { fitTexts, indexSvg } from "./svg.js";
import { Cells } from "./cells.js";
import { Clicks } from "./clicks.js";
import { Details } from "./details.js";
import { Folds } from "./folds.js";
import { Frame } from "./frame.js";
import { Search } from "./search.js";
import { adoptable, forget, keep, Saving } from "./saving.js";
import { StepView } from "./stepview.js";

class GraphWidget {
  constructor(model, el) {
    this.model = model;
    this.el = el; // the host element of the view showing this widget now
    this.index = null; // the drawing shown (svg.js: indexSvg), null while there is none
    this.renderToken = 0;
    this.rendering = false; // a layout is waiting for Graphviz to load
    this.fitted = true; // false while the view was hidden when texts were to be measured
    this.disposed = false;
    this.scene = new Scene();
    this.steps = new Steps();
    this.cells = new Cells();
    this.details = new Details(this.scene, model, (values) => this.report(values));
    this.search = new Search(this.scene, (g) => this.view.centerOn(g));
    this.dom = new Frame(this.search, this.details.panel);
    el.replaceChildren(this.dom.root);
    this.makeView();
    this.makeParts();
  }

  /** The view of the diagram: pan and zoom, the minimap, the level of detail. */
  makeView() {
    const viewport = this.dom.viewport;
    this.view = new PanZoom(viewport);
    this.minimap = new Minimap(viewport, this.view);
    this.view.onChange = () => this.minimap.draw();
    this.detail = new Detail(
      this.view,
      (message) => this.model.send(message),
      () => this.model.get("drawn"),
    );
    this.view.onZoom = (factor, px, py) => {
      if (!this.rendering) this.detail.zoomed(this.index, factor, px, py);
    };
    this.view.focus = () => this.scene.nodeEls(this.scene.nodeOfElement(this.scene.focus))[0]
      || (this.index && this.index.nodes.get(this.scene.focus));
  }

  /** What draws over the diagram and around it. */
  makeParts() {
    const report = (values) => this.report(values);
    this.folds = new Folds(this.scene, this.view, () => this.model.get("folded"), report);
    this.magnitude = new MagnitudeView();
    this.dom.toolbar.append(this.magnitude.legend);
    this.quiz = new Quiz((answers) => report({ quiz_answers: answers }));
    this.quiz.asks = (k) => Boolean(obj(this.steps.step(k)).question);
    this.quiz.stepAt = (k) => this.steps.step(k);
    this.dom.caption.before(this.quiz.root);
    this.saving = new Saving({
      take: () => this.picture(),
      send: (message) => this.model.send(message),
      max: MAX_PICTURE,
      guard: (fn) => this.guard(fn),
    });
    const { model, scene, view, minimap, steps, quiz, folds, cells } = this;
    const frame = this.dom;
    const ready = () => Boolean(this.index) && !this.rendering;
    const changed = () => this.saving.schedule();
    const parts = { model, scene, view, minimap, steps, quiz, folds, cells, frame };
    this.stepView = new StepView({ ...parts, ready, report, changed });
    this.clicks = new Clicks({ index: () => this.index, view, folds, details: this.details });
  }

  // ---- reporting ----
  /** The drawing for saved notebooks (saved.js), or "" while there is none to send. */
  picture() {
    if (!this.index || this.rendering || this.disposed || !this.view.base) return "";
    return pictureOf(this.index.svg, this.view.base);
  }

  /** Whether a front end that re-renders this output (after the kernel put the picture
   * into it) may hand this widget's view to the new one instead of drawing it again. */
  adoptable() {
    return !this.disposed && !this.dom.root.isConnected && this.saving.recent();
  }

  /** Show this widget's view in `el` (a re-rendered output), keeping zoom and state. */
  moveTo(el) {
    this.el = el;
    el.replaceChildren(this.dom.root);
  }

  report(values) {
    try {
      for (const [key, value] of Object.entries(values)) this.model.set(key, value);
      this.model.save_changes();
    } catch (e) {
      console.warn("adviz: could not report", values, e);
    }
  }

  // ---- traits -> view ----
  updateMessage() {
    const message = this.dom.message;
    message.textContent = str(this.model.get("message"));
    message.hidden = !message.textContent;
  }

  /** New cells: the whole `patches` trait, or (`delta`) the cells a custom message says
   * changed while a slider moves. Cells showing the same content already are skipped. */
  updatePatches(delta = null) {
    const patches = obj(delta || this.model.get("patches"));
    this.cells.receive(patches);
    if (!this.index || this.rendering) return;
    const t0 = performance.now();
    try {
      this.cells.writeReceived(patches);
    } catch (e) {
      this.dom.showError(`could not update the diagram: ${errorText(e)}`, "update");
      return;
    }
    this.report({ patch_ms: +(performance.now() - t0).toFixed(3) });
    this.saving.schedule();
  }

  updateMagnitudes() {
    const on = str(this.model.get("color_by")) === "grad";
    this.dom.colour.setAttribute("aria-pressed", String(on));
    if (!on || !this.index) this.magnitude.clear();
    else this.magnitude.apply(this.index, this.model.get("magnitudes"));
    this.saving.schedule();
  }

  async updateDot() {
    const token = ++this.renderToken;
    const dot = str(this.model.get("dot"));
    this.scene.setDrawn(this.model.get("drawn"));
    this.cells.reset(this.model.get("patches")); // a new diagram: the patches sent with it
    if (!dot.trim()) {
      this.clearSvg();
      this.dom.showError("");
      return;
    }
    this.loading(true);
    const { viz, error } = await loadGraphviz();
    if (token !== this.renderToken || this.disposed) return; // a newer `dot` draws
    this.loading(false);
    if (error) return this.dom.showError(error);
    const t0 = performance.now();
    const laid = layOut(viz, dot);
    if (laid.error) {
      this.clearSvg();
      return this.dom.showError(laid.error);
    }
    this.attach(laid.svg);
    const renderMs = performance.now() - t0;
    const t1 = performance.now();
    this.paint();
    const patchMs = performance.now() - t1;
    this.report({ render_ms: +renderMs.toFixed(3), patch_ms: +patchMs.toFixed(3) });
  }

  /** While Graphviz loads, the diagram waits ("Laying out…"). */
  loading(on) {
    this.rendering = on;
    this.dom.status.hidden = !on;
  }

  /** Put a new SVG in place and index it. */
  attach(svg) {
    const old = this.index && this.index.svg;
    if (old) old.replaceWith(svg);
    else this.dom.viewport.prepend(svg);
    this.index = indexSvg(svg);
    this.scene.setIndex(this.index);
    for (const part of [this.stepView, this.details, this.search]) part.attach(this.index);
    this.folds.dress(this.index, this.model.get("details"));
    this.dom.showError("");
    this.dom.showError("", "update");
  }

  /** Everything drawn over a new SVG: cells, step, marks, view, minimap, selection. */
  paint() {
    try {
      this.fitted = this.cells.draw(this.index);
      this.view.attach(this.index.svg);
      this.folds.showFocus(this.index);
      this.detail.shown(this.index);
      this.stepView.update({ quiet: true, follow: this.folds.takeFollow() }); // and its marks
      this.minimap.measure(this.index);
      this.updateMagnitudes();
    } catch (e) {
      this.dom.showError(`could not update the diagram: ${errorText(e)}`, "update");
    }
    this.search.update();
    this.saving.schedule();
    this.details.restore();
  }

  clearSvg() {
    if (this.index && this.index.svg) this.index.svg.remove();
    this.index = null;
    this.scene.setIndex(null);
    this.rendering = false;
    this.cells.clear();
    this.search.attach(null);
    this.view.detach();
    this.dom.status.hidden = true;
    this.details.clear();
  }

  // ---- user input -> model ----
  listen() {
    const { viewport, root, reset, colour } = this.dom;
    this.clicks.listen(viewport, root);
    reset.addEventListener("click", () => this.view.reset());
    colour.addEventListener("click", () =>
      this.report({ color_by: str(this.model.get("color_by")) === "grad" ? "" : "grad" }),
    );
    this.search.listen();
    this.details.listen(viewport);
    this.observeResize();
  }

  /** A resized viewport: the view follows; texts measured while it was hidden are fitted. */
  observeResize() {
    if (typeof ResizeObserver !== "function") return;
    const viewport = this.dom.viewport;
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

  // ---- model events ----
  guard(fn) {
    return () => {
      try {
        const out = fn();
        if (out && typeof out.catch === "function") {
          out.catch((e) => this.dom.showError(`widget error: ${errorText(e)}`, "widget"));
        }
      } catch (e) {
        this.dom.showError(`widget error: ${errorText(e)}`, "widget");
      }
    };
  }

  connect() {
    const handlers = {
      "change:dot": () => this.updateDot(),
      "change:patches": () => this.updatePatches(),
      "change:steps": () => this.stepView.readSteps(),
      "change:step": () => this.stepView.update({ open: true }),
      "change:message": () => this.updateMessage(),
      "change:details": () => this.details.show(),
      "change:color_by": () => this.updateMagnitudes(),
      "change:quiz": () => this.stepView.quizChanged(),
      "change:quiz_answers": () => this.stepView.quizChanged(),
      "change:magnitudes": () => this.updateMagnitudes(),
      "change:selected": () => this.details.follow(),
    };
    this.handlers = Object.entries(handlers).map(([event, fn]) => [event, this.guard(fn)]);
    const onMessage = (msg) => {
      if (msg && typeof msg === "object" && msg.patches) this.updatePatches(msg.patches);
    };
    this.handlers.push(["msg:custom", (msg) => this.guard(() => onMessage(msg))()]);
    for (const [event, handler] of this.handlers) this.model.on(event, handler);
    this.guard(() => this.updateMessage())();
    this.stepView.readQuiz();
    this.guard(() => this.stepView.readSteps())(); // parses `steps` (nothing to draw yet)
    this.guard(() => this.updateDot())();
  }

  dispose() {
    this.disposed = true;
    this.saving.dispose();
    for (const [event, handler] of this.handlers) this.model.off(event, handler);
    if (this.resizer) this.resizer.disconnect();
  }
}

async function render({ model, el }) {
  injectStyles(el);
  const key = str(model.get("_key")) || `adviz-${Math.random()}`; // none: adopt nothing
  // JupyterLab re-renders an output whose display was updated (the picture joined it) by
  // emptying it and asking for a new view: the view just emptied out is handed over whole
  let widget = adoptable(key);
  if (widget) widget.moveTo(el);
  else {
    widget = new GraphWidget(model, el);
    widget.listen();
    widget.connect();
    keep(key, widget);
  }
  return () => {
    if (widget.el !== el) return; // handed over to a newer view
    widget.dispose();
    forget(key, widget);
  };
}

export default { render };
