"""Issue 25's ops without TensorFlow: namespaces, hostile arguments, NumPy interop, seeding,
what the tape records, and captions. (Values and gradients against TensorFlow are in
test_tf_ops.py and test_tensorflow.py; central differences in test_gradcheck.py.)"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autodiff as ad
from viz import captions

X = np.arange(12, dtype=np.float64).reshape(3, 4) / 7 - 0.5
IMG = np.random.RandomState(0).standard_normal((1, 5, 5, 2)).astype(np.float32)
KERNEL = np.ones((3, 3, 2, 4), np.float32)


# ============================================================================ namespaces
NAMESPACES = {
    "nn": """relu sigmoid softmax log_softmax softplus leaky_relu elu gelu silu
        softmax_cross_entropy_with_logits sparse_softmax_cross_entropy_with_logits
        sigmoid_cross_entropy_with_logits l2_loss moments batch_normalization dropout
        embedding_lookup conv2d conv1d max_pool2d avg_pool2d bias_add""",
    "math": "erf atan sinh cosh cumsum cumprod reduce_variance reduce_std exp log reduce_sum",
    "linalg": "matmul inv det solve norm trace einsum tensordot",
    "random": "set_seed normal uniform",
}
TOP_LEVEL = (
    "gather gather_nd tile pad split unstack reverse einsum tensordot norm atan sinh cosh cumsum"
)


@pytest.mark.parametrize("space", sorted(NAMESPACES))
def test_namespaces_hold_tensorflows_names(space: str) -> None:
    module = getattr(ad, space)
    for name in NAMESPACES[space].split():
        assert callable(getattr(module, name)), f"ad.{space}.{name}"
    assert set(module.__all__) >= set(NAMESPACES[space].split())


def test_one_function_per_op_wherever_it_is_reached() -> None:
    """Aliases are the same function (one op in the table), as tf.nn.relu is tf.math.relu."""
    for name in TOP_LEVEL.split():
        assert callable(getattr(ad, name)), name
    assert ad.nn.relu is ad.relu and ad.math.exp is ad.exp and ad.linalg.matmul is ad.matmul
    assert ad.linalg.norm is ad.norm and ad.math.cumsum is ad.cumsum
    assert ad.linalg.einsum is ad.einsum and ad.math.atan is ad.atan
    # the namespaces are not star-exported: they would hide the standard library's modules
    assert not {"math", "random", "nn", "linalg"} & set(ad.__all__)


def test_new_ops_are_recorded_under_their_names() -> None:
    x = ad.Variable(IMG)
    with ad.GradientTape(persistent=True) as tape:
        parts = ad.split(x, [2, 3], axis=1)
        rows = ad.unstack(parts[0], axis=1)
        y = ad.nn.conv2d(x, KERNEL, 1, "SAME")
        z = ad.einsum("nhwc->c", ad.nn.max_pool2d(y, 2, 2, "VALID"))
        loss = ad.reduce_sum(z) + ad.reduce_sum(rows[1]) + ad.norm(parts[1])
    ops = [n.op for n in tape.graph(loss).nodes if n.kind == "op"]
    for name in ("split", "unstack", "conv2d", "max_pool2d", "einsum", "norm"):
        assert name in ops
    conv = next(n for n in tape.graph(loss).nodes if n.op == "conv2d")
    assert conv.attrs["padding"] == "SAME" and conv.attrs["strides"] == 1


def test_gradient_ops_record_for_second_derivatives() -> None:
    """conv2d's gradients are ops too: an outer tape sees conv2d_backprop_input/filter."""
    x, k = ad.Variable(IMG), ad.Variable(KERNEL)
    with ad.GradientTape(persistent=True) as outer:
        with ad.GradientTape() as inner:
            y = ad.reduce_sum(ad.nn.max_pool2d(ad.nn.conv2d(x, k, 2, "SAME"), 2, 1, "SAME"))
        gx, gk = inner.gradient(y, [x, k])
        total = ad.reduce_sum(gx * gx) + ad.reduce_sum(gk)
    ops = {n.op for n in outer.graph(total).nodes}
    assert {"conv2d_backprop_input", "conv2d_backprop_filter", "max_pool2d_grad"} <= ops
    assert all(g is not None for g in outer.gradient(total, [x, k]))


@pytest.mark.filterwarnings("ignore::UserWarning")  # (watching an integer tensor warns)
def test_integer_labels_and_indices_get_no_gradient() -> None:
    labels, indices = ad.constant([1, 0]), ad.constant([2, 2, 0])
    logits = ad.Variable(X[:2])
    with ad.GradientTape(persistent=True) as tape:
        tape.watch([labels, indices])
        loss = ad.reduce_sum(ad.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))
        picked = ad.reduce_sum(ad.gather(logits, indices, axis=1))
    assert tape.gradient(loss, labels) is None
    assert tape.gradient(picked, indices) is None
    g = tape.gradient(picked, logits).numpy()
    np.testing.assert_array_equal(g, [[1, 0, 2, 0], [1, 0, 2, 0]])  # repeats add up


def test_max_pool_sends_ties_to_the_first_maximum() -> None:
    x = ad.Variable(np.array([[1.0, 3.0], [3.0, 3.0]]).reshape(1, 2, 2, 1))
    with ad.GradientTape() as tape:
        y = ad.nn.max_pool2d(x, 2, 2, "VALID")
    assert tape.gradient(y, x).numpy().ravel().tolist() == [0, 1, 0, 0]


def test_conv2d_is_numpys_correlation() -> None:
    """Against a direct sum over the kernel, on a SAME, strided, dilated case."""
    rng = np.random.RandomState(1)
    x, k = rng.standard_normal((2, 6, 7, 3)), rng.standard_normal((2, 3, 3, 2))
    out = ad.nn.conv2d(x, k, [2, 1], "SAME", dilations=[1, 2]).numpy()
    span_h, span_w = 2, 5
    pad_h, pad_w = max((3 - 1) * 2 + span_h - 6, 0), max((7 - 1) + span_w - 7, 0)
    xp = np.pad(
        x, ((0, 0), (pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2), (0, 0))
    )
    expected = np.zeros((2, 3, 7, 2))
    for i in range(2):
        for j in range(3):
            patch = xp[:, i : i + 2 * 3 : 2, 2 * j : 2 * j + 7, :]
            expected += np.einsum("nhwc,co->nhwo", patch, k[i, j])
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


# ============================================================================ hostile arguments
T = ad.constant(np.ones((2, 3), np.float32))
BAD: list[tuple[str, Callable[[], Any], type[Exception], tuple[str, ...]]] = [
    ("gather out of range", lambda: ad.gather(T, [3]), ValueError, ("gather", "[0, 2)", "(2, 3)")),
    ("gather negative", lambda: ad.gather(T, [-1]), ValueError, ("gather", "negative", "% n")),
    ("gather float indices", lambda: ad.gather(T, [0.5]), ValueError, ("gather", "ad.cast")),
    ("gather axis", lambda: ad.gather(T, [0], axis=2), ValueError, ("gather", "axis 2", "rank 2")),
    (
        "gather batch shape",
        lambda: ad.gather(T, [[0]], batch_dims=1),
        ValueError,
        ("gather", "share", "(2, 3)"),
    ),
    (
        "gather batch axis",
        lambda: ad.gather(T, [[0], [1]], axis=0, batch_dims=1),
        ValueError,
        ("axis (0) must be >= batch_dims",),
    ),
    (
        "gather batch_dims",
        lambda: ad.gather(T, [0], batch_dims=2),
        ValueError,
        ("batch_dims=2", "[-1, 1]"),
    ),
    ("gather_nd range", lambda: ad.gather_nd(T, [[0, 5]]), ValueError, ("gather_nd", "[0, 3)")),
    ("gather_nd depth", lambda: ad.gather_nd(T, [[0, 1, 0]]), ValueError, ("gather_nd", "K")),
    ("tile rank", lambda: ad.tile(T, [2]), ValueError, ("tile", "one non-negative int per axis")),
    ("pad rank", lambda: ad.pad(T, [[1, 1]]), ValueError, ("pad", "2 pairs", "(2, 3)")),
    ("pad negative", lambda: ad.pad(T, [[-1, 1], [0, 0]]), ValueError, ("pad", "non-negative")),
    ("pad reflect", lambda: ad.pad(T, [[2, 2], [0, 0]], "REFLECT"), ValueError, ("at most 1",)),
    ("pad mode", lambda: ad.pad(T, [[0, 0], [0, 0]], "WRAP"), ValueError, ("pad", "SYMMETRIC")),
    ("split parts", lambda: ad.split(T, 2, axis=1), ValueError, ("split", "divide", "length 3")),
    ("split sizes", lambda: ad.split(T, [1, 1], axis=1), ValueError, ("split", "add up", "-1")),
    ("unstack num", lambda: ad.unstack(T, num=3), ValueError, ("unstack", "num=3", "length 2")),
    ("split axis", lambda: ad.split(T, 2, axis=5), ValueError, ("split", "axis 5", "rank 2")),
    ("unstack axis", lambda: ad.unstack(T, axis=-3), ValueError, ("unstack", "axis -3")),
    ("norm axes", lambda: ad.norm(T, 1, axis=[0, 0]), ValueError, ("norm", "twice")),
    ("reverse axis", lambda: ad.reverse(T, [2]), ValueError, ("reverse", "axis 2")),
    (
        "einsum lengths",
        lambda: ad.einsum("ij,jk->ik", T, T),
        ValueError,
        ("einsum", "'j'", "3 and 2"),
    ),
    ("einsum diagonal", lambda: ad.einsum("ii->i", T), ValueError, ("einsum", "diagonal", "trace")),
    ("einsum count", lambda: ad.einsum("ij->ij", T, T), ValueError, ("einsum", "1 inputs but 2")),
    ("tensordot", lambda: ad.tensordot(T, T, 1), ValueError, ("tensordot", "same length")),
    ("norm ord", lambda: ad.norm(T, ord=-1), ValueError, ("norm", "positive number")),
    ("norm spectral", lambda: ad.norm(T, 2, axis=[0, 1]), ValueError, ("norm", "SVD", "'fro'")),
    (
        "conv2d rank",
        lambda: ad.nn.conv2d(T, KERNEL, 1, "SAME"),
        ValueError,
        ("conv2d", "NHWC", "rank 4", "(2, 3)", "expand_dims"),
    ),
    (
        "conv2d channels",
        lambda: ad.nn.conv2d(IMG, np.ones((3, 3, 3, 4), np.float32), 1, "SAME"),
        ValueError,
        ("conv2d", "2 channels", "expect 3"),
    ),
    (
        "conv2d padding",
        lambda: ad.nn.conv2d(IMG, KERNEL, 1, "FULL"),
        ValueError,
        ("conv2d", "'SAME', 'VALID'"),
    ),
    (
        "conv2d batch stride",
        lambda: ad.nn.conv2d(IMG, KERNEL, [1, 1, 1, 2], "SAME"),
        ValueError,
        ("conv2d", "[1, h, w, 1]"),
    ),
    (
        "conv2d zero stride",
        lambda: ad.nn.conv2d(IMG, KERNEL, 0, "SAME"),
        ValueError,
        ("conv2d", "positive"),
    ),
    (
        "conv2d too wide",
        lambda: ad.nn.conv2d(IMG, np.ones((7, 3, 2, 1), np.float32), 1, "VALID"),
        ValueError,
        ("conv2d", "larger than", "'SAME'"),
    ),
    (
        "conv2d NCHW",
        lambda: ad.nn.conv2d(IMG, KERNEL, 1, "SAME", data_format="NCHW"),
        ValueError,
        ("conv2d", "NHWC", "ad.transpose"),
    ),
    (
        "conv2d explicit",
        lambda: ad.nn.conv2d(IMG, KERNEL, 1, [[1, 1], [1, 1]]),
        ValueError,
        ("conv2d", "[[0, 0], [top, bottom]"),
    ),
    ("conv1d rank", lambda: ad.nn.conv1d(IMG, KERNEL, 1, "SAME"), ValueError, ("conv1d", "rank 3")),
    (
        "max_pool2d rank",
        lambda: ad.nn.max_pool2d(T, 2, 2, "VALID"),
        ValueError,
        ("max_pool2d", "rank 4"),
    ),
    (
        "avg_pool2d window",
        lambda: ad.nn.avg_pool2d(IMG, 9, 1, "VALID"),
        ValueError,
        ("avg_pool2d", "larger"),
    ),
    (
        "sparse label range",
        lambda: ad.nn.sparse_softmax_cross_entropy_with_logits([0, 3], T),
        ValueError,
        ("sparse_softmax", "label value of 3", "[0, 3)"),
    ),
    (
        "sparse negative label",
        lambda: ad.nn.sparse_softmax_cross_entropy_with_logits([0, -1], T),
        ValueError,
        ("-1", "[0, 3)"),
    ),
    (
        "sparse float labels",
        lambda: ad.nn.sparse_softmax_cross_entropy_with_logits([0.0, 1.0], T),
        ValueError,
        ("int class indices", "softmax_cross_entropy_with_logits"),
    ),
    (
        "sparse label shape",
        lambda: ad.nn.sparse_softmax_cross_entropy_with_logits([0], T),
        ValueError,
        ("needs labels (2,)",),
    ),
    (
        "softmax xent shapes",
        lambda: ad.nn.softmax_cross_entropy_with_logits([0.0, 1.0], T),
        ValueError,
        ("same shape", "sparse_softmax"),
    ),
    (
        "bias_add",
        lambda: ad.nn.bias_add(T, [1.0, 2.0]),
        ValueError,
        ("bias_add", "one value per channel"),
    ),
    ("dropout rate", lambda: ad.nn.dropout(T, 1.0), ValueError, ("dropout", "[0, 1)")),
    (
        "embedding partitions",
        lambda: ad.nn.embedding_lookup([T, T], [0]),
        ValueError,
        ("embedding_lookup", "ad.concat"),
    ),
    ("inv square", lambda: ad.linalg.inv(T), ValueError, ("inv", "square", "(2, 3)")),
    (
        "inv singular",
        lambda: ad.linalg.inv(np.zeros((2, 2), np.float32)),
        ValueError,
        ("inv", "not invertible", "ad.eye"),
    ),
    (
        "solve vector",
        lambda: ad.linalg.solve(np.eye(2, dtype=np.float32), np.ones(2, np.float32)),
        ValueError,
        ("solve", "(n, 1)"),
    ),
    ("trace vector", lambda: ad.linalg.trace([1.0]), ValueError, ("trace", "matrices")),
    ("cumsum axis", lambda: ad.math.cumsum(T, axis=2), ValueError, ("cumsum", "axis 2")),
    ("erf int", lambda: ad.math.erf([1, 2]), ValueError, ("erf", "float", "ad.cast")),
    (
        "reduce_variance int",
        lambda: ad.math.reduce_variance([1, 2]),
        ValueError,
        ("reduce_variance", "ad.cast"),
    ),
    ("normal int", lambda: ad.random.normal([2], dtype=ad.int32), TypeError, ("normal", "float")),
    (
        "uniform int maxval",
        lambda: ad.random.uniform([2], dtype=ad.int32),
        ValueError,
        ("uniform", "maxval"),
    ),
    ("seed type", lambda: ad.random.set_seed(1.5), TypeError, ("set_seed", "int")),
    ("np.take mode", lambda: np.take(T, [0], mode="clip"), TypeError, ("np.take", "mode='clip'")),
    ("np.pad mode", lambda: np.pad(T, 1, mode="edge"), TypeError, ("np.pad", "'edge'")),
    (
        "np.linalg.norm nuc",
        lambda: np.linalg.norm(T, "nuc"),
        TypeError,
        ("np.linalg.norm", "'nuc'"),
    ),
    ("np.var out", lambda: np.var(T, out=np.zeros(3)), TypeError, ("np.var", "out")),
    ("np.einsum sublists", lambda: np.einsum(T, [0, 1]), TypeError, ("np.einsum", "interleaved")),
    (
        "np.split indices",
        lambda: np.split(T, [2, 1], axis=1),
        TypeError,
        ("np.split", "increasing"),
    ),
]


@pytest.mark.parametrize(("case", "call", "kind", "words"), BAD, ids=[b[0] for b in BAD])
def test_hostile_arguments_get_clear_errors(
    case: str, call: Callable[[], Any], kind: type[Exception], words: tuple[str, ...]
) -> None:
    with pytest.raises(kind) as info:
        call()
    for word in words:
        assert word in str(info.value), f"{case}: {word!r} not in: {info.value}"


def test_a_failed_op_leaves_the_tape_usable() -> None:
    x = ad.Variable(IMG)
    with ad.GradientTape() as tape:
        with pytest.raises(ValueError):
            ad.nn.conv2d(x, KERNEL[:, :, :1], 1, "SAME")
        y = ad.reduce_sum(ad.nn.conv2d(x, KERNEL, 1, "VALID"))
    assert tape.gradient(y, x).shape == x.shape


# ============================================================================ NumPy interop
A = np.random.RandomState(2).standard_normal((3, 4))
B = np.random.RandomState(3).standard_normal((4, 2))
INTEROP: list[tuple[str, Callable[..., Any]]] = [
    ("take", lambda np_, a: np_.take(a, [-1, 0, 2])),
    ("take axis", lambda np_, a: np_.take(a, [[3, -4], [0, 0]], axis=1)),
    ("var", lambda np_, a: np_.var(a)),
    ("var axis ddof", lambda np_, a: np_.var(a, axis=0, ddof=1, keepdims=True)),
    ("std", lambda np_, a: np_.std(a, axis=1)),
    ("std ddof", lambda np_, a: np_.std(a, ddof=1)),
    ("linalg.norm", lambda np_, a: np_.linalg.norm(a)),
    ("linalg.norm axis", lambda np_, a: np_.linalg.norm(a, axis=1)),
    ("linalg.norm ord 1", lambda np_, a: np_.linalg.norm(a, 1, axis=0, keepdims=True)),
    ("linalg.norm matrix inf", lambda np_, a: np_.linalg.norm(a, np.inf)),
    ("linalg.norm fro", lambda np_, a: np_.linalg.norm(a, "fro")),
    ("einsum", lambda np_, a: np_.einsum("ij,jk->ik", a, B)),
    ("einsum implicit", lambda np_, a: np_.einsum("ij", a)),
    ("pad", lambda np_, a: np_.pad(a, 1)),
    ("pad pairs constant", lambda np_, a: np_.pad(a, ((1, 0), (0, 2)), constant_values=3.0)),
    ("pad reflect", lambda np_, a: np_.pad(a, (1, 2), mode="reflect")),
    ("pad symmetric", lambda np_, a: np_.pad(a, ((2, 1), (1, 0)), mode="symmetric")),
    ("tile", lambda np_, a: np_.tile(a, 2)),
    ("tile more reps", lambda np_, a: np_.tile(a, (2, 1, 3))),
    ("split", lambda np_, a: np_.split(a, 2, axis=1)[1]),
    ("split indices", lambda np_, a: np_.split(a, [1, 3], axis=1)[2]),
    ("split empty", lambda np_, a: np_.split(a, [0, 4], axis=1)[1]),
    ("cumsum", lambda np_, a: np_.cumsum(a)),
    ("cumsum axis", lambda np_, a: np_.cumsum(a, axis=1)),
    ("cumprod", lambda np_, a: np_.cumprod(a, axis=0)),
    ("tensordot", lambda np_, a: np_.tensordot(a, B, 1)),
    ("tensordot pairs", lambda np_, a: np_.tensordot(a, A, [[0, 1], [0, 1]])),
    ("flip", lambda np_, a: np_.flip(a)),
    ("flip axis", lambda np_, a: np_.flip(a, 1)),
]


@pytest.mark.parametrize(("case", "fn"), INTEROP, ids=[c for c, _ in INTEROP])
def test_numpy_functions_on_tensors_are_recorded_with_numpys_result(
    case: str, fn: Callable[..., Any]
) -> None:
    expected = fn(np, A)
    x = ad.Variable(A)
    with ad.GradientTape() as tape:
        y = fn(np, x)
    assert isinstance(y, ad.Tensor), case
    assert y.shape == expected.shape and y.dtype == expected.dtype, case
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-13, atol=1e-13, err_msg=case)
    g = tape.gradient(y, x)
    assert g is not None and g.shape == A.shape, case


# ============================================================================ seeding rules
def test_global_seed_repeats_the_sequence_of_calls() -> None:
    ad.random.set_seed(7)
    first = [ad.random.normal([3]).numpy(), ad.random.uniform([2]).numpy()]
    ad.random.set_seed(7)
    second = [ad.random.normal([3]).numpy(), ad.random.uniform([2]).numpy()]
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    assert not np.array_equal(first[0], ad.random.normal([3]).numpy())  # the next op seed
    ad.random.set_seed(None)


def test_an_op_seed_alone_is_reproducible_but_each_call_differs() -> None:
    ad.random.set_seed(None)  # (resets the counts as well)
    a, b = ad.random.uniform([4], seed=3).numpy(), ad.random.uniform([4], seed=3).numpy()
    assert not np.array_equal(a, b)  # as TensorFlow's eager kernels: the same op, called again
    ad.random.set_seed(None)
    assert np.array_equal(ad.random.uniform([4], seed=3).numpy(), a)
    ad.random.set_seed(5)
    assert not np.array_equal(ad.random.uniform([4], seed=3).numpy(), a)  # other global seed
    ad.random.set_seed(None)


def test_no_seed_gives_new_numbers() -> None:
    ad.random.set_seed(None)
    assert not np.array_equal(ad.random.normal([8]).numpy(), ad.random.normal([8]).numpy())


def test_distributions_dtypes_and_ranges() -> None:
    ad.random.set_seed(0)
    x = ad.random.normal([20000], mean=2.0, stddev=3.0, dtype=ad.float64)
    assert x.dtype == ad.float64 and abs(float(np.mean(x.numpy())) - 2) < 0.1
    assert abs(float(np.std(x.numpy())) - 3) < 0.1
    u = ad.random.uniform([1000, 2], minval=-1.0, maxval=2.0)
    assert u.dtype == ad.float32 and u.numpy().min() >= -1 and u.numpy().max() < 2
    k = ad.random.uniform([1000], minval=3, maxval=6, dtype=ad.int32)
    assert k.dtype == ad.int32 and set(k.numpy().tolist()) == {3, 4, 5}
    ad.random.set_seed(None)


def test_dropout_is_seeded_scaled_and_recorded() -> None:
    x = ad.Variable(np.ones((200, 50), np.float32))
    ad.random.set_seed(1)
    with ad.GradientTape() as tape:
        y = ad.nn.dropout(x, 0.25, seed=4)
    kept = y.numpy() != 0
    assert abs(kept.mean() - 0.75) < 0.02
    np.testing.assert_allclose(y.numpy()[kept], 1 / 0.75)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), y.numpy())
    ad.random.set_seed(1)
    assert np.array_equal(ad.nn.dropout(x, 0.25, seed=4).numpy(), y.numpy())
    rows = ad.nn.dropout(x, 0.5, noise_shape=[200, 1]).numpy()
    assert all(len(set(r.tolist())) == 1 for r in rows)  # whole rows kept or dropped
    ad.random.set_seed(None)


def test_random_documents_the_rules_it_reproduces() -> None:
    doc = ad.random.__doc__ or ""
    for words in ("global seed", "op seed", "set_seed", "not reproduced"):
        assert words in doc


# ============================================================================ captions
def test_every_new_op_has_a_caption_formula() -> None:
    x = ad.Variable(IMG)
    with ad.GradientTape(persistent=True) as tape:
        y = ad.nn.conv2d(x, KERNEL, 1, "SAME", name="y")
        z = ad.nn.avg_pool2d(ad.nn.gelu(y), 2, 2, "VALID")
        parts = ad.split(z, 2, axis=-1)
        loss = ad.math.reduce_variance(parts[0]) + ad.norm(parts[1])
    graph = tape.graph(loss)
    labels = [n.name for n in graph.nodes]
    for node in graph.nodes:
        if node.kind == "op":
            formulas = captions.local_formulas(graph, node, labels)
            assert formulas and all(formulas.values()), node.op
    conv = next(n for n in graph.nodes if n.op == "conv2d")
    text = " ".join(captions.local_formulas(graph, conv, labels).values())
    assert re.search(r"correlated with the flipped kernel", text)


def test_every_public_op_of_the_new_tables_is_reachable_and_internal_ones_are_not() -> None:
    from autodiff import array_ops, conv_ops, math_ops, nn_ops, primitive

    spaces = (ad, ad.nn, ad.math, ad.linalg)
    reachable = {id(getattr(s, n)) for s in spaces for n in dir(s) if not n.startswith("_")}
    for module in (array_ops, math_ops, nn_ops, conv_ops):
        for name, f in vars(module).items():
            op = getattr(f, "op", None)
            if not isinstance(op, primitive.Op) or not hasattr(f, "__wrapped__"):
                continue  # (not an op's own function: `split` is a function calling one)
            if op.public:
                assert id(f) in reachable, f"{module.__name__}.{name} is not exported"
            else:
                assert id(f) not in reachable, f"{module.__name__}.{name} is internal"
    for name in ("split", "unstack", "einsum", "norm"):  # functions that call internal ops
        assert getattr(ad, name).op.name == name and id(getattr(ad, name)) in reachable
    internal = {"conv2d_backprop_input", "conv2d_backprop_filter", "max_pool2d_grad"}
    assert not internal & {n for s in spaces for n in dir(s)}
