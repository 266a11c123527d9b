// The little of the DOM that the widget's modules touch when they build plain HTML
// elements (dom.js: h) and listen to them: enough to run quiz.js, search.js and
// details.js in Node. Installed as `globalThis.document` on import.

class ClassList {
  constructor(el) {
    this.el = el;
  }
  get names() {
    return this.el.className.split(/\s+/).filter(Boolean);
  }
  contains(name) {
    return this.names.includes(name);
  }
  add(name) {
    if (!this.contains(name)) this.el.className = [...this.names, name].join(" ");
  }
  remove(name) {
    this.el.className = this.names.filter((n) => n !== name).join(" ");
  }
  toggle(name, on = !this.contains(name)) {
    if (on) this.add(name);
    else this.remove(name);
  }
}

export class FakeElement {
  constructor(tag) {
    this.localName = tag;
    this.attributes = new Map();
    this.children = [];
    this.parentNode = null;
    this.listeners = new Map();
    this.className = "";
    this.classList = new ClassList(this);
    this.hidden = false;
    this.disabled = false;
    this.value = "";
    this.ownText = "";
  }
  get textContent() {
    return this.ownText + this.children.map((c) => c.textContent).join("");
  }
  set textContent(text) {
    this.children = [];
    this.ownText = String(text);
  }
  setAttribute(name, value) {
    this.attributes.set(name, String(value));
  }
  getAttribute(name) {
    return this.attributes.has(name) ? this.attributes.get(name) : null;
  }
  append(...children) {
    for (const child of children) {
      child.parentNode = this;
      this.children.push(child);
    }
  }
  replaceChildren(...children) {
    this.children = [];
    this.ownText = "";
    this.append(...children);
  }
  before(other) {
    const siblings = this.parentNode.children;
    other.parentNode = this.parentNode;
    siblings.splice(siblings.indexOf(this), 0, other);
  }
  addEventListener(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(fn);
  }
  /** Dispatch a fake event of `type` (with `props`, e.g. {key: "Enter"}); returns it. */
  fire(type, props = {}) {
    const event = {
      type,
      target: this,
      defaultPrevented: false,
      stopped: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
      stopPropagation() {
        this.stopped = true;
      },
      ...props,
    };
    for (const fn of this.listeners.get(type) || []) fn(event);
    return event;
  }
}

globalThis.document = { createElement: (tag) => new FakeElement(tag) };
