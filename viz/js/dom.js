// Small DOM helpers shared by the widget's modules. Model data is only ever written with
// textContent, never innerHTML.

/** An element with properties (`class`, `text`, `hidden`, attributes) and children. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "hidden") el.hidden = Boolean(value);
    else el.setAttribute(key, value);
  }
  for (const child of children) el.append(child);
  return el;
}

export const str = (v) => (v == null ? "" : String(v));
export const obj = (v) => (v && typeof v === "object" && !Array.isArray(v) ? v : {});
export const list = (v) => (Array.isArray(v) ? v : []);
export const errorText = (e) => str((e && e.message) || e) || "unknown error";

/** A CSS class on a set of elements, replaced as a whole. */
export class Marks {
  constructor(name) {
    this.name = name;
    this.els = new Set();
  }
  set(els) {
    for (const el of this.els) el.classList.remove(this.name);
    this.els = new Set();
    for (const el of els) {
      if (!el) continue;
      el.classList.add(this.name);
      this.els.add(el);
    }
  }
  clear() {
    this.set([]);
  }
}
