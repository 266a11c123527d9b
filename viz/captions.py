"""The caption of each backward step: the chain rule with the graph's own labels and numbers.

    Step 2 of 4 · pow = pow(add, 2): the gradient arriving is ∂loss/∂pow = [[0.5 0.5]]
      → add: ∂pow/∂add = 2·add^(2-1) = [[44 56]];
             upstream × local = [[0.5 0.5]] × [[44 56]] = [[22 28]]    (one line on screen)
      → x: ∂add/∂x = 1; upstream × local = 3 × 1 = 3; 1 so far + 3 = 4

Local formulas come from the op table (`d(x*y)/dx = y`); their placeholders (`x`, `y`, `a`,
`b`) are replaced by the labels of the op's actual inputs, so that a formula never names a
different node that happens to be called `b`. An input that already received gradient
from earlier steps says how it adds up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

import autodiff as ad
from viz import names, text

# Ops whose local derivative is elementwise: upstream × local = contribution, number by number
# (for the others, softmax or matmul with the same shapes, the quotient would mean nothing).
ELEMENTWISE = frozenset(
    {"add", "subtract", "multiply", "divide", "negative", "pow", "square", "sqrt", "sign", "abs"}
    | {"maximum", "minimum", "exp", "log", "log1p", "sin", "cos", "tan", "tanh", "sigmoid"}
    | {"relu", "softplus", "where", "clip_by_value", "cast", "identity"}
    | {"tanh_grad", "sigmoid_grad"}
    | {"erf", "atan", "sinh", "cosh", "leaky_relu", "elu", "gelu", "silu"}
    | {"sigmoid_cross_entropy_with_logits"}
)
_TOKEN = r"(?<![A-Za-z_0-9ᵢ]){}(?![A-Za-z_0-9ᵢ])"
_DENOMINATOR = re.compile(r"/d\(?([A-Za-z]+ᵢ?)\)?\s*$")


def compact(array: np.ndarray) -> str:
    """An array on one line (a summary when large), without the columns' padding."""
    return " ".join(" ".join(text.array_lines(array)).split()).replace("[ ", "[")


def flow_text(array: np.ndarray) -> str:
    """What an edge carries back, short enough to sit on it: a few numbers in full, a
    larger array as its norm (`‖·‖ 0.731`)."""
    if array.size <= 3:
        return compact(array)
    with np.errstate(all="ignore"):
        norm = float(np.sqrt(np.sum(np.square(array, dtype=np.float64))))
    return f"‖·‖ {text.number(norm)}"


def _call(label: str, node: ad.Node, inputs: str) -> str:
    """`h = tanh(add)`, or `tanh(add)` for an op whose label is its op's name."""
    call = f"{node.op}({inputs})"
    return call if label == node.op else f"{label} = {call}"


def _brief(array: np.ndarray) -> str:
    """An array printed in full when the diagram prints it in full, else by its norm."""
    return compact(array) if array.size <= text.MAX_ELEMENTS else flow_text(array)


def caption(
    graph: ad.Graph,
    step: ad.BackwardStep,
    k: int,
    total: int,
    labels: Sequence[str],
    so_far: Mapping[int, np.ndarray],
) -> str:
    """The caption of step `k` of `total`; `so_far[i]`: what input `i` received before it."""
    node = graph.nodes[step.node]
    label, target = labels[node.id], labels[graph.target]
    upstream = compact(step.upstream)
    inputs = ", ".join(labels[i] for i in node.inputs)
    lines = [
        f"Step {k} of {total} · {_call(label, node, inputs)}: the gradient arriving is "
        f"∂{names.symbol(target)}/∂{names.symbol(label)} = {upstream}"
    ]
    formulas = local_formulas(graph, node, labels)
    for i, contribution in step.contributions.items():
        line = f"  → {labels[i]}: " + _product(graph, step, i, contribution, formulas, labels)
        if i in so_far:
            before = so_far[i]
            line += f"; {_brief(before)} so far + {_brief(contribution)} = "
            line += _brief(before + contribution)
        lines.append(line)
    return "\n".join(lines)


def _product(
    graph: ad.Graph,
    step: ad.BackwardStep,
    i: int,
    contribution: np.ndarray,
    formulas: Mapping[int, str],
    labels: Sequence[str],
) -> str:
    """`∂out/∂in = formula = local; upstream × local = u × l = c` for an elementwise op;
    for matmul `formula = c`; for a broadcast or a reduction, how the shapes meet."""
    node = graph.nodes[step.node]
    formula = formulas.get(i, "")
    derivative = f"∂{names.symbol(labels[node.id])}/∂{names.symbol(labels[i])}"
    local = local_derivative(graph, step, i, contribution)
    if local is not None:
        value = compact(local)
        said = f"{formula} = " if formula and formula != value else ""  # not "1 = 1"
        return (
            f"{derivative} = {said}{value}; upstream × local = {compact(step.upstream)} × "
            f"{value} = {compact(contribution)}"
        )
    if not formula or "upstream" in formula or "gradient" in formula:
        return f"{formula} = {compact(contribution)}" if formula else compact(contribution)
    upstream, shape = step.upstream.shape, graph.nodes[i].shape
    if upstream == shape:  # softmax: a full Jacobian, not a number per element
        return f"{derivative} = {formula}; upstream · Jacobian = {compact(contribution)}"
    if step.upstream.size >= contribution.size:
        how = f"summed over the broadcast axes, {text.shape(upstream)} → {text.shape(shape)}"
    else:
        how = f"spread over {text.shape(shape)}"
    return f"{derivative} = {formula}; upstream × local, {how} = {compact(contribution)}"


def local_formulas(graph: ad.Graph, node: ad.Node, labels: Sequence[str]) -> dict[int, str]:
    """Input node id -> the local derivative of `node` with respect to it, in the graph's
    labels (`d(x*y)/dx = y` for `h = x1 * w1` gives `w1` for input `x1`). An input used
    twice (`x * x`) gets the sum of its positions' derivatives."""
    op = getattr(_function(node.op), "op", None)
    if op is None:
        return {}
    n = len(node.inputs)
    raw = [op.formula(p) for p in range(n)]
    holders = [_placeholder(f) for f in raw]
    terms = {holders[p]: names.symbol(labels[node.inputs[p]]) for p in range(n) if holders[p]}
    parts: dict[int, list[str]] = {}
    for p, i in enumerate(node.inputs):
        if raw[p]:
            parts.setdefault(i, []).append(_substitute(_right_side(raw[p]), terms))
    return {i: " + ".join(terms_of_i) for i, terms_of_i in parts.items()}


def _function(op: str | None) -> object:
    """The public function of the op called `op`: at the top level of `ad`, or in one of its
    namespaces as TensorFlow's (`ad.nn.conv2d`), or None."""
    for space in (ad, ad.nn, ad.math, ad.linalg):
        fn = getattr(space, op or "", None)
        if getattr(fn, "op", None) is not None:
            return fn
    return None


def _placeholder(formula: str) -> str:
    """The letter a formula differentiates by (`x` in `d(x*y)/dx = y`), or ''."""
    left = formula.split(" = ", 1)[0] if " = " in formula else ""
    match = _DENOMINATOR.search(left)
    return match.group(1) if match else ""


def _right_side(formula: str) -> str:
    """What a formula says the derivative is: `y` of `d(x*y)/dx = y`; `eˣ` as `exp(x)`."""
    right = formula.split(" = ", 1)[1] if " = " in formula else formula
    return right.replace("eˣ", "exp(x)")


def _substitute(formula: str, terms: Mapping[str, str]) -> str:
    """Placeholders replaced by labels (`2x` becomes `2·h1`); `g`, when it is not a
    placeholder, is the gradient arriving: `upstream`."""
    if "g" not in terms:
        terms = {**terms, "g": "upstream"}
    if not terms:
        return formula
    longest_first = sorted(terms, key=len, reverse=True)
    pattern = re.compile("|".join(_TOKEN.format(re.escape(t)) for t in longest_first))

    def replace(match: re.Match[str]) -> str:
        before = formula[match.start() - 1] if match.start() else ""
        term = terms[match.group(0)]
        if before in "0123456789)" and before:
            return f"·{term}"  # 2x: 2·h1
        if before in "²ᵀ" and before and not term.startswith("("):
            return f"({term})"  # tanh²x: tanh²(h1)
        return term

    return pattern.sub(replace, formula)


def local_derivative(
    graph: ad.Graph, step: ad.BackwardStep, i: int, contribution: np.ndarray
) -> np.ndarray | None:
    """∂node/∂input `i` element by element, when the op is elementwise (upstream, input and
    contribution of one shape), so that upstream × local = contribution. Where the
    upstream gradient is 0 the quotient says nothing: the op is then differentiated again
    with an upstream of ones."""
    upstream = step.upstream
    if graph.nodes[step.node].op not in ELEMENTWISE:
        return None
    if upstream.shape != contribution.shape or upstream.size == 0:
        return None
    if graph.nodes[i].shape != contribution.shape:
        return None
    if np.all(np.isfinite(upstream)) and np.all(upstream != 0):
        with np.errstate(all="ignore"):
            return contribution / upstream
    return _with_ones(graph, graph.nodes[step.node], i)


def _with_ones(graph: ad.Graph, node: ad.Node, i: int) -> np.ndarray | None:
    """The op's vector-Jacobian product with ones, for input `i` (None if it cannot be
    recomputed outside the graph: a custom op)."""
    fn = _function(node.op)
    if getattr(fn, "op", None) is None:
        return None
    xs = [ad.constant(graph.nodes[j].value) for j in node.inputs]
    try:
        with ad.GradientTape() as tape:
            for x in xs:
                tape.watch(x)
            out = fn(*xs, **node.attrs)
        grads = tape.gradient(out, xs, output_gradients=ad.ones_like(out))
    except (TypeError, ValueError):
        return None
    found = [g.numpy() for j, g in zip(node.inputs, grads, strict=True) if j == i and g is not None]
    return sum(found[1:], found[0]) if found else None


def question(
    graph: ad.Graph, step: ad.BackwardStep, k: int, total: int, labels: Sequence[str]
) -> dict:
    """Quiz mode: what step k asks before it is revealed, and the answer it checks against
    (the gradient arriving at the current op)."""
    node = graph.nodes[step.node]
    label, target = labels[node.id], labels[graph.target]
    inputs = ", ".join(labels[i] for i in node.inputs)
    upstream = np.asarray(step.upstream, dtype=np.float64)
    count = "one number" if upstream.size == 1 else f"{upstream.size} numbers"
    shape = "" if upstream.ndim == 0 else f" (shape {upstream.shape}, row by row)"
    return {
        "question": (
            f"Step {k} of {total} · {_call(label, node, inputs)}. What gradient arrives "
            f"here: ∂{names.symbol(target)}/∂{names.symbol(label)} = ? Type {count}{shape}."
        ),
        "answer": [float(v) if np.isfinite(v) else str(v) for v in upstream.ravel().tolist()],
        "shape": list(upstream.shape),
    }
