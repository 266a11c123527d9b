// Folding. A click on a folded group (a scope, a run, a line of code drawn as one node)
// unfolds it and a click on a cluster's title folds it: the `folded` trait changes, Python
// answers with a new `dot`, and the new drawing is centred on what was clicked. A backward
// step whose op sits in a folded group unfolds that group. Every drawn node is a button;
// folded groups say on hover what they hold.

import { list, obj, str } from "./dom.js";
import { setTitle } from "./svg.js";

export const REST = "grest"; // the node standing for what a very big diagram does not draw

export class Folds {
  /** `scene`: the Scene; `view`: the PanZoom; `folded()`: the `folded` trait;
   * `report(values)`: sets traits. */
  constructor(scene, view, folded, report) {
    this.scene = scene;
    this.view = view;
    this.folded = folded;
    this.report = report;
    this.focus = null; // the container key a click just folded or unfolded
    this.opened = new Set(); // keys of the groups a backward step asked to unfold
    this.follow = false; // the next drawing keeps the current step's op in view
  }

  /** Fold or unfold a container by its key. */
  toggle(key, fold) {
    this.focus = key; // the next layout shows what was clicked
    const folded = new Set(list(this.folded()).map(str));
    if (fold) folded.add(key);
    else folded.delete(key);
    this.report({ folded: [...folded].sort() });
  }

  /** A click on drawn node `id` (`selected`: the selection): a folded scope or run
   * unfolds; a folded line of code unfolds when it is selected already (the first click
   * shows its tensor's panel). Returns whether it unfolded. */
  activate(id, selected) {
    const key = this.scene.groupKey.get(id);
    const line = key && key.startsWith("line:");
    if (!key || (line && id !== selected)) return false;
    this.toggle(key, false);
    return true;
  }

  /** The key of the foldable cluster whose title is `target` (an event's), or null. */
  titleKey(target) {
    const cluster = target && target.closest && target.closest("g.cluster");
    const title = cluster && target.localName === "text" && this.scene.clusterKey.has(cluster.id);
    return title ? this.scene.clusterKey.get(cluster.id) : null;
  }

  /** The current op of a backward step is drawn unfolded: when it sits in a folded scope
   * or run, that group is unfolded (the kernel answers with a new drawing, which follows
   * the op). A folded line of code shows its op inside, in its expression; and where no
   * kernel answers (an exported page), the group itself is marked. */
  openForStep(current) {
    const group = this.scene.groupOf.get(Number(current.replace(/^n/, "")));
    const key = group ? str(this.scene.groupKey.get(group)) : "";
    if (!key || key.startsWith("line:") || group === REST || this.opened.has(key)) return;
    this.opened.add(key); // asked once: an exported page has no kernel to answer
    this.follow = true;
    const folded = list(this.folded()).map(str).filter((k) => k !== key);
    this.report({ folded });
  }

  /** Whether the new drawing follows the current step's op (once after asking). */
  takeFollow() {
    const follow = this.follow;
    this.follow = false;
    return follow;
  }

  /** Make every node of a new drawing `index` a button; mark folded groups (with their
   * `details`, the trait, as hover text) and the clusters a click folds. */
  dress(index, details) {
    for (const node of index.nodes.values()) {
      node.setAttribute("tabindex", "0");
      node.setAttribute("role", "button");
      const id = index.nodeOf.get(node);
      if (this.scene.groupKey.has(id)) {
        node.classList.add("adviz-group");
        describe(node, obj(obj(details)[id]));
      }
    }
    for (const cluster of index.clusters.values()) {
      if (this.scene.clusterKey.has(cluster.id)) cluster.classList.add("adviz-foldable");
    }
  }

  /** After a click folded or unfolded a container, centre the view on it (its cluster, or
   * the node it folded into) instead of the first view. */
  showFocus(index) {
    const key = this.focus;
    this.focus = null;
    if (!key) return;
    const scene = this.scene;
    const cluster = [...scene.clusterKey].find(([, k]) => k === key);
    const group = [...scene.groupKey].find(([, k]) => k === key);
    const el = cluster ? index.clusters.get(cluster[0]) : group && index.nodes.get(group[0]);
    if (el) this.view.centerOn(el, { top: Boolean(cluster) });
  }
}

/** A folded group answers hovering with what it holds (its details' summary `info`), in
 * its SVG <title>. */
function describe(node, info) {
  const lines = list(info.lines).map(str);
  if (lines.length) setTitle(node, [str(info.title), ...lines].join("\n"));
}
