""" "Check this gradient": a leaf's gradient against central differences, by replaying the graph.

    (f(x + h·eᵢ) - f(x - h·eᵢ)) / 2h  ≈  ∂f/∂xᵢ

Each checked element costs two replays of the recorded graph (no user code runs), so a big
leaf is checked on a sample of its elements: the largest gradients and a spread of the others.

A float32 (or float16) graph is replayed in float64 for the differences, as
`torch.autograd.gradcheck` asks for double precision: in float32 the rounding of f, divided by
a small h, is larger than many a gradient (the backprop-ninja graph's correct W1 gradient read
as 14% off). The tape's own gradient is then compared with the float64 differences element by
element, as `torch.autograd.gradcheck` and `numpy.allclose` do:

    |tape - numerical| <= atol·scale + rtol·|numerical| + noise

`atol`, `rtol` by the tape gradient's precision; `scale` the largest gradient of the graph (at
least 1), so that a loss scaled up does not turn float32 rounding into disagreement; `noise`
the rounding of the differences themselves (ε·|f| / h, negligible in float64). Where the graph
cannot be replayed in float64 (an op that casts, a custom gradient that refuses), the check
replays in the leaf's own dtype and says so.
"""

from __future__ import annotations

import numpy as np

import autodiff as ad
from viz import text

MAX_CHECKED = 12  # elements of one leaf checked at most
# relative step h by the replay's precision: large enough to rise above rounding, small
# enough that the O(h²) error of central differences stays below the tolerance
STEP = {2: 1e-2, 4: 1e-3, 8: 1e-6}
# (atol, rtol) by the precision of the tape's gradient; torch.autograd.gradcheck's defaults
# (1e-5, 1e-3) for float32 and float64 (a correct float32 gradient is within ~1e-7 of the
# float64 one on the lecture graphs), looser for float16
TOLERANCE = {2: (1e-3, 1e-2), 4: (1e-5, 1e-3), 8: (1e-5, 1e-3)}
NOISE = 4.0  # how many rounding errors of f / h the differences may be off


def checkable(graph: ad.Graph, node: ad.Node) -> bool:
    """Whether `node`'s gradient can be checked: a float leaf with a gradient."""
    return (
        graph.target is not None
        and node.kind != "op"
        and node.grad is not None
        and node.dtype.kind == "f"
        and node.value.size > 0
    )


def check_gradient(graph: ad.Graph, node_id: int, label: str = "") -> list[str]:
    """Lines comparing the tape's gradient of leaf `node_id` with central differences: a
    header, a row per checked element (element, tape, numerical, relative error) and the
    verdict ("agrees" or "DISAGREES", with the tolerance used)."""
    node = graph.nodes[node_id]
    label = label or text.visible(node.name)
    if not checkable(graph, node):
        if node.kind == "op":
            return [
                f"{label} is computed by {node.op}: only leaves (variables, watched tensors) "
                "can be nudged to check a gradient. Click a leaf."
            ]
        return [graph.explain(node_id)]
    grad = np.asarray(node.grad, dtype=np.float64)
    replayed, how = precise(graph, node)
    indices = _sample(grad)
    atol, rtol = TOLERANCE.get(node.dtype.itemsize, TOLERANCE[4])
    atol *= gradient_scale(graph)
    lines = [
        f"Central differences, replaying the graph{how}: {len(indices)} of {grad.size} elements",
        f"{'element':<12} {'tape':>11} {'numerical':>11} {'rel. error':>10}",
    ]
    worst, outside = 0.0, 0
    for index in indices:
        numeric, noise = _central(replayed, node.id, index)
        error = _relative(grad[index], numeric, atol)
        worst = max(worst, error)
        outside += abs(grad[index] - numeric) > atol + rtol * abs(numeric) + NOISE * noise
        where = text.index(index) if index else "(scalar)"
        lines.append(
            f"{where:<12} {text.number(grad[index]):>11} {text.number(numeric):>11} {error:>10.1e}"
        )
    verdict = "agrees" if not outside else f"DISAGREES ({outside} of {len(indices)} elements)"
    lines.append(
        f"largest relative error {worst:.1e}: the gradient {verdict} (tolerance "
        f"|tape − numerical| ≤ {atol:.1g} + {rtol:g}·|numerical| for {node.dtype})"
    )
    return lines


def precise(graph: ad.Graph, node: ad.Node) -> tuple[ad.Graph, str]:
    """The graph to take differences on: `graph` replayed in float64 when its leaf is less
    precise and every float value follows the leaves to float64; else `graph` itself.
    Also the words saying which (`" in float64"`, or why not)."""
    if node.dtype.itemsize >= 8:
        return graph, ""
    try:
        with np.errstate(all="ignore"):
            wide = graph.astype(np.float64)
    except Exception:  # a custom gradient's own code may refuse float64
        return graph, f" in {node.dtype} (it cannot be replayed in float64)"
    narrow = [n.id for n in wide.nodes if n.dtype.kind == "f" and n.dtype.itemsize < 8]
    if narrow:  # an op casts back: differences in float64 would not be float64 throughout
        return graph, f" in {node.dtype} (an op casts it: it cannot be replayed in float64)"
    return wide, " in float64"


def gradient_scale(graph: ad.Graph) -> float:
    """The largest gradient of the graph, at least 1: the scale of the tape's rounding."""
    largest = 1.0
    for node in graph.nodes:
        if node.grad is not None and node.grad.size and node.dtype.kind == "f":
            with np.errstate(all="ignore"):
                top = float(np.max(np.abs(node.grad)))
            if np.isfinite(top):
                largest = max(largest, top)
    return largest


def _sample(grad: np.ndarray) -> list[tuple[int, ...]]:
    """Every element of a small gradient; of a big one, the largest and an even spread."""
    if grad.size <= MAX_CHECKED:
        return list(np.ndindex(grad.shape))
    flat = np.abs(grad).ravel()
    order = np.argsort(-flat, kind="stable")
    largest, rest = order[: MAX_CHECKED // 2], np.sort(order[MAX_CHECKED // 2 :])
    spread = rest[np.linspace(0, rest.size - 1, MAX_CHECKED - largest.size).astype(int)]
    chosen = sorted(largest.tolist() + spread.tolist())
    return [tuple(int(i) for i in np.unravel_index(k, grad.shape)) for k in chosen]


def _central(graph: ad.Graph, node_id: int, index: tuple[int, ...]) -> tuple[float, float]:
    """(f(x + h) - f(x - h)) / 2h for one element, f the sum of the target; and the
    rounding error of that quotient (ε·|f| / 2h)."""
    x = graph.nodes[node_id].value
    h = STEP.get(x.dtype.itemsize, 1e-3) * max(1.0, abs(float(x[index])))
    plus, minus = np.array(x, copy=True), np.array(x, copy=True)
    plus[index] = x[index] + h
    minus[index] = x[index] - h
    width = float(plus[index]) - float(minus[index])  # the step the dtype could represent
    f_plus = _target_sum(graph.replay({node_id: plus}))
    f_minus = _target_sum(graph.replay({node_id: minus}))
    target = graph.nodes[graph.target]
    eps = float(np.finfo(target.dtype).eps) if target.dtype.kind == "f" else 0.0
    noise = eps * max(abs(f_plus), abs(f_minus)) / width
    return (f_plus - f_minus) / width, noise


def _target_sum(graph: ad.Graph) -> float:
    return float(np.sum(graph.nodes[graph.target].value, dtype=np.float64))


def _relative(a: float, b: float, floor: float) -> float:
    """|a - b| relative to the larger of the two, or to `floor` (the absolute tolerance)
    where both are smaller: a gradient that is 0 up to rounding has no relative error."""
    scale = max(abs(a), abs(b), floor)
    return 0.0 if scale < 1e-12 else abs(a - b) / scale
