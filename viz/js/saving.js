// Saving the drawing into the notebook. Once the view has rested, the drawing (saved.js:
// pictureOf) is sent to the kernel (viz/saved.py), which puts it into the output so that a
// saved notebook shows it. The front end then re-renders that output: the view it just
// emptied is handed over to the new one whole (zoom, selection, step), not drawn again.

const PICTURE_DELAY = 1500; // ms of rest before the drawing is sent for saved notebooks
const ADOPT_WINDOW = 20000; // ms after sending it in which a re-render may adopt the view

export class Saving {
  /** `take()`: the drawing as SVG text ("" when there is none to send); `send(message)`:
   * to the kernel; `max`: the longest drawing sent (characters); `guard(fn)`: `fn`
   * wrapped to show its errors; `now()`: the clock in ms. */
  constructor({ take, send, max, guard = (fn) => fn, now = () => performance.now() }) {
    this.take = take;
    this.send = send;
    this.max = max;
    this.guard = guard;
    this.now = now;
    this.sent = ""; // the drawing last sent
    this.sentAt = -Infinity;
    this.timer = null;
  }

  /** Send the drawing once the view has rested PICTURE_DELAY ms since the last call. */
  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(this.guard(() => this.sendNow()), PICTURE_DELAY);
  }

  /** Send the drawing, unless it is none, the one sent last, or too big. */
  sendNow() {
    const svg = this.take();
    if (!svg || svg === this.sent || svg.length > this.max) return;
    this.sent = svg;
    this.sentAt = this.now();
    this.send({ picture: svg });
  }

  /** Whether a drawing was sent recently enough for its re-rendered output to adopt the
   * view. */
  recent() {
    return this.now() - this.sentAt < ADOPT_WINDOW;
  }

  dispose() {
    clearTimeout(this.timer);
  }
}

const live = new Map(); // the model's `_key` -> its views (each view gets its own proxy)

/** The view of model `key` that a re-rendered output may take over (`adoptable()`), or
 * null. */
export function adoptable(key) {
  return [...(live.get(key) || [])].find((view) => view.adoptable()) || null;
}

/** Remember a view of model `key`. */
export function keep(key, view) {
  if (!live.has(key)) live.set(key, new Set());
  live.get(key).add(view);
}

/** Forget a view of model `key` (disposed). */
export function forget(key, view) {
  const views = live.get(key);
  if (!views) return;
  views.delete(view);
  if (!views.size) live.delete(key);
}
