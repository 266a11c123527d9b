// The ESM of every viz widget: a few hundred bytes that load the renderer (viz/js, about
// 1.5 MB with Graphviz in WebAssembly) from one shared model, `Renderer` in viz/renderer.py.
// The bundle then lives once in a notebook's saved widget state, not once per diagram.
// The renderer's module is imported once per page (from a blob: URL, nothing fetched).

const loaded = new Map(); // renderer model id -> Promise of the renderer's module

/** A blob: URL of the module packed as gzip + base64 (viz/renderer.py: packed_bundle). */
export async function unpack(packed) {
  const bytes = Uint8Array.from(atob(packed), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  const code = await new Response(stream).arrayBuffer();
  return URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
}

async function rendererModel(model, host) {
  const ref = model.get("_renderer");
  if (host && typeof host.getModel === "function") return host.getModel(ref);
  const manager = model.widget_manager;
  if (manager && typeof manager.get_model === "function") {
    return manager.get_model(String(ref).replace(/^anywidget:/, ""));
  }
  throw new Error("this front end cannot reach the widget's renderer model");
}

async function renderer(model, host) {
  const ref = String(model.get("_renderer"));
  if (!loaded.has(ref)) {
    const promise = rendererModel(model, host).then(async (shared) => {
      const url = await unpack(String(shared.get("code")));
      return import(/* webpackIgnore: true */ url);
    });
    promise.catch(() => loaded.delete(ref)); // a later view may retry
    loaded.set(ref, promise);
  }
  return (await loaded.get(ref)).default;
}

export default {
  async render({ model, el, host }) {
    try {
      const widget = await renderer(model, host);
      return await widget.render({ model, el });
    } catch (e) {
      el.textContent = `viz: could not load the diagram's renderer: ${(e && e.message) || e}`;
      return undefined;
    }
  },
};
