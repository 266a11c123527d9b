""" "Check this gradient": a leaf's gradient against central differences, by replaying the graph.

    (f(x + h·eᵢ) - f(x - h·eᵢ)) / 2h  ≈  ∂f/∂xᵢ

Each checked element costs two replays of the recorded graph (no user code runs), so a big
leaf is checked on a sample of its elements: the largest gradients and a spread of the others.
"""

from __future__ import annotations

import numpy as np

import autodiff as ad
from viz import text

MAX_CHECKED = 12  # elements of one leaf checked at most
# relative step h by the leaf's precision: large enough to rise above rounding, small
# enough that the O(h²) error of central differences stays below the tolerance
STEP = {2: 1e-2, 4: 1e-3, 8: 1e-6}
TOLERANCE = {2: 5e-2, 4: 1e-2, 8: 1e-5}  # largest relative error that agrees


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
    """Lines comparing the tape's gradient of leaf `node_id` with central differences."""
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
    indices = _sample(grad)
    lines = [
        f"Central differences, replaying the graph: {len(indices)} of {grad.size} elements",
        f"{'element':<12} {'tape':>11} {'numerical':>11} {'rel. error':>10}",
    ]
    worst = 0.0
    for index in indices:
        numeric = _central(graph, node, index)
        error = _relative(grad[index], numeric)
        worst = max(worst, error)
        where = text.index(index) if index else "(scalar)"
        lines.append(
            f"{where:<12} {text.number(grad[index]):>11} {text.number(numeric):>11} {error:>10.1e}"
        )
    tolerance = TOLERANCE.get(node.dtype.itemsize, 1e-2)
    verdict = "agrees" if worst <= tolerance else "DISAGREES"
    lines.append(
        f"largest relative error {worst:.1e}: the gradient {verdict} "
        f"(tolerance {tolerance:g} for {node.dtype})"
    )
    return lines


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


def _central(graph: ad.Graph, node: ad.Node, index: tuple[int, ...]) -> float:
    """(f(x + h) - f(x - h)) / 2h for one element, f the sum of the target."""
    x = node.value
    h = STEP.get(x.dtype.itemsize, 1e-3) * max(1.0, abs(float(x[index])))
    plus, minus = np.array(x, copy=True), np.array(x, copy=True)
    plus[index] = x[index] + h
    minus[index] = x[index] - h
    width = float(plus[index]) - float(minus[index])  # the step the dtype could represent
    f_plus = _target_sum(graph.replay({node.id: plus}))
    f_minus = _target_sum(graph.replay({node.id: minus}))
    return (f_plus - f_minus) / width


def _target_sum(graph: ad.Graph) -> float:
    return float(np.sum(graph.nodes[graph.target].value, dtype=np.float64))


def _relative(a: float, b: float) -> float:
    scale = max(abs(a), abs(b))
    return 0.0 if scale < 1e-12 else abs(a - b) / scale
