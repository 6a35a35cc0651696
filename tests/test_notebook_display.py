"""How glassnet shows itself in a Jupyter notebook: Tensors and Modules as
HTML, SVG figures as pictures, and ``fit`` with tqdm's notebook bar and a loss
plot redrawn after every epoch (checked in a real kernel at the end)."""

import sys
import types
import xml.etree.ElementTree as ET

import numpy as np
from conftest import need

import glassnet as gn
from glassnet import explain, nn
from glassnet.train import notebook
from glassnet.train.progress import Progress


def test_tensor_html_shows_shape_dtype_values_and_grad():
    x = gn.tensor([[1.5, -2.0], [0.25, 4.0]], requires_grad=True)
    (x * x).sum().backward()
    html = x._repr_html_()
    assert "tensor (2, 2)" in html and "float32" in html and "requires_grad=True" in html
    assert html.count("<tr>") == 4  # the values' two rows, and .grad's two rows
    for v in ("1.5", "-2", "0.25", "4", "3", "-4", "0.5", "8"):  # values, then 2x
        assert f">{v}</td>" in html
    y = x.sum()
    assert "grad_fn=&lt;SumBackward0&gt;" in y._repr_html_() and "<code>" in y._repr_html_()


def test_tensor_html_elides_large_and_escapes_names():
    big = gn.arange(400, dtype=gn.float32).reshape(20, 20)
    html = big._repr_html_()
    assert "⋯" in html and ">399</td>" in html and ">10</td>" not in html
    assert "<pre>" in gn.zeros(2, 2, 2)._repr_html_()  # 3-D: as NumPy prints it
    named = gn.ones(1)
    named.name = "<b>"
    assert "&lt;b&gt;" in named._repr_html_() and "<b>" not in named._repr_html_()


def test_module_html_is_its_layers_and_parameter_counts():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    html = model._repr_html_()
    assert "Sequential" in html and "0: Linear" in html and "2: Linear" in html
    assert "Total params: 13" in html  # 2·3 + 3 + 3·1 + 1
    assert "<details>" in html and "in_features=2" in html


def test_figures_are_svg_strings_a_notebook_draws():
    ex = explain.examples.square()
    svg = explain.network_svg(ex.model, ex.x)
    assert isinstance(svg, str) and svg._repr_svg_() == str(svg)
    ET.fromstring(svg._repr_svg_())  # well-formed
    assert "draw it in a notebook" in repr(svg)
    loss = ex.loss_fn(ex.model(ex.x), ex.y)
    assert explain.graph_svg(loss)._repr_svg_().startswith("<svg")
    assert "<table" in explain.trace_step(*ex)._repr_html_()


def test_no_notebook_outside_a_kernel(monkeypatch):
    assert not notebook.in_notebook()  # pytest: no ipykernel
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: None  # a plain Python that imported IPython
    monkeypatch.setitem(sys.modules, "IPython", fake)
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    assert not notebook.in_notebook()
    fake.get_ipython = lambda: types.SimpleNamespace(kernel=object())
    assert notebook.in_notebook()
    monkeypatch.delitem(sys.modules, "ipykernel")
    assert not notebook.in_notebook()  # terminal IPython: no kernel module


def test_loss_chart_draws_each_curve():
    svg = notebook.loss_chart_svg({"loss": [(1, 0.9), (2, 0.5), (3, 0.2)], "val_loss": [(1, 1.0)]})
    root = ET.fromstring(svg)
    lines = root.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == 2
    points = [tuple(map(float, p.split(","))) for p in lines[0].get("points").split()]
    assert [p[0] for p in points] == sorted(p[0] for p in points)  # epochs left to right
    assert points[0][1] < points[-1][1]  # the loss falls: the line goes down (y grows)
    assert "loss 0.2" in svg and "val_loss 1" in svg
    ET.fromstring(notebook.loss_chart_svg({}))  # no points yet: an empty frame


def _fake_kernel(monkeypatch):
    """IPython with a kernel, and a display() that records what it was given."""
    shown = []

    class Handle:
        def update(self, obj):
            shown.append(("update", obj._repr_svg_()))

    def display(obj, display_id=False):
        shown.append(("display", obj._repr_svg_()))
        return Handle()

    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: types.SimpleNamespace(kernel=object())
    ipython.display = types.ModuleType("IPython.display")
    ipython.display.display = display
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", ipython.display)
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    return shown


def test_fit_in_a_notebook_redraws_one_loss_plot(monkeypatch):
    shown = _fake_kernel(monkeypatch)
    monkeypatch.setattr("glassnet.train.progress.notebook_tqdm", lambda: None)  # text bar
    X = gn.randn(16, 2)
    y = X.sum(dim=1, keepdim=True)
    gn.fit(nn.Linear(2, 1), (X, y), validation=(X, y), epochs=3, batch_size=8, lr=0.1)
    assert [kind for kind, _ in shown] == ["display", "update", "update"]
    assert shown[-1][1].count("<polyline") == 2  # loss and val_loss
    shown.clear()
    gn.fit(nn.Linear(2, 1), (X, y), epochs=2, batch_size=8, verbose=0)
    assert shown == []  # verbose=0: nothing shown
    assert Progress(2, 3, 4).plot is None  # one line per epoch: no plot either


def test_fit_in_a_real_kernel_shows_the_notebook_bar_and_the_plot():
    nbclient = need("nbclient")
    need("ipykernel")
    nbformat = need("nbformat")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import glassnet as gn\nfrom glassnet import nn\ngn.manual_seed(0)\n"
            "X = gn.randn(32, 2)\ny = X.sum(dim=1, keepdim=True)\n"
            "h = gn.fit(nn.Linear(2, 1), (X, y), epochs=3, batch_size=8, lr=0.1)"
        ),
        nbformat.v4.new_code_cell("gn.tensor([[1.0, 2.0]])"),
    ]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    fit_out, tensor_out = nb.cells[0].outputs, nb.cells[1].outputs
    svgs = [o for o in fit_out if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 1, fit_out  # one plot, updated in place (3 epochs, one output)
    assert "loss" in svgs[0]["data"]["image/svg+xml"]
    widgets = [
        o for o in fit_out if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert widgets, f"no notebook progress bar: {fit_out}"
    html = tensor_out[0]["data"]["text/html"]
    assert "tensor (1, 2)" in html and ">2</td>" in html
    assert np.isfinite(float(tensor_out[0]["data"]["text/plain"].split("[[")[1].split(",")[0]))
