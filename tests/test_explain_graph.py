"""The computation graph (glassnet.explain.draw.graph): op and value nodes, DOT
text with the right edges, an SVG laid out left to right, labels in both
languages, long chains without recursion, clear errors."""

import re

import numpy as np
import pytest
from svgcheck import SVG, by_class, parse  # noqa: E402,F401

import glassnet as gn
from glassnet import nn
from glassnet.explain.draw.graph import MAX_NODES, graph_dot, graph_svg, op_label


def expression():
    a = gn.tensor(2.0, requires_grad=True)
    b = gn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = gn.tensor([0.5, 0.5, 0.5])
    out = ((a * b + c) ** 2).sum()
    return a, b, c, out


def edge_count(dot):
    return len(re.findall(r"^\s+\w+ -> \w+", dot, flags=re.M))


def test_dot_has_every_op_and_edge():
    a, b, c, out = expression()
    dot = graph_dot(out)
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    ops = re.findall(r"shape=ellipse, label=\"([a-z_]+)", dot)
    assert sorted(ops) == ["add", "mul", "pow_scalar", "sum"]
    # each op: one edge per tensor input, one to its output
    assert edge_count(dot) == (2 + 1) + (2 + 1) + (1 + 1) + (1 + 1)
    assert "data 2" in dot and "data [1, 2, 3]" in dot and '\\"' not in dot


def test_svg_one_element_per_node_and_edge():
    a, b, c, out = expression()
    root = parse(graph_svg(out))
    assert [o.get("data-op") for o in by_class(root, "op")] == ["sum", "pow_scalar", "add", "mul"]
    values = by_class(root, "value")
    assert len(values) == 7  # out, a*b+c squared, a*b+c, a*b, c, a, b
    assert len(by_class(root, "edge")) == 10
    kinds = sorted(v.get("data-kind") for v in values)
    assert kinds == ["constant", "leaf", "leaf", "output", "result", "result", "result"]
    ids = {e.get("data-id") for e in by_class(root, "op") + values}
    for e in by_class(root, "edge"):
        assert e.get("data-from") in ids and e.get("data-to") in ids
    assert root.get("data-truncated") == "false" and root.get("data-total-nodes") == "11"


def test_layout_runs_left_to_right_inside_the_view():
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    loss = nn.MSELoss()(model(gn.randn(4, 2)), gn.randn(4, 1))
    root = parse(graph_svg(loss, names=model))
    _, _, vw, vh = map(float, root.get("viewBox").split())
    boxes = {}
    for g in by_class(root, "value") + by_class(root, "op"):
        shape = g.find(SVG + "rect")
        if shape is not None:
            x, y = float(shape.get("x")), float(shape.get("y"))
            w, h = float(shape.get("width")), float(shape.get("height"))
        else:
            shape = g.find(SVG + "ellipse")
            rx, ry = float(shape.get("rx")), float(shape.get("ry"))
            x, y, w, h = float(shape.get("cx")) - rx, float(shape.get("cy")) - ry, 2 * rx, 2 * ry
        assert 0 <= x and x + w <= vw and 0 <= y and y + h <= vh
        boxes[g.get("data-id")] = (x, y, w, h)
    for e in by_class(root, "edge"):
        src, dst = boxes[e.get("data-from")], boxes[e.get("data-to")]
        assert src[0] + src[2] < dst[0]  # every edge points right
    names = {v.get("data-name") for v in by_class(root, "value")}
    assert {"0.weight", "0.bias", "2.weight", "2.bias"} <= names


def test_value_labels_data_grad_and_kinds():
    w = nn.Parameter(np.arange(6, dtype=np.float32).reshape(2, 3))
    x = gn.tensor([1.0, -1.0, 2.0])
    x.name = "x"
    y = gn.matmul(w, x).sum()
    y.backward()
    dot = graph_dot(y, names={"w": w})
    assert "w\\nparameter: 2×3 float32" in dot
    assert "data min 0 mean 2.5 max 5" in dot  # 6 elements: a summary
    assert "grad min -1 mean 0.6667 max 2" in dot  # ∂y/∂w = x in each row
    assert "x\\ninput (no grad): 3 float32\\ndata [1, -1, 2]" in dot
    assert "output: scalar float32\\ndata 12" in dot  # sum(w @ x) = 3 + 9
    svg = graph_svg(y, names={"w": w})
    titles = [t.text for t in parse(svg).iter(SVG + "title")]
    assert any("L2 norm" in t for t in titles)  # exact numbers in the tooltip


def test_both_languages():
    a, b, c, out = expression()
    en, zh = graph_svg(out, lang="en"), graph_svg(out, lang="zh")
    assert "Computation graph" in en and "leaf, requires grad" in en
    assert "计算图" in zh and "叶子节点" in zh and "标量" in zh and "计算图" not in en
    parse(zh)
    assert "计算图" not in graph_dot(out, lang="en") and "值" in graph_dot(out, lang="zh")


def test_ten_thousand_op_chain_without_recursion():
    x = gn.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    dot = graph_dot(y, max_nodes=None)
    assert dot.count('label="mul') == 10_000
    assert edge_count(dot) == 20_000
    root = parse(graph_svg(y))  # capped, with a note
    assert root.get("data-truncated") == "true"
    assert root.get("data-total-nodes") == "20001"
    assert len(by_class(root, "op")) + len(by_class(root, "value")) == MAX_NODES
    assert "showing the 400 nodes nearest the output, of 20001" in "".join(root.itertext())
    z = x
    for _ in range(1_500):
        z = z + x  # x feeds every op: long edges
    root = parse(graph_svg(z, max_nodes=None))
    assert len(by_class(root, "op")) == 1_500 and len(by_class(root, "edge")) == 4_500


def test_leaf_alone_and_op_labels():
    t = gn.tensor([[1.0, 2.0]])
    root = parse(graph_svg(t))
    assert len(by_class(root, "value")) == 1 and not by_class(root, "edge")
    assert "data [1, 2]" in graph_dot(t)
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    assert op_label((x**2).grad_fn) == "pow_scalar"
    assert op_label(gn.matmul(x, x).grad_fn) == "mat_mul"
    assert op_label(nn.functional.log_softmax(x, 0).grad_fn) == "log_softmax"


def test_escaped_names_stay_valid_xml():
    x = gn.tensor([1.0], requires_grad=True)
    x.name = 'x<"&>\x01'
    y = x * 2
    root = parse(graph_svg(y))
    assert 'x<"&>' in [v.get("data-name") for v in by_class(root, "value")]
    assert 'x<\\"&>' in graph_dot(y)


def test_clear_errors():
    with pytest.raises(TypeError, match="expected a Tensor"):
        graph_svg(np.ones(3))
    with pytest.raises(TypeError, match="expected a Tensor"):
        graph_dot([1.0])
    x = gn.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="max_nodes"):
        graph_svg(x * 2, max_nodes=0)
    with pytest.raises(TypeError, match="names must be"):
        graph_dot(x * 2, names=["x"])


def test_large_intermediates_released_after_backward_show_as_freed():
    # the 256×256 (256 KiB) x·W and relu(x·W) are let go once backward has passed their
    # consumers; the graph keeps their places, drawn as freed, and small values stay
    gn.manual_seed(0)
    x = gn.randn(256, 256)
    w = gn.randn(256, 256, requires_grad=True)
    loss = (x @ w).relu().sum()
    loss.backward()
    root = parse(graph_svg(loss))
    released = [v for v in by_class(root, "value") if v.get("data-released") == "true"]
    assert len(released) == 2 and {v.get("data-kind") for v in released} == {"result"}
    assert sorted(o.get("data-op") for o in by_class(root, "op")) == ["mat_mul", "relu", "sum"]
    assert "freed after backward" in graph_dot(loss)
    # small networks keep every value after backward (the explain tools show them)
    a = gn.tensor([1.0, 2.0], requires_grad=True)
    small = (a * 3).relu().sum()
    small.backward()
    assert "freed" not in graph_dot(small)
