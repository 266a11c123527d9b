"""The op table, continued: selection and shape ops under TensorFlow's names.

`gather gather_nd tile pad split unstack reverse einsum tensordot norm`, each defined once as
in `autodiff.ops` (`@primitive`: NumPy forward, gradients written with the table's own ops so
that they can be differentiated again, `saves=`, dtypes). Ops that return several tensors
(`split`, `unstack`) record one op per output (`split` with `begin`/`size`, `unstack` with
`index`), whose gradient pads the upstream gradient back to the input's shape; ops with a
variable number of inputs (`einsum`) take them as a list, like `concat`.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

from autodiff.backend import Ops
from autodiff.ops import (
    Axis,
    _axes,
    _shape,
    _unreduce,
    abs,
    reduce_max,
    reduce_sum,
    reshape,
)
from autodiff.primitive import Grad, primitive, public_names
from autodiff.tensor import Tensor, TensorLike, convert_to_tensor


# ----------------------------------------------------------------------------- helpers
def _ints(value: Any, op: str, what: str) -> list[int]:
    """`value` (an int, a list of ints or an int tensor) as a list of ints, or a TypeError."""
    if isinstance(value, Tensor):
        value = value._value.tolist()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return [int(value)]
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise TypeError(f"{op}: {what} must be an int or a list of ints, got {value!r}")
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, int | np.integer):
            raise TypeError(f"{op}: {what} must be ints, got {value!r}")
        out.append(int(v))
    return out


def _values(x: Any) -> np.ndarray:
    """The NumPy values of a tensor, or of the bare array the backward pass hands over."""
    return x._value if isinstance(x, Tensor) else np.asarray(x)


def _check_indices(indices: np.ndarray, size: int, op: str, axis: int) -> None:
    """TensorFlow's rule (on CPU): every index in [0, size), else an error naming the first."""
    if indices.dtype.kind not in "iu":
        raise TypeError(
            f"indices must be integers (int32 or int64), not {indices.dtype}; cast them first: "
            "ad.cast(indices, ad.int32)"
        )
    bad = (indices < 0) | (indices >= size)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        value = int(indices[where])
        hint = (
            " (negative indices do not count from the end in TensorFlow: add the axis length "
            "first, e.g. indices % n)"
            if value < 0
            else ""
        )
        raise ValueError(
            f"indices{list(where)} = {value} is not in [0, {size}) along axis {axis}{hint}"
        )


def _named_axis(op: str, axis: Any, ndim: int) -> int:
    """One axis, for the functions that are not ops themselves (their errors name them)."""
    try:
        (axis,) = _axes(axis, ndim)
    except (TypeError, ValueError) as e:
        raise type(e)(f"{op}: {e}") from None
    return axis


# ----------------------------------------------------------------------------- gather
class _Gather:
    """Where `gather` reads, as one NumPy index of `params`: for each batch dimension an
    `arange` grid, slices up to `axis`, then the indices. NumPy puts the indexed dimensions
    first when slices separate them (batch_dims < axis): `moved` is then the permutation from
    NumPy's order (batch, indices, sliced, rest) to TensorFlow's (batch, sliced, indices, rest)."""

    def __init__(self, params: Any, indices: Any, axis: Any, batch_dims: Any) -> None:
        idx = _values(indices)
        b = int(batch_dims) + (idx.ndim if batch_dims < 0 else 0)
        if isinstance(batch_dims, bool) or not 0 <= b <= idx.ndim:
            raise ValueError(f"batch_dims={batch_dims} must be in [-{idx.ndim}, {idx.ndim}]")
        (a,) = _axes(b if axis is None else axis, params.ndim)
        if a < b or params.shape[:b] != idx.shape[:b]:
            raise ValueError(
                f"with batch_dims={b}, axis ({a}) must be >= batch_dims and params and indices "
                f"must share their first {b} dimensions: params {params.shape}, indices "
                f"{idx.shape}"
            )
        self.axis, self.batch = a, b
        grids = [
            np.arange(n).reshape((1,) * k + (n,) + (1,) * (idx.ndim - k - 1))
            for k, n in enumerate(params.shape[:b])
        ]
        self.index = (*grids, *[slice(None)] * (a - b), idx)
        rank, sliced, found = params.ndim + idx.ndim - 1 - b, a - b, idx.ndim - b
        self.moved: list[int] | None = None
        if b and sliced:  # NumPy's order: batch, indices, sliced, rest
            self.moved = [
                *range(b),
                *range(b + found, b + found + sliced),
                *range(b, b + found),
                *range(b + found + sliced, rank),
            ]


def _gather_grad(
    ops: Ops,
    g: Tensor,
    out: Tensor,
    params: Tensor,
    indices: Tensor,
    validate_indices: Any,
    axis: Any,
    batch_dims: int,
) -> Tensor:
    where = _Gather(params, indices, axis, batch_dims)
    if where.moved is not None:  # back to NumPy's order
        g = ops.transpose(g, np.argsort(where.moved).tolist())
    return ops.scatter(g, params.shape, where.index)


@primitive(
    jvp="linear",
    saves=("indices",),
    independent=(1,),
    grads=(_gather_grad, None),
    formulas=("the gradient added back at the gathered positions", ""),
)
def gather(
    params: TensorLike,
    indices: TensorLike,
    validate_indices: Any = None,
    axis: int | None = None,
    batch_dims: int = 0,
    name: str | None = None,
) -> Tensor:
    """Slices of `params` along `axis` at `indices`, as `tf.gather`.

    Args:
      params: the tensor to take slices from, of rank at least `axis + 1`.
      indices: an int tensor of any shape; each entry in `[0, params.shape[axis])`.
      validate_indices: ignored (deprecated in TensorFlow too).
      axis: the axis to gather along (by default `batch_dims`, so 0).
      batch_dims: how many leading dimensions params and indices share: each batch element
        gathers with its own indices (`gather(logits, labels, batch_dims=1)` picks one
        logit per row).

    Returns:
      `params.shape[:axis] + indices.shape[batch_dims:] + params.shape[axis + 1:]`. The
      gradient of `indices` is None; repeated indices add up their gradients.
    """
    if params.ndim == 0:
        raise ValueError("params must have rank 1 or more (a scalar has no axis to gather on)")
    where = _Gather(params, indices, axis, batch_dims)
    _check_indices(indices, params.shape[where.axis], "gather", where.axis)
    out = params[where.index]
    return out if where.moved is None else out.transpose(where.moved)


def _gather_nd_index(indices: Any) -> tuple[np.ndarray, ...]:
    idx = _values(indices)
    return tuple(idx[..., k] for k in range(idx.shape[-1]))


@primitive(
    jvp="linear",
    saves=("indices",),
    independent=(1,),
    grads=(
        lambda ops, g, out, params, indices, batch_dims: ops.scatter(
            g, params.shape, _gather_nd_index(indices)
        ),
        None,
    ),
    formulas=("the gradient added back at the gathered positions", ""),
)
def gather_nd(
    params: TensorLike, indices: TensorLike, batch_dims: int = 0, name: str | None = None
) -> Tensor:
    """Elements or slices of `params` at the index vectors in the last axis of `indices`.

    Args:
      params: a tensor of rank at least `indices.shape[-1]`.
      indices: an int tensor of shape `(..., K)`, each row an index into the first K axes
        of `params` (every entry in range, as TensorFlow on CPU).
      batch_dims: only 0 is supported.

    Returns:
      `indices.shape[:-1] + params.shape[K:]`.
    """
    if batch_dims != 0:
        raise ValueError("only batch_dims=0 is supported")
    if indices.ndim == 0 or indices.shape[-1] > params.ndim:
        raise ValueError(
            f"indices must have shape (..., K) with 1 <= K <= params' rank {params.ndim}, got "
            f"{indices.shape}; each index vector names one element or slice of params"
        )
    for k in range(indices.shape[-1]):
        _check_indices(indices[..., k], params.shape[k], "gather_nd", k)
    return params[_gather_nd_index(indices)]


# ----------------------------------------------------------------------------- tile, reverse
def _tile_grad(ops: Ops, g: Tensor, out: Tensor, x: Tensor, multiples: Any) -> Tensor:
    """Each copy's gradient summed: g reshaped to (m0, n0, m1, n1, ...), summed over the m's."""
    pairs = [d for pair in zip(_shape(multiples), x.shape, strict=True) for d in pair]
    return ops.reduce_sum(ops.reshape(g, pairs), axis=tuple(range(0, 2 * x.ndim, 2)))


@primitive(jvp="linear", saves=(), grads=(_tile_grad,), formulas=("the copies' gradients summed",))
def tile(input: TensorLike, multiples: Sequence[int], name: str | None = None) -> Tensor:
    """`input` repeated `multiples[i]` times along axis i (one multiple per axis).

    Args:
      input: a tensor.
      multiples: non-negative ints, as many as `input` has axes.
    """
    multiples = _ints(multiples, "tile", "multiples")
    if len(multiples) != input.ndim or builtins.min(multiples, default=0) < 0:
        raise ValueError(
            f"multiples {multiples} must give one non-negative int per axis of the input "
            f"(rank {input.ndim}); e.g. ad.tile(x, [2] + [1] * (x.ndim - 1))"
        )
    return np.tile(input, multiples)


def _reverse_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    return _axes(_ints(axis, "reverse", "axis"), ndim) or ()


@primitive(
    jvp="linear",
    saves=(),
    grads=(lambda ops, g, out, x, axis: ops.reverse(g, axis),),
    formulas=("gradient reversed back",),
)
def reverse(tensor: TensorLike, axis: Sequence[int], name: str | None = None) -> Tensor:
    """`tensor` with the order of its elements reversed along each axis in `axis` (a list)."""
    return np.flip(tensor, _reverse_axes(axis, tensor.ndim))


# ----------------------------------------------------------------------------- pad
_PAD_MODES = {"CONSTANT": "constant", "REFLECT": "reflect", "SYMMETRIC": "symmetric"}


def _paddings(paddings: Any, ndim: int) -> list[tuple[int, int]]:
    if isinstance(paddings, Tensor):
        paddings = paddings._value.tolist()
    pairs = np.asarray(paddings)
    if pairs.shape != (ndim, 2) or pairs.dtype.kind not in "iu" or (pairs < 0).any():
        raise ValueError(
            f"paddings must be {ndim} pairs [before, after] of non-negative ints (one per "
            f"axis of the input), got {paddings!r}; e.g. [[0, 0], [1, 1]] pads axis 1 by one"
        )
    return [(int(a), int(b)) for a, b in pairs.tolist()]


def _mode(mode: str) -> str:
    key = mode.upper() if isinstance(mode, str) else mode
    if key not in _PAD_MODES:
        raise ValueError(f"mode must be 'CONSTANT', 'REFLECT' or 'SYMMETRIC', got {mode!r}")
    return key


def _pad_grad(
    ops: Ops, g: Tensor, out: Tensor, x: Tensor, paddings: Any, mode: str, constant_values: Any
) -> Tensor:
    pads = _paddings(paddings, x.ndim)
    if _mode(mode) != "CONSTANT":
        return ops.mirror_pad_grad(g, paddings, mode)
    return ops.getitem(g, tuple(slice(a, a + n) for (a, _), n in zip(pads, x.shape, strict=True)))


def _pad_jvp(
    ops: Ops, tangents: list, out: Tensor, x: Tensor, paddings: Any, mode: str, constant_values: Any
) -> Tensor:
    """pad's JVP: the tangent padded the same way, with zeros (the padding is constant)."""
    return ops.pad(tangents[0], paddings, mode)


@primitive(
    jvp=_pad_jvp, saves=(), grads=(_pad_grad,), formulas=("the gradient without the padding",)
)
def pad(
    tensor: TensorLike,
    paddings: Sequence[Sequence[int]],
    mode: str = "CONSTANT",
    constant_values: Any = 0,
    name: str | None = None,
) -> Tensor:
    """`tensor` padded: `paddings[i] = [before, after]` values added along axis i.

    Args:
      tensor: a tensor.
      paddings: one pair of non-negative ints per axis.
      mode: 'CONSTANT' (with `constant_values`), 'REFLECT' (mirrored without the edge:
        at most n - 1 per side) or 'SYMMETRIC' (mirrored with the edge: at most n).
      constant_values: the value of the padding in 'CONSTANT' mode (not differentiable).
    """
    pads, key = _paddings(paddings, tensor.ndim), _mode(mode)
    if key == "CONSTANT":
        return np.pad(tensor, pads, constant_values=np.asarray(constant_values, tensor.dtype))
    most = 1 if key == "REFLECT" else 0
    for axis, ((a, b), n) in enumerate(zip(pads, tensor.shape, strict=True)):
        if builtins.max(a, b) > n - most:
            raise ValueError(
                f"{key} padding of axis {axis} (length {n}) can be at most {n - most} per side, "
                f"got {[a, b]}; pad less, or use mode='CONSTANT'"
            )
    return np.pad(tensor, pads, mode=_PAD_MODES[key])


def _mirror_sources(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """Which element of an axis of length n each padded position copies."""
    j = np.arange(-before, n + after)
    if mode == "REFLECT":
        return np.where(j < 0, -j, np.where(j >= n, 2 * (n - 1) - j, j))
    return np.where(j < 0, -j - 1, np.where(j >= n, 2 * n - 1 - j, j))


@primitive(
    jvp="linear",
    public=False,
    saves=(),
    grads=(lambda ops, g, out, grad, paddings, mode: ops.pad(g, paddings, mode),),
    formulas=("the gradient mirror-padded",),
)
def mirror_pad_grad(grad: TensorLike, paddings: Any, mode: str, name: str | None = None) -> Tensor:
    """The gradient of a REFLECT or SYMMETRIC `pad`: each padded position's gradient added to
    the element it copies."""
    pads, key = _paddings(paddings, grad.ndim), _mode(mode)
    for axis, (a, b) in enumerate(pads):
        n = grad.shape[axis] - a - b
        summed = np.zeros((*grad.shape[:axis], n, *grad.shape[axis + 1 :]), grad.dtype)
        np.add.at(summed, (slice(None),) * axis + (_mirror_sources(n, a, b, key),), grad)
        grad = summed
    return grad


# ----------------------------------------------------------------------------- split, unstack
def _pad_back(ops: Ops, g: Tensor, total: int, begin: int, axis: int) -> Tensor:
    """g padded with zeros along `axis` to `total`, starting at `begin`."""
    paddings = [[0, 0]] * g.ndim
    paddings[axis] = [begin, total - begin - g.shape[axis]]
    return ops.pad(g, paddings)


@primitive(
    jvp="linear",
    name="split",
    public=False,
    saves=(),
    grads=(
        lambda ops, g, out, x, begin, size, axis: _pad_back(ops, g, x.shape[axis], begin, axis),
    ),
    formulas=("the gradient put back in its slice, zeros elsewhere",),
)
def split_part(
    value: TensorLike, begin: int, size: int, axis: int, name: str | None = None
) -> Tensor:
    """One output of `split`: `size` elements along `axis` from `begin`."""
    return value[(slice(None),) * axis + (slice(begin, begin + size),)]


def _split_sizes(num_or_size_splits: Any, n: int) -> list[int]:
    """The parts' lengths along an axis of length n (equal parts, or sizes with one -1)."""
    if isinstance(num_or_size_splits, int | np.integer) and not isinstance(
        num_or_size_splits, bool
    ):
        parts = int(num_or_size_splits)
        if parts <= 0 or n % parts:
            raise ValueError(
                f"split: {parts} equal parts do not divide the axis of length {n}; give a "
                "divisor, or a list of sizes (one may be -1)"
            )
        return [n // parts] * parts
    sizes = _ints(num_or_size_splits, "split", "num_or_size_splits")
    if sizes.count(-1) == 1 and builtins.sum(s for s in sizes if s != -1) <= n:
        sizes[sizes.index(-1)] = n - builtins.sum(s for s in sizes if s != -1)
    if builtins.min(sizes, default=-1) < 0 or builtins.sum(sizes) != n:
        raise ValueError(
            f"split: the sizes {list(num_or_size_splits)} must be >= 0 and add up to the "
            f"axis' length {n} (one of them may be -1 for the rest)"
        )
    return sizes


def split(
    value: TensorLike,
    num_or_size_splits: int | Sequence[int],
    axis: int = 0,
    num: int | None = None,
    name: str | None = None,
) -> list[Tensor]:
    """`value` cut along `axis` into a list of tensors, as `tf.split`.

    Args:
      value: the tensor to split (rank 1 or more).
      num_or_size_splits: a number of equal parts (which must divide the axis), or the list
        of the parts' sizes along `axis` (adding up to its length; one may be -1).
      axis: the axis to cut.
      num: ignored (TensorFlow needs it only when the sizes are unknown).
    """
    value = convert_to_tensor(value)
    if value.ndim == 0:
        raise ValueError("split: a scalar has no axis to split; reshape it first")
    axis = _named_axis("split", axis, value.ndim)
    sizes = _split_sizes(num_or_size_splits, value.shape[axis])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int).tolist()
    return [split_part(value, b, s, axis, name=name) for b, s in zip(starts, sizes, strict=True)]


split.op = split_part.op  # type: ignore[attr-defined]  (what `split` records, per output)


@primitive(
    jvp="linear",
    name="unstack",
    public=False,
    saves=(),
    grads=(
        lambda ops, g, out, x, index, axis: _pad_back(
            ops, ops.expand_dims(g, axis), x.shape[axis], index, axis
        ),
    ),
    formulas=("the gradient put back at its index, zeros elsewhere",),
)
def unstack_part(value: TensorLike, index: int, axis: int, name: str | None = None) -> Tensor:
    """One output of `unstack`: the slice at `index` along `axis`, without that axis."""
    return value[(slice(None),) * axis + (index,)]


def unstack(
    value: TensorLike, num: int | None = None, axis: int = 0, name: str | None = None
) -> list[Tensor]:
    """The slices of `value` along `axis`, as a list of tensors of one rank less (`tf.unstack`).

    Args:
      value: a tensor of rank 1 or more.
      num: the length of the axis, when given it must match.
      axis: the axis to unpack.
    """
    value = convert_to_tensor(value)
    if value.ndim == 0:
        raise ValueError("unstack: a scalar has no axis to unstack; reshape it first")
    axis = _named_axis("unstack", axis, value.ndim)
    if num is not None and num != value.shape[axis]:
        raise ValueError(
            f"unstack: num={num} but axis {axis} has length {value.shape[axis]} "
            f"(shape {value.shape}); leave num out or fix it"
        )
    return [unstack_part(value, i, axis, name=name) for i in range(value.shape[axis])]


unstack.op = unstack_part.op  # type: ignore[attr-defined]  (what `unstack` records, per output)


# ----------------------------------------------------------------------------- einsum
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _einsum_parse(equation: str, shapes: Sequence[tuple[int, ...]]) -> tuple[list[str], str]:
    """The subscripts of each input and of the output, with `...` spelled out as letters."""
    if not isinstance(equation, str):
        raise TypeError(f"the equation must be a string such as 'ij,jk->ik', got {equation!r}")
    eq = equation.replace(" ", "")
    left, arrow, right = eq.partition("->")
    terms = left.split(",")
    if len(terms) != len(shapes):
        raise ValueError(
            f"the equation {equation!r} names {len(terms)} inputs but {len(shapes)} were given"
        )
    if builtins.any(c not in _LETTERS + ".," for c in left + right):
        raise ValueError(f"the equation {equation!r} may hold only letters, ',', '->' and '...'")
    dots = [
        len(s) - len(t.replace("...", "")) if "..." in t else 0
        for t, s in zip(terms, shapes, strict=True)
    ]
    free = [c for c in _LETTERS if c not in eq]
    width = builtins.max(dots, default=0)
    ell = "".join(free[:width])
    subs = [
        t.replace("...", ell[width - d :] if d else "") for t, d in zip(terms, dots, strict=True)
    ]
    if not arrow:
        once = sorted(c for c in set("".join(subs)) if "".join(subs).count(c) == 1)
        right = ell + "".join(c for c in once if c not in ell)
    else:
        right = right.replace("...", ell)
    return subs, right


def _einsum_check(subs: list[str], out: str, shapes: Sequence[tuple[int, ...]]) -> None:
    sizes: dict[str, int] = {}
    for s, shape in zip(subs, shapes, strict=True):
        if len(s) != len(shape):
            raise ValueError(f"the subscripts {s!r} do not fit an input of shape {shape}")
        if len(set(s)) != len(s):
            raise ValueError(
                f"a letter repeated within one input ({s!r}: a diagonal) is not supported; "
                "use ad.linalg.trace, or multiply by ad.eye"
            )
        for c, n in zip(s, shape, strict=True):
            if sizes.setdefault(c, n) != n:
                raise ValueError(
                    f"the letter {c!r} stands for dimensions of lengths {sizes[c]} and {n}; "
                    "they must be equal (lengths of 1 are not stretched here: use "
                    "ad.broadcast_to on the inputs first)"
                )
    if len(set(out)) != len(out) or not set(out) <= set(sizes):
        raise ValueError(f"the output subscripts {out!r} must be distinct letters of the inputs")


def _einsum_grad(
    ops: Ops, g: Tensor, out: Tensor, inputs: list[Tensor], index: int, equation: str
) -> Tensor:
    """The product of the upstream gradient with the other inputs, summed to input `index`'s
    subscripts (letters it alone has are summed in the forward: broadcast back)."""
    subs, right = _einsum_parse(equation, [x.shape for x in inputs])
    others = [s for k, s in enumerate(subs) if k != index]
    have = set(right).union(*others)
    mine = subs[index]
    kept = "".join(c for c in mine if c in have)
    terms = ",".join([right, *others])
    operands = [g, *[x for k, x in enumerate(inputs) if k != index]]
    grad = ops.einsum(operands, f"{terms}->{kept}")  # (the op: inputs as a list, then equation)
    if kept != mine:
        shape = [n if c in have else 1 for c, n in zip(mine, inputs[index].shape, strict=True)]
        grad = ops.broadcast_to(ops.reshape(grad, shape), inputs[index].shape)
    return grad


def _einsum_explain(inputs: Sequence[np.ndarray], equation: str) -> str | None:
    """Why the equation does not fit the inputs (its own words: the generic message for
    NumPy's "operands could not be broadcast" would send the user to broadcasting)."""
    shapes = [x.shape for x in inputs]
    try:
        _einsum_check(*_einsum_parse(equation, shapes), shapes)
    except (TypeError, ValueError) as e:
        return str(e)
    return None


@primitive(
    jvp="multilinear",
    name="einsum",
    public=False,
    dtypes="number",
    explain=_einsum_explain,
    grads=(_einsum_grad,),
    formulas=("the upstream gradient contracted with the other inputs",),
    variadic=True,
)
def einsum_op(inputs: Sequence[TensorLike], equation: str, name: str | None = None) -> Tensor:
    """The recorded op of `einsum` (inputs as a list)."""
    subs, right = _einsum_parse(equation, [x.shape for x in inputs])
    _einsum_check(subs, right, [x.shape for x in inputs])
    return np.einsum(f"{','.join(subs)}->{right}", *inputs)


def einsum(equation: str, *inputs: TensorLike, name: str | None = None, **kwargs: Any) -> Tensor:
    """A tensor contraction in Einstein notation, as `tf.einsum` (and NumPy).

    Args:
      equation: e.g. 'ij,jk->ik' (matmul), 'bij,bjk->bik' (batched), 'i,i->' (dot),
        'ij->ji' (transpose), '...ij,...jk->...ik'; without '->', the output is the letters
        used once, sorted. Each letter names one dimension; a letter repeated within one
        input (a diagonal) and broadcasting of dimensions are not supported.
      *inputs: the tensors, one per comma-separated term.

    Returns:
      The contraction: products over shared letters, summed over letters not in the output.
    """
    if kwargs:
        raise TypeError(f"einsum: unexpected keyword arguments {sorted(kwargs)}")
    return einsum_op(list(inputs), equation, name=name)


einsum.op = einsum_op.op  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------- tensordot
def _tensordot_axes(axes: Any, na: int, nb: int) -> tuple[list[int], list[int]]:
    if isinstance(axes, Tensor):
        axes = axes._value.tolist()
    if isinstance(axes, int | np.integer) and not isinstance(axes, bool):
        if not 0 <= axes <= builtins.min(na, nb):
            raise ValueError(
                f"axes={int(axes)} must be between 0 and the smaller rank "
                f"({builtins.min(na, nb)}): the last axes of a are summed with the first of b"
            )
        return list(range(na - axes, na)), list(range(axes))
    if not isinstance(axes, Sequence) or len(axes) != 2:
        raise ValueError(f"axes must be an int or a pair [axes of a, axes of b], got {axes!r}")
    a_axes = _axis_list(axes[0], na)
    b_axes = _axis_list(axes[1], nb)
    if len(a_axes) != len(b_axes):
        raise ValueError(f"axes {axes!r}: a and b must have as many axes to sum")
    return a_axes, b_axes


def _axis_list(axes: Any, ndim: int) -> list[int]:
    """`axes` as a list of non-negative axes of a rank-`ndim` tensor, in the order given."""
    out = []
    for a in _ints(axes, "tensordot", "axes"):
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for a tensor of rank {ndim}")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"axes {axes!r} name an axis twice")
    return out


def _tensordot_grad(wrt: int) -> Grad:
    def grad(ops: Ops, g: Tensor, out: Tensor, a: Tensor, b: Tensor, axes: Any) -> Tensor:
        a_sum, b_sum = _tensordot_axes(axes, a.ndim, b.ndim)
        a_free = [i for i in range(a.ndim) if i not in a_sum]
        b_free = [i for i in range(b.ndim) if i not in b_sum]
        n = len(a_free)
        if wrt == 0:  # g's b-part against b's free axes: a's free axes, then b's summed ones
            part = ops.tensordot(g, b, [list(range(n, g.ndim)), b_free])
            labels = a_free + [a_sum[b_sum.index(j)] for j in sorted(b_sum)]
        else:
            part = ops.tensordot(a, g, [a_free, list(range(n))])
            labels = [b_sum[a_sum.index(i)] for i in sorted(a_sum)] + b_free
        perm = np.argsort(labels).tolist()
        return part if perm == list(range(len(perm))) else ops.transpose(part, perm)

    return grad


@primitive(
    jvp="multilinear",
    dtypes="number",
    saves=("a", "b"),
    grads=(_tensordot_grad(0), _tensordot_grad(1)),
    formulas=(
        "d/da = the upstream gradient contracted with b over b's free axes",
        "d/db = a contracted with the upstream gradient over a's free axes",
    ),
)
def tensordot(a: TensorLike, b: TensorLike, axes: Any, name: str | None = None) -> Tensor:
    """Sum of products over the given axes of `a` and `b`, as `tf.tensordot`.

    Args:
      a, b: tensors of one dtype.
      axes: an int N (the last N axes of a with the first N of b), or a pair of lists
        `[axes of a, axes of b]` of equal length whose dimensions match.
    """
    a_axes, b_axes = _tensordot_axes(axes, a.ndim, b.ndim)
    for i, j in zip(a_axes, b_axes, strict=True):
        if a.shape[i] != b.shape[j]:
            raise ValueError(
                f"axis {i} of a (length {a.shape[i]}) and axis {j} of b (length {b.shape[j]}) "
                "are summed together and must have the same length"
            )
    return np.tensordot(a, b, (a_axes, b_axes))


# ----------------------------------------------------------------------------- norm
def _norm_ord(ord: Any) -> float:
    if ord in ("euclidean", "fro"):
        return 2.0
    if isinstance(ord, bool) or not isinstance(ord, int | float | np.number) or not ord > 0:
        raise ValueError(
            f"ord must be 'euclidean', 'fro', a positive number or np.inf, got {ord!r}"
        )
    return float(ord)


def _norm_grad(
    ops: Ops, g: Tensor, out: Tensor, x: Tensor, ord: Any, axis: Any, keepdims: bool
) -> Tensor:
    p = _norm_ord(ord)
    g, top = _unreduce(ops, g, x, axis, keepdims), _unreduce(ops, out, x, axis, keepdims)
    if p == 2:
        return g * x / top
    if p == 1:
        return g * ops.sign(x)
    if p == np.inf:  # as reduce_max of |x|: ties share the gradient
        hit = ops.cast(ops.equal(ops.abs(x), top), g.dtype)
        return (
            g * ops.sign(x) * hit / _unreduce(ops, ops.reduce_sum(hit, axis, True), x, axis, True)
        )
    return g * ops.sign(x) * ops.pow(ops.abs(x) / top, p - 1)


@primitive(
    jvp="vjp",
    name="norm",
    public=False,
    dtypes="float",
    grads=(_norm_grad,),
    formulas=("d‖x‖/dx = x/‖x‖ (2-norm); sign(x)·(|x|/‖x‖)^(p-1) (p-norm)",),
)
def norm_op(
    tensor: TensorLike, ord: Any, axis: Axis, keepdims: bool, name: str | None = None
) -> Tensor:
    """The p-norm of `tensor` over `axis` (all axes when None)."""
    p, axes = _norm_ord(ord), _axes(axis, tensor.ndim)
    a = np.abs(tensor)
    if p == np.inf:
        out = np.max(a, axis=axes, keepdims=keepdims, initial=0)
    elif p == 1:
        out = np.sum(a, axis=axes, keepdims=keepdims)
    elif p == 2:
        out = np.sqrt(np.sum(np.square(a), axis=axes, keepdims=keepdims))
    else:
        out = np.sum(a**p, axis=axes, keepdims=keepdims) ** (1 / p)
    return np.asarray(out, dtype=a.dtype)


def norm(
    tensor: TensorLike,
    ord: Any = "euclidean",
    axis: int | Sequence[int] | None = None,
    keepdims: bool | None = None,
    name: str | None = None,
) -> Tensor:
    """The norm of vectors or matrices in `tensor`, as `tf.norm` (and `tf.linalg.norm`).

    Args:
      tensor: a float tensor.
      ord: 'euclidean' (the default: the 2-norm of vectors, Frobenius of matrices), 'fro',
        1, 2, np.inf or any p > 0 for vectors; 'fro', 'euclidean', 1 (largest column sum)
        or np.inf (largest row sum) for matrices. (The spectral norm, ord=2 of a matrix,
        needs an SVD, which the engine does not have.)
      axis: None (the whole tensor as one vector), an int (vectors along it), or a pair of
        ints (matrices in those two axes).
      keepdims: keep the reduced axes with length 1.

    Returns:
      The norms; the gradient of the 2-norm at 0 is nan, as TensorFlow's.
    """
    tensor, keepdims = convert_to_tensor(tensor), bool(keepdims)
    pair = not isinstance(axis, int | np.integer | None) and len(_ints(axis, "norm", "axis")) == 2
    if not pair or ord in ("euclidean", "fro"):
        if ord == "fro" and not pair and not (axis is None and tensor.ndim == 2):
            raise ValueError("norm: ord='fro' is for matrices: give axis=[-2, -1]")
        return norm_op(tensor, ord, axis, keepdims, name=name)
    try:
        rows, cols = _axis_list(axis, tensor.ndim)
    except ValueError as e:
        raise ValueError(f"norm: {e}") from None
    if ord not in (1, np.inf):
        raise ValueError(
            f"norm: ord={ord!r} is not supported for matrices: use 'fro', 'euclidean', 1 or "
            "np.inf (the spectral norm, ord=2, needs an SVD, which the engine does not have)"
        )
    summed, top = (rows, cols) if ord == 1 else (cols, rows)
    sums = reduce_sum(abs(tensor), axis=summed, keepdims=True)
    out = reduce_max(sums, axis=top, keepdims=True)
    return (
        out
        if keepdims
        else reshape(out, [n for i, n in enumerate(out.shape) if i not in (rows, cols)], name=name)
    )


norm.op = norm_op.op  # type: ignore[attr-defined]

__all__ = [
    *public_names(globals()),
    "einsum",
    "norm",
    "split",
    "unstack",
]
