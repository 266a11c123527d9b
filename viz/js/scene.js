// Which drawn elements show which graph nodes. Python names everything by graph node (`n3`)
// and graph edge ([tail, head]); the `drawn` trait says how the current fold state draws
// them (viz/dot.py: browser_map): a node as itself (`n3`), inside a folded group (`g2`), or
// as a copy beside each reader (`n5~n12`, a shared leaf). Drawn edge ids follow one rule:
// `e{tail element}-{head element}` without the elements' leading "n".

import { list, obj, str } from "./dom.js";

const bare = (element) => element.replace(/^n(?=\d)/, "");

export class Scene {
  constructor() {
    this.index = null;
    this.groupOf = new Map(); // node number -> folded group element id
    this.groupKey = new Map(); // group element id -> container key
    this.clusterKey = new Map(); // cluster SVG id -> container key
    this.copied = new Set(); // node numbers drawn as copies
    this.names = []; // node number -> name
    this.focus = "";
  }

  /** Read the `drawn` trait (before or after the SVG it describes arrives). */
  setDrawn(drawn) {
    const d = obj(drawn);
    this.groupOf = new Map();
    this.groupKey = new Map();
    for (const [g, info] of Object.entries(obj(d.groups))) {
      this.groupKey.set(g, str(obj(info).key));
      for (const n of list(obj(info).members)) this.groupOf.set(Number(n), g);
    }
    this.clusterKey = new Map(Object.entries(obj(d.clusters)).map(([c, k]) => [c, str(k)]));
    this.copied = new Set(list(d.copied).map(Number));
    this.names = list(d.names).map(str);
    this.focus = str(d.focus);
  }

  setIndex(index) {
    this.index = index;
  }

  /** The element id showing node number `n` when it is not a copied leaf. */
  elementId(n) {
    return this.groupOf.get(n) || `n${n}`;
  }

  /** The <g> elements showing a node (`"n3"` or 3): itself, its group, or all its copies. */
  nodeEls(node) {
    if (!this.index || node === "" || node == null) return [];
    const n = typeof node === "number" ? node : Number(str(node).replace(/^n/, ""));
    if (!Number.isInteger(n) || n < 0) return [];
    if (this.copied.has(n)) return this.index.copies.get(`n${n}`) || [];
    const g = this.index.nodes.get(this.elementId(n));
    return g ? [g] : [];
  }

  /** The drawn edge showing graph edge tail -> head (null inside a folded group). */
  edgeEl(tail, head) {
    if (!this.index) return null;
    const headEl = this.elementId(Number(head));
    const t = Number(tail);
    const tailEl = this.copied.has(t) ? `n${t}~${headEl}` : this.elementId(t);
    if (tailEl === headEl) return null;
    return this.index.edges.get(`e${bare(tailEl)}-${bare(headEl)}`) || null;
  }

  /** The node number(s) a drawn element stands for (a copy: its leaf; a group: none). */
  nodeOfElement(id) {
    const m = /^n(\d+)(?:~|$)/.exec(str(id));
    return m ? `n${m[1]}` : "";
  }

  /** Graph nodes whose name contains `query` (case-insensitive), as node ids. */
  search(query) {
    const q = query.toLowerCase();
    const found = [];
    this.names.forEach((name, n) => {
      if (name.toLowerCase().includes(q) || `n${n}` === q) found.push(n);
    });
    return found;
  }
}
