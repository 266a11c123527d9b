"""viz.pictures: which picture a tensor gets, what its dict holds, and the room it takes."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest

from viz import pictures
from viz.pictures import box, picture

RNG = np.random.default_rng(7)


def kind(shape: tuple[int, ...]) -> str | None:
    pic = picture(RNG.standard_normal(shape))
    return None if pic is None else pic["kind"]


def step(scale: float) -> float:
    """The rounding step of numbers in a picture whose largest magnitude is `scale`."""
    return 10.0 ** (math.floor(math.log10(scale)) - 3)


# --- which picture ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ((16, 16), "heat"),
        ((13,), "heat"),  # a vector is one row
        ((32,), "heat"),
        ((33,), "line"),
        ((1, 30), "heat"),
        ((30, 1), "heat"),
        ((24, 24), "heat"),
        ((32, 18), "heat"),  # 576 elements
        ((25, 24), "hist"),  # 600 > 576
        ((33, 2), "hist"),  # a side > 32
        ((1, 100), "line"),  # a row vector
        ((100, 1), "line"),  # a column vector
        ((1, 16, 16), "heat"),  # a batch of one
        ((1, 1, 500), "line"),
        ((256, 10), "hist"),
        ((4, 4, 4), "hist"),
        ((2, 1, 100), "hist"),
        ((10000,), "line"),
        ((13, 1, 1), "line"),  # one side > 1: a vector
    ],
)
def test_kind_by_shape(shape: tuple[int, ...], expected: str) -> None:
    assert kind(shape) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        3.0,
        np.float32(2.5),
        np.zeros(()),
        np.zeros(12),  # printed in full: no picture
        np.zeros((3, 4)),
        np.zeros((2, 2, 3)),
        np.zeros(0),  # empty
        np.zeros((0, 50)),
        np.zeros((100, 0)),
        np.ones(100, dtype=bool),  # bool: skipped
        np.ones((16, 16), dtype=np.complex128),  # complex: skipped
        np.array(["a"] * 20),  # text
        np.array([object()] * 20),
    ],
)
def test_no_picture(value: object) -> None:
    assert picture(value) is None


def test_thirteen_elements_get_a_picture() -> None:
    pic = picture(np.arange(13.0))
    assert pic is not None and (pic["rows"], pic["cols"]) == (1, 13)


def test_lists_are_arrays() -> None:
    assert picture([[float(i + j) for i in range(5)] for j in range(5)])["kind"] == "heat"


# --- heatmap ---------------------------------------------------------------------------


def test_heat_is_row_major_and_rounded() -> None:
    a = RNG.standard_normal((7, 9)) * 3.7
    pic = picture(a)
    assert (pic["kind"], pic["rows"], pic["cols"]) == ("heat", 7, 9)
    limit = np.abs(a).max()
    assert pic["limit"] == float(f"{limit:.4g}")
    data = np.array(pic["data"], dtype=float).reshape(7, 9)
    np.testing.assert_allclose(data, a, rtol=0, atol=step(limit) / 2 * (1 + 1e-9))
    # short numbers: multiples of the step, written as such (no 0.30000000000000004)
    for v in pic["data"]:
        assert abs(v / step(limit) - round(v / step(limit))) < 1e-6
        assert len(repr(v)) <= 7


def test_heat_limit_is_max_abs() -> None:
    a = np.linspace(-1.0, 0.5, 16).reshape(4, 4)
    assert picture(a)["limit"] == 1.0
    assert picture(-a)["limit"] == 1.0
    assert picture(np.zeros((4, 4)))["limit"] == 0.0


def test_heat_nan_and_inf() -> None:
    a = np.arange(20.0).reshape(4, 5) - 10
    a[0, 1] = np.nan
    a[2, 3] = np.inf
    a[3, 4] = -np.inf
    pic = picture(a)
    assert pic["limit"] == 10.0  # of the finite elements
    assert pic["data"][1] is None
    assert pic["data"][2 * 5 + 3] == "inf"
    assert pic["data"][3 * 5 + 4] == "-inf"
    assert pic["data"][0] == -10.0
    json.dumps(pic, allow_nan=False)  # valid JSON: no NaN or Infinity tokens


def test_heat_all_nan() -> None:
    pic = picture(np.full((4, 4), np.nan))
    assert pic["limit"] == 0.0 and pic["data"] == [None] * 16


def test_ints_are_pictured_as_floats() -> None:
    a = np.arange(-8, 8, dtype=np.int32).reshape(4, 4)
    pic = picture(a)
    assert pic["limit"] == 8.0
    assert pic["data"] == [float(v) for v in a.ravel()]
    assert all(type(v) is float for v in pic["data"])
    big = np.arange(100, dtype=np.uint8)
    line = picture(big)
    assert (line["kind"], line["lo"], line["hi"]) == ("line", 0.0, 99.0)


def test_float32_and_large_magnitudes() -> None:
    a = (RNG.standard_normal((5, 5)) * 1e6).astype(np.float32)
    pic = picture(a)
    limit = float(np.abs(a).max())
    np.testing.assert_allclose(
        np.array(pic["data"]).reshape(5, 5), a, rtol=0, atol=step(limit) / 2 * 1.0001
    )
    assert all(float(v).is_integer() for v in pic["data"])  # rounded to hundreds


# --- sparkline -------------------------------------------------------------------------


def test_sparkline_keeps_a_spike() -> None:
    x = RNG.standard_normal(10_000) * 0.01
    x[6789] = 5.0
    x[1234] = -4.0
    pic = picture(x)
    assert pic["kind"] == "line" and pic["n"] == 10_000 and pic["nonfinite"] == 0
    assert len(pic["data"]) <= pictures.LINE_POINTS
    s = pic["step"]
    assert len(pic["data"]) == math.ceil(10_000 / s)
    assert pic["hi"] == 5.0 and pic["lo"] == -4.0
    assert 5.0 in pic["data"][6789 // s]
    assert -4.0 in pic["data"][1234 // s]
    # every other bucket stays small
    others = [v for k, pair in enumerate(pic["data"]) if k not in (6789 // s, 1234 // s)
              for v in pair]  # fmt: skip
    assert max(map(abs, others)) < 0.1


def test_sparkline_pairs_in_order_of_occurrence() -> None:
    up = picture(np.arange(1000.0))
    down = picture(np.arange(1000.0)[::-1].copy())
    assert all(a < b for a, b in up["data"])
    assert all(a > b for a, b in down["data"])
    # bucket extremes: the last bucket may be shorter than the others
    s = up["step"]
    assert up["data"][0] == [0.0, float(s - 1)]
    assert up["data"][-1][1] == 999.0


def test_short_sparkline_and_gaps() -> None:
    x = np.linspace(-1, 2, 40)
    x[[3, 4]] = np.nan
    x[10] = np.inf
    pic = picture(x)
    assert (pic["kind"], pic["step"], pic["n"]) == ("line", 1, 40)
    assert pic["data"][3] is None and pic["data"][4] is None and pic["data"][10] is None
    assert pic["nonfinite"] == 3
    assert (pic["lo"], pic["hi"]) == (-1.0, 2.0)
    np.testing.assert_allclose(
        [v for v in pic["data"] if v is not None], x[np.isfinite(x)], atol=5e-4
    )


def test_sparkline_buckets_without_finite_values() -> None:
    x = np.ones(1000)
    x[:200] = np.nan
    pic = picture(x)
    assert pic["nonfinite"] == 200
    s = pic["step"]
    assert all(pair == [None, None] for pair in pic["data"][: 200 // s])
    assert pic["data"][-1] == [1.0, 1.0]
    assert picture(np.full(1000, np.nan))["lo"] is None
    json.dumps(pic, allow_nan=False)


# --- histogram -------------------------------------------------------------------------


def test_histogram_matches_numpy() -> None:
    a = np.arange(640.0).reshape(64, 10)  # values on the bin edges
    pic = picture(a)
    assert pic["kind"] == "hist" and len(pic["counts"]) == pictures.HIST_BINS
    assert pic["counts"] == np.histogram(a, pictures.HIST_BINS)[0].tolist() == [40] * 16
    assert (pic["lo"], pic["hi"], pic["nonfinite"]) == (0.0, 639.0, 0)
    b = RNG.standard_normal((256, 10))
    counts, edges = np.histogram(b, pictures.HIST_BINS)
    pic = picture(b)
    assert pic["counts"] == counts.tolist()
    assert pic["lo"] == float(f"{edges[0]:.4g}") and pic["hi"] == float(f"{edges[-1]:.4g}")


def test_large_histogram() -> None:
    a = RNG.standard_normal((1000, 100))  # above EXACT_HIST: without numpy's edge fix-up
    assert a.size > pictures.EXACT_HIST
    pic = picture(a)
    expected = np.histogram(a, pictures.HIST_BINS)[0]
    assert sum(pic["counts"]) == a.size
    assert np.abs(np.array(pic["counts"]) - expected).max() <= 2


def test_histogram_of_the_finite_elements() -> None:
    a = RNG.standard_normal((50, 40))
    a[0, :7] = np.nan
    a[1, :3] = np.inf
    a[2, :2] = -np.inf
    pic = picture(a)
    finite = a[np.isfinite(a)]
    assert sum(pic["counts"]) == finite.size == a.size - 12
    assert pic["nonfinite"] == 12
    assert pic["counts"] == np.histogram(finite, pictures.HIST_BINS)[0].tolist()


def test_histogram_edge_cases() -> None:
    const = picture(np.full((40, 10), 3.0))
    assert const["counts"] == np.histogram(np.full(400, 3.0), 16)[0].tolist()
    assert (const["lo"], const["hi"]) == (2.5, 3.5)
    none = picture(np.full((40, 10), np.nan))
    assert none["counts"] == [0] * 16 and none["lo"] is None and none["nonfinite"] == 400
    json.dumps(none, allow_nan=False)
    ints = picture(np.arange(1000, dtype=np.int64).reshape(100, 10))
    assert ints["counts"] == np.histogram(np.arange(1000), 16)[0].tolist()


# --- grids of maps (4-D) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "kernel", "expected"),
    [
        ((2, 6, 6, 4), False, "maps"),  # NHWC feature maps
        ((1, 28, 28, 1), False, "maps"),  # one image of one channel
        ((32, 32, 32, 3), False, "maps"),  # the largest maps
        ((2, 33, 8, 3), False, "hist"),  # a side > 32
        ((16, 1, 1, 8), False, "hist"),  # no spatial sides
        ((3, 3, 1, 4), True, "maps"),  # a conv2d kernel, HWIO
        ((3, 3, 1, 4), False, "hist"),  # read as images: 3 of 1×4 pixels
        ((1, 1, 8, 16), True, "heat"),  # a 1×1 kernel: its in × out matrix
    ],
)
def test_maps_by_shape(shape: tuple[int, ...], kernel: bool, expected: str) -> None:
    assert picture(RNG.standard_normal(shape), kernel=kernel)["kind"] == expected


def test_feature_maps_show_example_zero_channel_by_channel() -> None:
    a = RNG.standard_normal((3, 5, 6, 16)).astype(np.float32)
    a[0, 1, 2, 3] = 9.0  # the largest magnitude, in a channel shown
    a[1] = 100.0  # another example: not shown, not in the limit
    a[0, :, :, 12] = -50.0  # a channel not shown
    pic = picture(a)
    assert (pic["rows"], pic["cols"], pic["count"]) == (5, 6, 8)
    assert pic["labels"] == [f"c{k}" for k in range(8)]
    assert pic["caption"] == ["example 0 of 3", "8 of 16 channels: 8 not shown"]
    assert pic["limit"] == 9.0
    assert len(pic["data"]) == 8 and all(len(m) == 30 for m in pic["data"])
    for k in range(8):  # each map row-major, rounded as a heatmap's numbers
        np.testing.assert_allclose(pic["data"][k], a[0, :, :, k].ravel(), atol=step(9.0))
    assert pic["data"][3][1 * 6 + 2] == 9.0
    json.dumps(pic, allow_nan=False)


def test_kernel_shows_input_channel_zero_filter_by_filter() -> None:
    k = RNG.standard_normal((3, 3, 2, 5))
    pic = picture(k, kernel=True)
    assert pic["count"] == 5 and pic["labels"] == ["f0", "f1", "f2", "f3", "f4"]
    assert pic["caption"] == ["input channel 0 of 2", "all 5 filters"]
    for f in range(5):
        np.testing.assert_allclose(pic["data"][f], k[:, :, 0, f].ravel(), atol=step(3.0))
    one = picture(RNG.standard_normal((2, 4, 4, 1)))
    assert one["caption"] == ["example 0 of 2", "1 channel"] and one["labels"] == ["c0"]


def test_maps_nan_and_inf() -> None:
    a = np.zeros((1, 4, 4, 2))
    a[0, 0, 0, 1] = np.nan
    a[0, 3, 3, 0] = -np.inf
    a[0, 2, 2, 0] = 0.5
    pic = picture(a)
    assert pic["limit"] == 0.5
    assert pic["data"][1][0] is None and pic["data"][0][15] == "-inf"
    json.dumps(pic, allow_nan=False)


# --- box -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [(16, 16), (13,), (1, 30), (30, 1), (32, 18), (100,), (10000,), (256, 10), (2, 6, 6, 4),
     (8, 28, 28, 16)],
)  # fmt: skip
def test_box_depends_on_shape_only(shape: tuple[int, ...]) -> None:
    a = RNG.standard_normal(shape)
    b = RNG.standard_normal(shape) * 1e-5 + 100
    c = a.copy()
    c.flat[::3] = np.nan
    boxes = {box(picture(v)) for v in (a, b, c, np.zeros(shape))}
    assert len(boxes) == 1
    (w, h) = boxes.pop()
    assert w == int(w) and h == int(h) and w > 0 and h > 0


def test_box_sizes() -> None:
    heat = box(picture(np.zeros((16, 16))))
    assert heat == (116, 136)  # 7-point squares, legend below
    assert box(picture(np.zeros(13))) == (116, 7 + 20 + 4)  # the legend sets the width
    assert box(picture(np.zeros((1, 30)))) == (172, 6 + 20 + 4)  # 5.6-point squares
    assert box(picture(np.zeros((32, 32))[:18])) == (172, 95 + 20 + 4)
    assert box(picture(np.zeros(1000))) == box(picture(np.zeros((256, 10)))) == (128, 53)
    with pytest.raises(ValueError):
        box({"kind": "pie"})


def test_maps_box_sizes() -> None:
    """Caption (2 × 10), rows of labelled maps (10 + map, 4 apart), legend (20), margins."""
    # eight 28×28 channels: 40-point maps, two rows of four
    assert box(picture(np.zeros((2, 28, 28, 16)))) == (4 * 40 + 3 * 4 + 4, 20 + 2 * 50 + 4 + 24)
    # a 3×3 kernel's four filters: 7-point squares; the legend and caption set the width
    assert box(picture(np.zeros((3, 3, 1, 4)), kernel=True)) == (112 + 4, 20 + 10 + 21 + 24)
    # a caption wider than the maps: "8 of 16 filters: 8 not shown" at 5 points a character
    assert box(picture(np.zeros((3, 3, 8, 16)), kernel=True)) == (140 + 4, 20 + 2 * 31 + 4 + 24)
    # the same shape read as images or as a kernel: boxes of their own maps
    images = picture(np.zeros((4, 5, 5, 4)))
    assert box(images) == (4 * 35 + 3 * 4 + 4, 20 + 10 + 35 + 24)
    # known from the shape alone (for estimates), None where another picture is drawn
    assert pictures.maps_box((4, 5, 5, 4)) == box(images)
    assert pictures.maps_box((3, 3, 1, 4), kernel=True) == (116, 75)
    assert pictures.maps_box((3, 3, 1, 4)) is None  # read as images: a histogram
    assert pictures.maps_box((16, 16)) is None and pictures.maps_box((1, 2, 2, 3)) is None


# --- cost ------------------------------------------------------------------------------


@pytest.mark.parametrize(("shape", "budget_us"), [((16, 16), 60), ((256, 10), 150),
                                                  ((10000,), 150)])  # fmt: skip
def test_fast(shape: tuple[int, ...], budget_us: float) -> None:
    a = RNG.standard_normal(shape).astype(np.float32)
    picture(a)
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(200):
            picture(a)
        best = min(best, (time.perf_counter() - start) / 200)
    assert best * 1e6 < budget_us, f"{shape}: {best * 1e6:.1f} µs"


def test_message_is_small() -> None:
    text = json.dumps(picture(RNG.standard_normal((16, 16))), allow_nan=False)
    assert len(text) < 2400
    assert len(json.dumps(picture(RNG.standard_normal(10_000)))) < 1400


# --- in a diagram ----------------------------------------------------------------------


def test_a_conv2d_kernel_is_pictured_filter_by_filter_in_cells_and_steps() -> None:
    """The kernel a conv2d reads (a leaf, or an op's output) gets the kernel's maps in its
    value and gradient cells, and in every backward step's patch of its gradient (same box:
    stepping must not move the layout); the images and feature maps get NHWC maps."""
    import autodiff as ad
    from viz import dot
    from viz.explore import backward_steps_payload

    x = ad.constant(RNG.standard_normal((2, 6, 6, 1)))
    kernel = ad.Variable(RNG.standard_normal((3, 3, 1, 4)))
    with ad.GradientTape(persistent=True) as tape:
        doubled = kernel * 2.0
        conv = ad.nn.conv2d(x, doubled, strides=1, padding="SAME")
        loss = ad.reduce_sum(conv**2)
    graph = tape.graph(loss)
    ids = {name: graph.ids_of(t)[0] for name, t in
           {"x": x, "kernel": kernel, "doubled": doubled, "conv": conv}.items()}  # fmt: skip
    assert dot.kernels(graph) == {ids["doubled"]}
    cells = dot.fields(graph)
    for name, caption in [("doubled", "input channel 0 of 1"), ("x", "example 0 of 2"),
                          ("conv", "example 0 of 2")]:  # fmt: skip
        assert cells[f"n{ids[name]}-value"]["pic"]["caption"][0] == caption
    # a leaf read only through `kernel * 2` is not a kernel of conv2d's: its (3, 3, 1, 4)
    # reads as 3 images of 3×1 pixels, a histogram
    assert cells[f"n{ids['kernel']}-value"]["pic"]["kind"] == "hist"
    grad_cell = cells[f"n{ids['doubled']}-grad"]["pic"]
    patches = [
        step["patches"][f"n{ids['doubled']}-grad"]["pic"]
        for step in backward_steps_payload(graph)
        if f"n{ids['doubled']}-grad" in step["patches"]
    ]
    assert patches and all(box(p) == box(grad_cell) for p in patches)
    assert patches[-1] == grad_cell  # the last step's patch is the final gradient
