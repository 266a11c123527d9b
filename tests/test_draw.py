"""viz.draw: the diagram's nodes, edges and labels, escaping, collapse, saving, and errors.

The DOT is checked through Graphviz itself (`dot -Tjson` and `-Tsvg`, parsed as data), not by
matching text.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import autodiff as ad
import viz
from viz import dot as dotlib

SVG = "{http://www.w3.org/2000/svg}"


def seed_tape() -> tuple[ad.GradientTape, ad.Tensor, dict[str, ad.Variable]]:
    w = ad.Variable([[1, 2], [3, 4], [5, 6]], dtype=ad.float32, name="w")
    b = ad.Variable(ad.zeros(2, dtype=ad.float32), name="b")
    x = [[1, 2, 3]]
    with ad.GradientTape(persistent=True) as tape:
        y = x @ w + b
        loss = ad.reduce_mean(y**2)
    return tape, loss, {"w": w, "b": b}


def layout(source: str) -> dict:
    """Graphviz's own parse of the DOT: objects (nodes, clusters) and edges."""
    out = subprocess.run(
        ["dot", "-Tjson"], input=source.encode(), capture_output=True, check=True
    ).stdout
    return json.loads(out)


def svg_nodes(svg: str) -> dict[str, str]:
    """SVG node id -> all its text, with runs of (no-break) spaces as one space."""
    root = ET.fromstring(svg)
    nodes = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            texts = ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]
            nodes[g.get("id")] = " ".join(" ".join(texts).split())  # spaces normalised
    return nodes


def test_seed_diagram_has_the_nodes_edges_and_numbers() -> None:
    tape, loss, _ = seed_tape()
    diagram = viz.draw(tape, target=loss)
    parsed = layout(diagram.source)
    names = {o["name"] for o in parsed["objects"]}
    assert names == {f"n{i}" for i in range(8)}
    edges = {
        (parsed["objects"][e["tail"]]["name"], parsed["objects"][e["head"]]["name"])
        for e in parsed["edges"]
    }
    assert edges == {
        ("n0", "n2"),
        ("n1", "n2"),
        ("n2", "n4"),
        ("n3", "n4"),
        ("n4", "n6"),
        ("n5", "n6"),
        ("n6", "n7"),
    }
    text = svg_nodes(diagram.svg())
    assert "w" in text["n1"] and "grad: [[22 28] [44 56] [66 84]]" in text["n1"]
    assert "value: [[22 28]]" in text["n4"]
    assert "value: 634" in text["n7"] and "target" in text["n7"]
    assert "grad: None" in text["n5"]  # the captured exponent 2
    assert text["n0"].startswith("[[1, 2, 3]]")  # a captured list is named by its value


def test_edge_and_cell_ids_reach_the_svg() -> None:
    tape, loss, _ = seed_tape()
    root = ET.fromstring(viz.draw(tape, target=loss).svg())
    ids = {g.get("id") for g in root.iter(f"{SVG}g")}
    assert {"e6-7", "e1-2", "n7"} <= ids
    assert {"a_n7-value", "a_n7-grad", "a_n1-name"} <= ids  # Graphviz prefixes cell ids


def test_draw_accepts_a_graph_a_tape_or_a_tensor() -> None:
    tape, loss, _ = seed_tape()
    from_graph = viz.draw(tape.graph(loss)).source
    assert viz.draw(tape, target=loss).source == from_graph
    assert viz.draw(loss).source == from_graph
    with pytest.raises(TypeError, match="draw: expected"):
        viz.draw("loss")
    with pytest.raises(ValueError, match="already has its target"):
        viz.draw(tape.graph(loss), target=loss)


def test_draw_of_a_tensor_whose_tape_is_gone_says_what_to_do() -> None:
    x = ad.Variable(2.0)
    with ad.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(ValueError, match="persistent=True"):
        viz.draw(y)


def test_unwatched_constant_is_greyed_with_grad_none() -> None:
    x = ad.constant([2.0])
    with ad.GradientTape() as tape:
        f = x**2
    source = viz.draw(tape, target=f).source
    cells = dotlib.fields(tape.graph(f))
    assert cells["n0-grad"]["lines"] == ["grad:\u00a0\u00a0None"]
    assert "not watched" in source and dotlib.PALETTE.muted in source


def test_show_selects_the_rows() -> None:
    tape, loss, _ = seed_tape()
    assert "n3-grad" not in viz.draw(tape, target=loss, show=("value",)).source
    assert "n3-value" not in viz.draw(tape, target=loss, show="grad").source
    with pytest.raises(ValueError, match="show may contain"):
        viz.draw(tape, target=loss, show=("values",))
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw(tape, target=loss, rankdir="sideways")


def test_large_arrays_are_summarised() -> None:
    x = ad.Variable(np.arange(100, dtype=np.float32).reshape(10, 10), name="x")
    with ad.GradientTape() as tape:
        y = ad.reduce_sum(x * 2.0)
    cell = dotlib.fields(tape.graph(y))["n0-value"]
    # pictured (a 10x10 heatmap): the summary leaves the shape to the picture
    assert cell["lines"] == ["value: min 0 mean 49.5 max 99".replace(" ", "\u00a0")]
    assert cell["pic"]["kind"] == "heat" and (cell["pic"]["rows"], cell["pic"]["cols"]) == (10, 10)
    assert cell["pic"]["data"] == list(range(100)) and cell["pic"]["limit"] == 99
    big = ad.Variable(np.arange(1000, dtype=np.float32).reshape(100, 10), name="big")
    with ad.GradientTape() as tape:
        y = ad.reduce_sum(big)
    cell = dotlib.fields(tape.graph(y))["n0-value"]
    assert cell["pic"]["kind"] == "hist" and sum(cell["pic"]["counts"]) == 1000
    assert cell["lines"] == ["value: min 0 mean 499.5 max 999".replace(" ", "\u00a0")]


def test_nan_is_marked() -> None:
    x = ad.Variable([-1.0, 4.0], name="x")
    with ad.GradientTape() as tape:
        y = ad.reduce_sum(ad.log(x))
    cells = dotlib.fields(tape.graph(y))
    assert cells["n1-value"]["nan"] and not cells["n0-value"]["nan"]
    assert dotlib.PALETTE.nan in viz.draw(tape, target=y).source


NASTY = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    'a"b',
    "{}",
    "\\",
    "a\\nb",
    "node",
    "subgraph",
    "strict digraph",
    "]; evil [label=x",
    "&amp; &lt;",
    "Ω≈ç√∫ 中文 🙂",
]


@pytest.mark.parametrize("name", NASTY)
def test_any_name_is_shown_as_text(name: str) -> None:
    v = ad.Variable(1.0, name=name)
    with ad.GradientTape() as tape, ad.name_scope("scope"):
        y = v * 2.0
    svg = viz.draw(tape, target=y).svg()
    text = svg_nodes(svg)
    assert text["n0"].startswith(name)
    assert "<script" not in svg and "<img" not in svg  # only as escaped text


def test_control_characters_are_shown_escaped() -> None:
    v = ad.Variable(1.0, name="a\nb\tc")
    with ad.GradientTape() as tape:
        y = v * 2.0
    assert svg_nodes(viz.draw(tape, target=y).svg())["n0"].startswith("a\\nb\\tc")


def test_very_long_names_are_cut() -> None:
    v = ad.Variable(1.0, name="x" * 500)
    with ad.GradientTape() as tape:
        y = v * 2.0
    label = svg_nodes(viz.draw(tape, target=y).svg())["n0"]
    assert label.startswith("x" * 39 + "…")


def mlp_tape() -> tuple[ad.GradientTape, ad.Tensor]:
    rng = np.random.default_rng(0)
    x = ad.constant(rng.normal(size=(4, 3)).astype(np.float32))
    params = [ad.Variable(rng.normal(size=s).astype(np.float32)) for s in [(3, 5), (5,), (5, 2)]]
    with ad.GradientTape(persistent=True) as tape:
        with ad.name_scope("model"):
            with ad.name_scope("hidden"):
                h = ad.tanh(x @ params[0] + params[1])
            with ad.name_scope("out"):
                logits = h @ params[2]
        loss = ad.reduce_mean(ad.square(logits))
    return tape, loss


def drawn_nodes(diagram: viz.Diagram) -> set[str]:
    return {o["name"] for o in layout(diagram.source)["objects"] if "nodes" not in o}


def clusters(diagram: viz.Diagram) -> list[str]:
    return [o["name"] for o in layout(diagram.source)["objects"] if "nodes" in o]


def test_scopes_are_clusters_and_collapse_folds_them() -> None:
    tape, loss = mlp_tape()
    graph = tape.graph(loss)
    full = viz.draw(graph, folded=[])  # nothing folded (by default it would fold: too wide)
    assert len(drawn_nodes(full)) == len(graph.nodes)
    assert len(clusters(full)) == 3  # model, model/hidden, model/out
    one = viz.draw(graph, collapse=1)  # hidden and out become one node each
    inside = [n for n in graph.nodes if n.scope.count("/") >= 1]
    assert len(drawn_nodes(one)) == len(graph.nodes) - len(inside) + 2
    assert len(clusters(one)) == 1
    zero = viz.draw(graph, collapse=0)  # the whole model is one node
    in_model = [n for n in graph.nodes if n.scope]
    assert len(drawn_nodes(zero)) == len(graph.nodes) - len(in_model) + 1
    assert clusters(zero) == []
    with pytest.raises(ValueError, match="collapse"):
        viz.draw(graph, collapse=-1)


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf", ".dot"])
def test_save_writes_valid_files(tmp_path: Path, suffix: str) -> None:
    tape, loss, _ = seed_tape()
    path = viz.draw(tape, target=loss).save(tmp_path / f"seed{suffix}")
    data = path.read_bytes()
    magic = {".svg": b"<?xml", ".png": b"\x89PNG", ".pdf": b"%PDF", ".dot": b"digraph"}
    assert data.startswith(magic[suffix])
    if suffix == ".svg":
        ET.fromstring(data)  # well-formed XML


def test_save_rejects_unknown_formats(tmp_path: Path) -> None:
    tape, loss, _ = seed_tape()
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf or \.dot"):
        viz.draw(tape, target=loss).save(tmp_path / "seed.jpeg")


def test_without_dot_svg_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    tape, loss, _ = seed_tape()
    monkeypatch.setenv("PATH", "/nonexistent")
    assert shutil.which("dot") is None
    diagram = viz.draw(tape, target=loss)
    assert diagram.source.startswith("digraph")  # DOT needs no Graphviz
    with pytest.raises(viz.DotNotFoundError, match="apt-get install graphviz") as info:
        diagram.svg()
    assert "brew install graphviz" in str(info.value) and "Notebooks don't need it" in str(
        info.value
    )
    bundle = diagram._repr_mimebundle_()
    assert "image/svg+xml" not in bundle  # the notebook display still works
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_notebook_display_carries_the_widget_and_an_svg_fallback() -> None:
    tape, loss, _ = seed_tape()
    bundle = viz.draw(tape, target=loss)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    widget = viz.draw(tape, target=loss).widget()
    assert widget.dot.startswith("digraph")
    assert widget.patches["n7-value"]["lines"] == ["value:\u00a0634"]
    assert widget.details["n1"]["title"] == "w · variable"


def test_dot_for_a_big_graph_is_built() -> None:
    x = ad.Variable(np.ones(3, np.float32))
    with ad.GradientTape() as tape:
        y = x
        for _ in range(300):
            y = ad.tanh(y * 0.5)
    source = viz.draw(tape, target=y, folded=[]).source
    assert source.count("->") == 900  # per step: y and 0.5 into multiply, its output into tanh


def test_node_placement_work_is_bounded_for_deep_nets_with_shared_weights() -> None:
    """A weight read by each of 65 layers gives hundreds of long edges; unbounded, Graphviz's
    node placement ran 69,190 network-simplex iterations (27 s). The diagram bounds it to
    5 per node (about 1 s; the browser's Graphviz is the same code in WebAssembly). Checked
    on Graphviz's own iteration count (`dot -v`), not on time."""
    x = ad.constant(np.ones((1, 4), np.float32), name="x")
    w = ad.Variable(np.eye(4, dtype=np.float32) * 0.5, name="w")
    b = ad.Variable(np.zeros(4, np.float32), name="b")
    with ad.GradientTape() as tape:
        h = x
        for _ in range(65):
            h = ad.tanh(h @ w + b)
        loss = ad.reduce_sum(ad.square(h))
    graph = tape.graph(loss)
    source = viz.draw(graph).source
    run = subprocess.run(["dot", "-v", "-Tsvg"], input=source.encode(), capture_output=True)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    iterations = [
        int(m)
        for m in re.findall(r"network simplex: \d+ nodes \d+ edges (\d+) iter", run.stderr.decode())
    ]
    assert iterations and max(iterations) <= 5 * len(graph)


def test_export_html_refuses_what_it_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tape, loss, _ = seed_tape()
    with pytest.raises(TypeError, match=r"export_html: expected a viz.Diagram .* got Graph"):
        viz.export_html(tape.graph(loss), tmp_path / "g.html")
    from viz import export

    monkeypatch.setattr(export, "MAX_BYTES", 1000)
    with pytest.raises(ValueError, match=r"export_html: the diagram's state is .* export a part"):
        viz.export_html(viz.draw(tape, target=loss), tmp_path / "g.html")
    assert not (tmp_path / "g.html").exists()


def test_export_html_writes_one_page_with_the_state_and_the_renderer(tmp_path: Path) -> None:
    tape, loss, _ = seed_tape()
    page = viz.export_html(viz.explore(tape, loss), tmp_path / "seed.html").read_text()
    bundle = page.split('id="adviz-bundle">')[1].split("</script>")[0]
    assert page.count("<script") == 3 and re.fullmatch("[A-Za-z0-9+/=]+", bundle)
    assert "content=\"default-src 'none'" in page  # the page may fetch nothing
    state = page.split('id="adviz-state">')[1].split("</script>")[0]
    assert "<" not in state  # no markup of a user string can end the state's element
    assert json.loads(state)["patches"]["n7-value"]["lines"] == ["value:\u00a0634"]
