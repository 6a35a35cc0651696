"""What glassnet.onnx.export refuses, and how: an op or a computation that one
ONNX graph cannot hold faithfully is an ExportError naming the op and the
module path, never a wrong graph; bad arguments name the argument."""

import io

import numpy as np
import pytest
from onnx_roundtrip import export_bytes, session

import glassnet as gn
from glassnet import nn
from glassnet.onnx import ExportError


class Block(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn
        self.linear = nn.Linear(4, 4)

    def forward(self, x):
        return self.fn(self.linear(x))


class Model(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.block = nn.Sequential(Block(fn))

    def forward(self, x):
        return self.block(x)


def test_an_op_without_conversion_is_named_with_its_module_path():
    model = Model(lambda h: gn.roll(h, 1, dims=1))
    with pytest.raises(ExportError, match=r"no ONNX conversion for op Roll \(in model\.block\.0\)"):
        export_bytes(model, (gn.randn(2, 4),))


class Cube(gn.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x**3

    @staticmethod
    def backward(ctx, grad):
        return grad


class NumpyCube(Cube):
    @staticmethod
    def forward(ctx, x):
        return gn.tensor(x.numpy() ** 3)


def test_a_user_function_exports_the_ops_of_its_forward():
    gn.manual_seed(0)
    model = Model(lambda h: Cube.apply(h))
    x = gn.randn(3, 4)
    _, data = export_bytes(model, (x,))
    got = session(data).run(None, {"input": x.numpy()})[0]
    np.testing.assert_allclose(got, model(x).detach().numpy(), atol=1e-5)


def test_a_user_function_computing_in_numpy_is_refused():
    model = Model(lambda h: NumpyCube.apply(h) + 1)
    with pytest.raises(ExportError, match=r"Add \(in model\.block\.0\).*changes when the input"):
        export_bytes(model, (gn.randn(3, 4),))


def test_a_mask_computed_from_the_input_outside_the_graph_is_refused():
    """x > 0 is not a recorded op: its result would be baked in as this input's mask."""
    model = Model(lambda h: h * (h > 0))
    with pytest.raises(ExportError, match=r"Mul \(in model\.block\.0\).*changes when the input"):
        export_bytes(model, (gn.randn(3, 4),))


def test_values_read_with_numpy_are_refused():
    model = Model(lambda h: h + gn.tensor(h.detach().numpy().max()))
    with pytest.raises(ExportError, match=r"in model\.block\.0"):
        export_bytes(model, (gn.randn(3, 4),))


def test_a_constant_of_the_batch_size_is_refused_when_the_batch_is_dynamic():
    model = Model(lambda h: h + gn.zeros(h.shape[0], 4))
    x = gn.randn(3, 4)
    with pytest.raises(ExportError, match=r"Add \(in model\.block\.0\)"):
        export_bytes(model, (x,), dynamic_axes={"input": {0: "batch"}})
    _, data = export_bytes(model, (x,))  # a fixed batch: the constant is right
    np.testing.assert_allclose(
        session(data).run(None, {"input": x.numpy()})[0], model(x).detach().numpy(), atol=1e-5
    )


def test_python_control_flow_on_values_is_refused():
    model = Model(lambda h: h * 2 if float(h[0, 0]) > 0 else h - 1)
    x = gn.tensor(np.array([[5.0, 1, 1, 1], [1, 1, 1, -5]], np.float32))
    model.block[0].linear.weight.data.copy_(gn.eye(4))
    model.block[0].linear.bias.data.zero_()
    with pytest.raises(ExportError, match="Python control flow"):
        export_bytes(model, (x,))


def test_a_reshape_with_two_sizes_from_dynamic_axes_is_refused():
    class TwoDynamic(nn.Module):
        def forward(self, x):
            n, t = x.shape[:2]
            return x.reshape(n * t, 2, 2).reshape(n, t, 4)[:, :, :2].reshape(t, n, 2)

    with pytest.raises(ExportError, match=r"Reshape \(in model\).*2 of its sizes"):
        export_bytes(TwoDynamic(), (gn.randn(2, 3, 4),), dynamic_axes={"input": [0, 1]})


def test_max_pool_indices_and_batch_statistics_are_refused():
    pool = nn.MaxPool2d(2, return_indices=True)
    with pytest.raises(ExportError, match=r"MaxPool2d \(in model\).*return_indices"):
        export_bytes(pool, (gn.randn(1, 1, 4, 4),))
    norm = nn.BatchNorm1d(4, track_running_stats=False)
    with pytest.raises(ExportError, match=r"BatchNorm \(in model\).*batch statistics"):
        export_bytes(norm, (gn.randn(3, 4),))


def test_a_failed_export_writes_no_file(tmp_path):
    path = tmp_path / "model.onnx"
    with pytest.raises(ExportError):
        gn.onnx.export(Model(lambda h: gn.roll(h, 1, dims=1)), gn.randn(2, 4), path)
    assert not path.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(dynamic_axes={"x": [0]}), ValueError, r"names 'x'.*\['input', 'output'\]"),
        (dict(dynamic_axes={"input": [2]}), ValueError, r"axis 2, out of range.*\(3, 4\)"),
        (dict(dynamic_axes={"input": 0}), TypeError, r"dynamic_axes\['input'\] must be a list"),
        (dict(input_names=["a", "b"]), ValueError, r"input_names \['a', 'b'\] must be 1"),
        (dict(output_names=["y", "y"]), ValueError, r"output_names.*must be 1"),
        (dict(opset_version=11), ValueError, r"opset_version 11 is not supported; expected 18"),
        (dict(opset_version="18"), TypeError, r"opset_version must be an int"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        gn.onnx.export(nn.Linear(4, 2), gn.randn(3, 4), io.BytesIO(), **kwargs)


def test_model_and_args_are_checked():
    with pytest.raises(TypeError, match="model must be a glassnet nn.Module"):
        gn.onnx.export(lambda x: x, gn.randn(2), io.BytesIO())
    with pytest.raises(TypeError, match="at least one Tensor"):
        gn.onnx.export(nn.Linear(4, 2), (np.ones((2, 4), np.float32),), io.BytesIO())


def test_every_supported_opset_gives_a_valid_model():
    import onnx

    for opset in range(18, onnx.defs.onnx_opset_version() + 1):
        proto, _ = export_bytes(
            nn.Sequential(nn.Linear(4, 3), nn.GELU()), (gn.randn(2, 4),), opset_version=opset
        )
        assert proto.opset_import[0].version == opset


def test_ceil_mode_over_a_dynamic_width_that_may_drop_a_window_is_refused():
    pool = nn.MaxPool2d(1, stride=2, ceil_mode=True)  # width 10: 5 windows; 11: 6; ONNX: 6, 6
    axes = {"input": {3: "width"}}
    with pytest.raises(ExportError, match=r"MaxPool2d \(in model\).*ceil_mode over a dynamic"):
        export_bytes(pool, (gn.randn(1, 1, 4, 10),), dynamic_axes=axes)


def test_export_leaves_the_ops_and_the_modules_as_they_were():
    """The trace wraps Op.apply and every module's forward; both are put back, also
    when forward raises."""
    from glassnet.autograd import Op

    apply = Op.__dict__["apply"]
    model = Model(lambda h: gn.roll(h, 1, dims=1))
    with pytest.raises(ExportError):
        export_bytes(model, (gn.randn(2, 4),))
    broken = Model(lambda h: h.reshape(5, 7))
    with pytest.raises(Exception, match="reshape"):
        export_bytes(broken, (gn.randn(2, 4),))
    assert Op.__dict__["apply"] is apply
    for m in [*model.modules(), *broken.modules()]:
        assert "forward" not in m.__dict__


def test_assignment_of_rows_along_a_dynamic_axis_is_refused():
    model = Model(_set_row)
    with pytest.raises(ExportError, match=r"IndexPut \(in model\.block\.0\).*single number"):
        export_bytes(model, (gn.randn(3, 4),), dynamic_axes={"input": [0]})


def _set_row(h):
    h = h * 1
    h[0] = 1.0
    return h
