"""The caption of each backward step: the chain rule with the graph's own labels and numbers.

    Step 2 of 4 · pow = pow(add, 2): the gradient arriving is ∂loss/∂pow = [[0.5 0.5]]
      → add: ∂pow/∂add = 2·add^(2-1) = [[44 56]];
             upstream × local = [[0.5 0.5]] × [[44 56]] = [[22 28]]    (one line on screen)
      → x: ∂add/∂x = 1; upstream × local = 3 × 1 = 3; 1 so far + 3 = 4

Local formulas come from the op table (`d(x*y)/dx = y`); their placeholders (`x`, `y`, `a`,
`b`) are replaced by the labels of the op's actual inputs, so that a formula never names a
different node that happens to be called `b`. An input that already received gradient
from earlier steps says how it adds up.

Arrays small enough for the diagram to print in full (`text.MAX_ELEMENTS`) are printed in
full, as above. A larger one is named by its shape, and the rule at the level of shapes is
worked through for one element, the one with the largest contribution, with real numbers:

      → counts: ∂probs/∂counts = counts_sum_inv, elementwise; upstream × local;
        for [3, 5]: upstream -2.492 × local 0.1874 = -0.467

(a broadcast input sums such products, a matmul's element is a row times a column, an
indexed tensor gets the upstream elements copied from it scattered back into a zero array
of its shape), and an accumulation is a sum of arrays, said for that element
(`-0.00707 so far + 0.00018 = -0.00689`), never as norms added.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

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
# Ops that only move elements (each output element is a copy of one input element, or a
# constant): which input element each output copies is found by running the op's forward on
# the input's element numbers. Their gradient scatters the upstream back (adding repeats).
MOVES = frozenset(
    {"getitem", "gather", "reshape", "transpose", "concat", "stack", "squeeze", "expand_dims"}
    | {"tile", "reverse", "broadcast_to", "identity"}
)
SCATTERS = frozenset({"getitem", "gather", "gather_nd"})  # said as a scatter into zeros
MAX_TERMS = 3  # products of a sum written out in a caption, at most (the largest)
_TOKEN = r"(?<![A-Za-z_0-9ᵢ]){}(?![A-Za-z_0-9ᵢ])"
_DENOMINATOR = re.compile(r"/d\(?([A-Za-z]+ᵢ?)\)?\s*$")
QUIZ_WHOLE = 6  # a quiz asks for a whole gradient of up to this many elements, else one


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


def small(*arrays: np.ndarray) -> bool:
    """Whether the diagram prints these arrays in full (so a caption can too)."""
    return all(a.size <= text.MAX_ELEMENTS for a in arrays)


def said(array: np.ndarray) -> str:
    """An array in a caption: in full when small, else by its shape (never min/mean/max)."""
    return compact(array) if small(array) else f"an array of shape {text.shape(array.shape)}"


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
    upstream = said(step.upstream)
    arriving = f"∂{names.symbol(target)}/∂{names.symbol(label)}"
    inputs = ", ".join(labels[i] for i in node.inputs)
    lines = [
        f"Step {k} of {total} · {_call(label, node, inputs)}: the gradient arriving is "
        + (f"{arriving} = {upstream}" if small(step.upstream) else f"{arriving}, {upstream}")
    ]
    formulas = local_formulas(graph, node, labels)
    for i, contribution in step.contributions.items():
        if small(step.upstream, contribution):
            said_product = _product(graph, step, i, contribution, formulas, labels)
        else:
            said_product = tensor_product(graph, step, i, contribution, formulas, labels)
        line = f"  → {labels[i]}: " + said_product
        if i in so_far:
            line += accumulated(so_far[i], contribution)
        lines.append(line)
    return "\n".join(lines)


def accumulated(before: np.ndarray, contribution: np.ndarray) -> str:
    """How a contribution adds to what the input received before: in full when small, else
    as a sum of arrays, worked through for the element of the largest contribution."""
    total = before + contribution
    if small(before, contribution):
        return f"; {compact(before)} so far + {compact(contribution)} = {compact(total)}"
    e = largest(contribution)
    return (
        f"; added to what it received before, elementwise, a sum of {text.shape(total.shape)} "
        f"arrays: for {_where(e)}: {_n(before[e])} so far + {_factor(contribution[e])} = "
        f"{_n(total[e])}"
    )


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


# ----------------------------------------------------------------------------- tensors
Term = tuple[tuple[int, ...], tuple[float, ...]]  # an upstream element's position, factors


def tensor_product(
    graph: ad.Graph,
    step: ad.BackwardStep,
    i: int,
    contribution: np.ndarray,
    formulas: Mapping[int, str],
    labels: Sequence[str],
) -> str:
    """A contribution of arrays too large to print: the rule at the level of shapes, then
    one element, the one of largest |contribution|, worked through with its numbers."""
    node, x = graph.nodes[step.node], graph.nodes[i]
    sources = _sources(graph, node, i)
    rule = tensor_rule(graph, step, i, formulas.get(i, ""), labels, sources)
    if contribution.size == 0 or contribution.dtype.kind not in "fiu":
        return f"{rule} = {said(contribution)}"
    e = largest(contribution)
    terms = _terms(graph, step, i, contribution, e, sources)
    if terms is None:
        return f"{rule}; for {_where(e)}: {_n(contribution[e])}"
    if node.op == "matmul":
        a, b = (labels[j] for j in node.inputs)
        how = f"Σₖ upstream[{e[0]}, k] × {b}[{e[1]}, k]" if x.id == node.inputs[0] else ""
        how = how or f"Σₖ {a}[k, {e[0]}] × upstream[k, {e[1]}]"
        return f"{rule}; for {_where(e)}: {how} = {_sum(terms, contribution[e])}"
    return f"{rule}; for {_where(e)}: {_account(terms, contribution[e], sources is not None)}"


def tensor_rule(
    graph: ad.Graph,
    step: ad.BackwardStep,
    i: int,
    formula: str,
    labels: Sequence[str],
    sources: np.ndarray | None,
) -> str:
    """The shape-level rule of one contribution (`upstream × local, summed over ...`)."""
    node, x = graph.nodes[step.node], graph.nodes[i]
    derivative = f"∂{names.symbol(labels[node.id])}/∂{names.symbol(labels[i])}"
    upstream, shape = step.upstream.shape, x.shape
    if sources is not None and node.op in SCATTERS:
        reached = np.unique(sources[sources >= 0]).size
        return (
            f"upstream scattered back into a zero array of {labels[i]}'s shape "
            f"{text.shape(shape)}: each element gets the upstream elements copied from it, "
            f"added ({reached} of {x.value.size} elements get some)"
        )
    if not formula or "upstream" in formula or "gradient" in formula:
        return formula or "the op's gradient"
    if node.op in ELEMENTWISE and upstream == shape:
        return f"{derivative} = {formula}, elementwise; upstream × local"
    if upstream == shape:  # softmax: a full Jacobian, not a number per element
        return f"{derivative} = {formula}; upstream · Jacobian"
    if step.upstream.size >= x.value.size:
        how = f"summed over the broadcast axes, {text.shape(upstream)} → {text.shape(shape)}"
    else:
        how = f"spread over {text.shape(shape)}"
    return f"{derivative} = {formula}; upstream × local, {how}"


def largest(array: np.ndarray) -> tuple[int, ...]:
    """The position of the element of largest magnitude (the first, if all are equal)."""
    if array.ndim == 0:
        return ()
    with np.errstate(all="ignore"):
        magnitude = np.nan_to_num(np.abs(array.astype(np.float64)), nan=np.inf)
    return tuple(int(k) for k in np.unravel_index(int(np.argmax(magnitude)), array.shape))


def _terms(
    graph: ad.Graph,
    step: ad.BackwardStep,
    i: int,
    contribution: np.ndarray,
    e: tuple[int, ...],
    sources: np.ndarray | None,
) -> list[Term] | None:
    """The products that make element `e` of the contribution to input `i`: each an
    upstream element's position and its factors (upstream, local), or None when the op's
    gradient is not a sum of such products to be shown."""
    node, x = graph.nodes[step.node], graph.nodes[i]
    up = step.upstream
    if node.op in ELEMENTWISE and up.shape == x.shape:  # x * x too: the local is the sum
        local = local_derivative(graph, step, i, contribution)
        return None if local is None else [(e, (float(up[e]), float(local[e])))]
    if node.inputs.count(i) > 1 or (x.value.ndim == 0 and up.ndim == 0):
        return None
    if sources is not None:
        where = np.argwhere(sources == np.ravel_multi_index(e, x.shape))
        return [(tuple(int(k) for k in p), (float(up[tuple(p)]),)) for p in where]
    if node.op == "matmul":
        return _matmul_terms(graph, node, i, up, e)
    if node.op in ELEMENTWISE and up.size > x.value.size:  # a broadcast input
        local = _with_ones(graph, node, i, broadcast=True)
        if local is None or local.shape != up.shape:
            return None
        numbers = np.arange(x.value.size).reshape(x.shape)
        where = np.argwhere(np.broadcast_to(numbers, up.shape) == numbers[e])
        return [
            (tuple(int(k) for k in p), (float(up[tuple(p)]), float(local[tuple(p)]))) for p in where
        ]
    return _reduction_terms(node, x, up, contribution, e)


def _matmul_terms(
    graph: ad.Graph, node: ad.Node, i: int, up: np.ndarray, e: tuple[int, ...]
) -> list[Term] | None:
    """Element [r, c] of a 2-D matmul's gradient: a row of one factor times a column."""
    a, b = (graph.nodes[j].value for j in node.inputs)
    if a.ndim != 2 or b.ndim != 2 or up.ndim != 2 or any(node.attrs.values()):
        return None
    r, c = e
    if i == node.inputs[0]:  # (g @ bᵀ)[r, c] = Σₖ g[r, k] b[c, k]
        return [((r, k), (float(up[r, k]), float(b[c, k]))) for k in range(up.shape[1])]
    return [((k, c), (float(a[k, r]), float(up[k, c]))) for k in range(up.shape[0])]


def _reduction_terms(
    node: ad.Node, x: ad.Node, up: np.ndarray, contribution: np.ndarray, e: tuple[int, ...]
) -> list[Term] | None:
    """A reduction's gradient at element `e` of its input: the upstream element it was
    reduced into, times the local derivative there."""
    if not (node.op or "").startswith("reduce_") or "axis" not in node.attrs:
        return None
    axis = node.attrs["axis"]
    axes = range(x.value.ndim) if axis is None else np.atleast_1d(axis).tolist()
    axes = {int(a) % max(x.value.ndim, 1) for a in axes}
    if node.attrs.get("keepdims"):
        position = tuple(0 if k in axes else p for k, p in enumerate(e))
    else:
        position = tuple(p for k, p in enumerate(e) if k not in axes)
    if len(position) != up.ndim:
        return None
    u = float(up[position])
    if u == 0:
        return None
    return [(position, (u, float(contribution[e]) / u))]


def _sources(graph: ad.Graph, node: ad.Node, i: int) -> np.ndarray | None:
    """For an op that moves elements, which element of input `i` (by its flat number) each
    output element copies, -1 where none: the op's forward run on the element numbers."""
    if node.op not in MOVES or node.inputs.count(i) != 1:
        return None
    fn = getattr(ad, node.op, None) or getattr(ad.ops, node.op, None)
    op = getattr(fn, "op", None)
    if op is None:
        return None
    values = [
        np.full(graph.nodes[j].shape, -1.0)
        if graph.nodes[j].dtype.kind in "fc"
        else graph.nodes[j].value
        for j in node.inputs
    ]
    values[node.inputs.index(i)] = np.arange(graph.nodes[i].value.size, dtype=np.float64).reshape(
        graph.nodes[i].shape
    )
    try:
        out = op.forward(values, **node.attrs) if op.variadic else op.forward(*values, **node.attrs)
    except Exception:  # an op whose forward needs more than numbers: said without the map
        return None
    out = np.asarray(out)
    return out.astype(np.int64) if out.shape == node.shape else None


def _account(terms: list[Term], value: np.ndarray, copies: bool) -> str:
    """One element's contribution from its terms: a product, or a sum of them."""
    if copies:
        if not terms:
            return f"no upstream element was copied from it: {_n(value)}"
        if len(terms) == 1:
            return f"upstream{_where(terms[0][0])} = {_n(value)}"
        return f"the upstream elements copied from it, {_sum(terms, value)}"
    if len(terms) == 1:
        u, local = terms[0][1]
        return f"upstream {_n(u)} × local {_factor(local)} = {_n(value)}"
    return f"Σ of {len(terms)} products upstream × local = {_sum(terms, value)}"


def _sum(terms: list[Term], value: np.ndarray) -> str:
    """`a × b + c × d + … (n terms, largest first) = value`: the `MAX_TERMS` largest
    products written out (a sum of many products is mostly made by a few)."""
    products = [float(np.prod(factors)) for _, factors in terms]
    order = sorted(range(len(terms)), key=lambda k: -abs(products[k]))[:MAX_TERMS]
    shown = [
        " × ".join(_n(f) if k == 0 else _factor(f) for k, f in enumerate(terms[t][1]))
        for t in order
    ]
    said_terms = shown[0] + "".join(f" + ({t})" if t[0] == "-" else f" + {t}" for t in shown[1:])
    if len(terms) > MAX_TERMS:
        said_terms += f" + … ({len(terms)} terms, the largest first)"
    return f"{said_terms} = {_n(value)}"


def _factor(value: float) -> str:
    """A number after ×: parenthesised when negative (`2 × (-1)`)."""
    said_value = _n(value)
    return f"({said_value})" if said_value.startswith("-") else said_value


def _where(position: tuple[int, ...]) -> str:
    return text.index(position)


def _n(value: float | np.ndarray) -> str:
    return text.number(float(value))


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


def _with_ones(
    graph: ad.Graph, node: ad.Node, i: int, broadcast: bool = False
) -> np.ndarray | None:
    """The op's vector-Jacobian product with ones, for input `i` (None if it cannot be
    recomputed outside the graph: a custom op). With `broadcast`, input `i` is first
    broadcast to the output's shape: the local derivative at every output element."""
    fn = _function(node.op)
    if getattr(fn, "op", None) is None:
        return None
    xs = [ad.constant(graph.nodes[j].value) for j in node.inputs]
    if broadcast:
        xs[node.inputs.index(i)] = ad.constant(np.broadcast_to(graph.nodes[i].value, node.shape))
    wanted = [x for j, x in zip(node.inputs, xs, strict=True) if j == i]  # (a float input)
    try:
        with ad.GradientTape() as tape:
            tape.watch(wanted)  # only input i: a `where`'s bool condition is not watched
            out = fn(*xs, **node.attrs)
        grads = tape.gradient(out, wanted, output_gradients=ad.ones_like(out))
    except (TypeError, ValueError):
        return None
    found = [g.numpy() for g in grads if g is not None]
    return sum(found[1:], found[0]) if found else None


def question(
    graph: ad.Graph, step: ad.BackwardStep, k: int, total: int, labels: Sequence[str]
) -> dict:
    """Quiz mode: what step k asks before it is revealed, and the answer it checks against:
    the gradient arriving at the current op, whole when it has at most `QUIZ_WHOLE`
    elements, else its element of largest magnitude (nobody types 64 numbers)."""
    node = graph.nodes[step.node]
    label, target = labels[node.id], labels[graph.target]
    inputs = ", ".join(labels[i] for i in node.inputs)
    upstream = np.asarray(step.upstream, dtype=np.float64)
    where = ""
    if upstream.size > QUIZ_WHOLE:
        finite = np.where(np.isfinite(upstream), np.abs(upstream), -1.0)
        index = np.unravel_index(int(np.argmax(finite)), upstream.shape)
        where = f" at element {text.index(tuple(int(i) for i in index))}"
        upstream = upstream[index]
    count = "one number" if upstream.size == 1 else f"{upstream.size} numbers"
    shape = "" if upstream.ndim == 0 else f" (shape {upstream.shape}, row by row)"
    return {
        "question": (
            f"Step {k} of {total} · {_call(label, node, inputs)}. What gradient arrives "
            f"here{where}: ∂{names.symbol(target)}/∂{names.symbol(label)} = ? "
            f"Type {count}{shape}."
        ),
        "answer": [float(v) if np.isfinite(v) else str(v) for v in upstream.ravel().tolist()],
        "shape": list(upstream.shape),
    }


# ----------------------------------------------------------------------------- forward mode
def dotted(label: str) -> str:
    """The tangent of `label` in a formula: ẋ for a one-letter name, else d(name)."""
    if len(label) == 1 and label.isalpha():
        return unicodedata.normalize("NFC", f"{label}\u0307")  # (ẏ as one character)
    return f"d{names.symbol(label)}"


def forward_caption(graph: ad.Graph, step: Any, k: int, total: int, labels: Sequence[str]) -> str:
    """The caption of forward step `k` of `total` (a `ForwardStep`): the op's tangent as the
    sum over its inputs of (local derivative) · (input's tangent), with the numbers:
    `ẏ = ∂y/∂x · ẋ = 3 × 0.5 = 1.5`."""
    node = graph.nodes[step.node]
    label = labels[node.id]
    inputs = ", ".join(labels[i] for i in node.inputs)
    y, ydot = names.symbol(label), dotted(label)
    formulas = local_formulas(graph, node, labels)
    terms = []
    for i, contribution in step.contributions.items():
        x, xdot, t = names.symbol(labels[i]), dotted(labels[i]), graph.nodes[i].tangent
        term = f"∂{y}/∂{x} · {xdot}"
        if formulas.get(i):
            term += f" = {formulas[i]} · {xdot}"
        if contribution.size == 1 and t.size == 1 and float(t.reshape(-1)[0]) != 0:
            local = float(contribution.reshape(-1)[0]) / float(t.reshape(-1)[0])
            term += f" = {_n(local)} × {_n(t.reshape(-1)[0])} = {_n(contribution.reshape(-1)[0])}"
        else:
            term += f" = {said(contribution)}"
        terms.append(term)
    lines = [f"Step {k} of {total} · {_call(label, node, inputs)}"]
    if len(terms) == 1:
        lines.append(f"  {ydot} = {terms[0]}")
    else:
        rules = " + ".join(t.split(" = ")[0] for t in terms)
        lines.append(f"  {ydot} = {rules}")
        lines += [f"    {t}" for t in terms]
        parts = " + ".join(said(c) if small(c) else "…" for c in step.contributions.values())
        lines.append(f"  {ydot} = {parts} = {said(step.tangent)}")
    return "\n".join(lines)
