"""What the ONNX tests share: export a model, run the file in ONNX Runtime at
the exported batch size and at another, and compare with glassnet."""

import io

import numpy as np
from conftest import need

import glassnet as gn

onnx = need("onnx", "pip install 'glassnet[onnx]'")
ort = need("onnxruntime", "pip install 'glassnet[onnx]'")

TOLERANCE = 1e-5  # the bar: ONNX Runtime's numbers equal glassnet's within 1e-5


def export_bytes(model, args, **kwargs):
    """(the ModelProto export returned, the serialized file) of ``model(*args)``."""
    buffer = io.BytesIO()
    proto = gn.onnx.export(model, args, buffer, **kwargs)
    return proto, buffer.getvalue()


def session(data):
    return ort.InferenceSession(data, providers=["CPUExecutionProvider"])


def glassnet_outputs(model, args):
    with gn.no_grad():
        out = model(*args)
    flat = []
    stack = [out]
    while stack:
        item = stack.pop(0)
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, (tuple, list)):
            stack[:0] = list(item)
        elif isinstance(item, gn.Tensor):
            flat.append(np.asarray(item))
    return flat


def assert_runs_like_glassnet(model, args, data, input_names=None):
    """ONNX Runtime on ``data`` gives glassnet's outputs for ``args``."""
    sess = session(data)
    names = input_names or [i.name for i in sess.get_inputs()]
    feeds = {n: np.asarray(a) for n, a in zip(names, [a for a in args if isinstance(a, gn.Tensor)])}
    got = sess.run(None, feeds)
    want = glassnet_outputs(model, args)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape, (g.shape, w.shape)
        assert g.dtype == w.dtype, (g.dtype, w.dtype)
        if w.dtype.kind == "f":
            np.testing.assert_allclose(g, w, rtol=0, atol=TOLERANCE)
        else:
            np.testing.assert_array_equal(g, w)


def round_trip(model, args, other_args, dynamic_axes, **kwargs):
    """Export at ``args``; check onnx.checker, and ONNX Runtime against glassnet at
    ``args`` and at ``other_args`` (other sizes along the dynamic axes)."""
    model.eval()
    proto, data = export_bytes(model, args, dynamic_axes=dynamic_axes, **kwargs)
    onnx.checker.check_model(onnx.load_from_string(data), full_check=True)
    assert_runs_like_glassnet(model, args, data)
    assert_runs_like_glassnet(model, other_args, data)
    return proto
