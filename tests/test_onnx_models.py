"""Models that compose layers and functions in their forward, exported by
tracing glassnet's own ops: attention, transformer layers, a convolutional
and recurrent stack, arithmetic on tensors, several inputs and outputs."""

import numpy as np
import pytest
from onnx_roundtrip import export_bytes, round_trip, session

import glassnet as gn
from glassnet import nn

B, OTHER_B = 2, 5


class SelfAttention(nn.Module):
    def __init__(self, batch_first, need_weights):
        super().__init__()
        self.attn = nn.MultiheadAttention(8, 2, batch_first=batch_first)
        self.need_weights = need_weights

    def forward(self, x):
        out, weights = self.attn(x, x, x, need_weights=self.need_weights)
        return (out, weights) if self.need_weights else out


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights", [True, False])
def test_multihead_self_attention(batch_first, need_weights):
    """Both of MultiheadAttention's paths (plain softmax with the weights, fused
    attention without), both layouts; batch and sequence axes dynamic."""
    gn.manual_seed(0)
    model = SelfAttention(batch_first, need_weights)

    def x(batch, seq):
        return gn.randn(batch, seq, 8) if batch_first else gn.randn(seq, batch, 8)

    axes = {0: "batch", 1: "seq"} if batch_first else {0: "seq", 1: "batch"}
    names = ["out", "weights"] if need_weights else ["out"]
    dynamic = {"x": axes}
    round_trip(model, (x(B, 4),), (x(OTHER_B, 3),), dynamic, input_names=["x"], output_names=names)


class CrossAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(8, 4, kdim=6, vdim=5, batch_first=True)

    def forward(self, q, k, v):
        return self.attn(q, k, v)[0]


def test_multihead_cross_attention_with_separate_projections():
    gn.manual_seed(0)
    model = CrossAttention()

    def args(batch, lq, lk):
        return gn.randn(batch, lq, 8), gn.randn(batch, lk, 6), gn.randn(batch, lk, 5)

    axes = {"q": {0: "b", 1: "lq"}, "k": {0: "b", 1: "lk"}, "v": {0: "b", 1: "lk"}}
    round_trip(model, args(B, 3, 4), args(OTHER_B, 2, 6), axes, input_names=["q", "k", "v"])


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder(norm_first):
    gn.manual_seed(0)
    layer = nn.TransformerEncoderLayer(
        8, 2, dim_feedforward=16, dropout=0.1, batch_first=True, norm_first=norm_first
    )
    model = nn.TransformerEncoder(layer, num_layers=2)
    axes = {"input": {0: "batch", 1: "seq"}}
    round_trip(model, (gn.randn(B, 5, 8),), (gn.randn(OTHER_B, 3, 8),), axes)


class ConvRecurrent(nn.Module):
    """Conv1d features over time, an LSTM over them, a classifier on the last step."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 6, 3, padding=1)
        self.lstm = nn.LSTM(6, 5, batch_first=True, bidirectional=True)
        self.head = nn.Linear(10, 4)

    def forward(self, x):
        features = gn.relu(self.conv(x)).transpose(1, 2)
        out, (h, c) = self.lstm(features)
        return gn.log_softmax(self.head(out[:, -1]), dim=-1), h


def test_convolution_then_lstm():
    gn.manual_seed(0)
    axes = {"input": {0: "batch", 2: "time"}}
    round_trip(ConvRecurrent(), (gn.randn(B, 3, 7),), (gn.randn(OTHER_B, 3, 4),), axes)


class Arithmetic(nn.Module):
    """The functional API on traced tensors: what a hand-written forward uses."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(gn.randn(6, 6) * 0.3)
        self.scale = nn.Parameter(gn.rand(6) + 0.5)
        self.register_buffer("shift", gn.randn(6))

    def forward(self, x, y):
        a = (x @ self.w) * self.scale - self.shift / 2 + 1.5
        b = gn.cat([a, y], dim=1)  # (N, 12)
        left, right = b.chunk(2, dim=1)
        c = gn.stack([left, right], dim=1).permute(0, 2, 1)  # (N, 6, 2)
        d = c.sum(dim=-1) + c.mean(dim=2) * c.amax(dim=-1) - c.amin(dim=-1)
        e = gn.exp(-gn.abs(d)) + gn.log(gn.sqrt(d * d + 1)) + gn.sin(d) * gn.cos(d)
        f = gn.clamp(e, min=-0.5, max=2.0) ** 2 + gn.maximum(e, d) - gn.minimum(e, 0.1)
        g = gn.where(gn.tensor([True, False, True, True, False, False]), f, -f)
        h = gn.var(g, dim=1, keepdim=True) + g.std(dim=1, keepdim=True) + g.max(dim=1)[0][:, None]
        i = g.unsqueeze(1).expand(-1, 3, -1)[:, 1:, ::2]  # (N, 2, 3)
        j = gn.pad(i, (1, 2), value=0.5).reshape(x.shape[0], -1)
        k = j[:, [0, 3, 5]] + gn.index_select(j, 1, gn.tensor([1, 1, 2]))
        return gn.logsumexp(j, dim=1) + h.squeeze(1), k


def test_functional_arithmetic():
    gn.manual_seed(0)
    model = Arithmetic()
    names = ["x", "y"]
    axes = {"x": {0: "n"}, "y": {0: "n"}}

    def args(n):
        return gn.randn(n, 6), gn.randn(n, 6)

    round_trip(model, args(B), args(OTHER_B), axes, input_names=names)


def test_several_inputs_and_outputs_are_named_and_output_axes_labelled():
    gn.manual_seed(0)

    class TwoHeads(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(4, 3), nn.Linear(2, 3)

        def forward(self, x, y):
            return self.a(x) + self.b(y), gn.softmax(self.a(x), dim=-1)

    axes = {"x": {0: "n"}, "y": {0: "n"}, "sum": {0: "n"}}
    proto, data = export_bytes(
        TwoHeads(),
        (gn.randn(B, 4), gn.randn(B, 2)),
        input_names=["x", "y"],
        output_names=["sum", "probs"],
        dynamic_axes=axes,
    )
    assert [i.name for i in proto.graph.input] == ["x", "y"]
    assert [o.name for o in proto.graph.output] == ["sum", "probs"]
    dims = [d.dim_param or d.dim_value for d in proto.graph.output[0].type.tensor_type.shape.dim]
    assert dims == ["n", 3]
    got = session(data).run(None, {"x": np.ones((7, 4), np.float32), "y": np.ones((7, 2), "f")})
    assert [g.shape for g in got] == [(7, 3), (7, 3)]


def test_export_without_dynamic_axes_fixes_every_size():
    gn.manual_seed(0)
    proto, _ = export_bytes(nn.Linear(4, 2), (gn.randn(3, 4),))
    dims = [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim]
    assert dims == [3, 4]


def test_training_mode_model_is_exported_in_eval_mode_and_left_training():
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.BatchNorm1d(4))
    model.train()
    x = gn.randn(3, 4)
    _, data = export_bytes(model, (x,))
    assert model.training and all(m.training for m in model.modules())
    model.eval()
    want = model(x).detach().numpy()
    np.testing.assert_allclose(session(data).run(None, {"input": x.numpy()})[0], want, atol=1e-5)


def test_export_writes_the_file_at_a_path(tmp_path):
    gn.manual_seed(0)
    path = tmp_path / "model.onnx"
    model = nn.Linear(4, 2)
    x = gn.randn(3, 4)
    returned = gn.onnx.export(model, x, path)
    assert path.read_bytes() == returned.SerializeToString()
    got = session(str(path)).run(None, {"input": x.numpy()})[0]
    np.testing.assert_allclose(got, model(x).detach().numpy(), atol=1e-5)


def test_transformer_encoder_with_a_key_padding_mask_input():
    """A bool mask is a graph input (True: a padding position), with the batch and
    sequence axes dynamic."""
    gn.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True)
    encoder = nn.TransformerEncoder(layer, num_layers=2)

    class Masked(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder

        def forward(self, x, padding):
            return self.encoder(x, src_key_padding_mask=padding)

    def args(lengths, seq):
        padding = np.arange(seq)[None, :] >= np.asarray(lengths)[:, None]
        return gn.randn(len(lengths), seq, 8), gn.tensor(padding)

    axes = {"x": {0: "batch", 1: "seq"}, "padding": {0: "batch", 1: "seq"}}
    names = ["x", "padding"]
    round_trip(Masked(), args([3, 5], 5), args([4, 2, 1], 4), axes, input_names=names)


def test_in_place_changes_in_forward():
    """x += 1, clamp_ and mul_ on values computed from the input are ops of the graph
    (the trace gives the input a gradient, so glassnet records them)."""
    gn.manual_seed(0)

    class InPlace(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(4, 4)

        def forward(self, x, mask):
            y = self.linear(x)
            first = y * 1
            y += 1
            y.clamp_(min=0)
            y.mul_(2)
            return gn.where(mask, y, first), first

    def args(n):
        return gn.randn(n, 4), gn.tensor(np.arange(4 * n).reshape(n, 4) % 3 == 0)

    axes = {"x": {0: "n"}, "mask": {0: "n"}}
    round_trip(InPlace(), args(B), args(OTHER_B), axes, input_names=["x", "mask"])


def test_an_input_changed_in_place_is_refused():
    class ChangesInput(nn.Module):
        def forward(self, index):
            index += 1
            return gn.ones(3)[index]

    with pytest.raises(gn.onnx.ExportError, match="changed input 0 in place"):
        export_bytes(ChangesInput(), (gn.tensor([0, 1]),))


def test_the_howto_page_runs(tmp_path, monkeypatch, capsys):
    """docs/howto/onnx.md's code cells, run in order as the docs build runs them."""
    import pathlib
    import re

    page = pathlib.Path(__file__).resolve().parents[1] / "docs" / "howto" / "onnx.md"
    cells = re.findall(r"```\{code-cell\} python\n(.*?)```", page.read_text(), re.S)
    assert len(cells) == 3
    monkeypatch.chdir(tmp_path)
    exec(compile("\n".join(cells), str(page), "exec"), {"__name__": "howto"})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("(5, 10)") and float(lines[0].split()[-1]) < 1e-5
    assert lines[-1] == "onnx.export: no ONNX conversion for op Roll (in model)"


def test_index_tensors_given_as_inputs():
    """x[:, i], x[i] and gather(x, 1, g) with the indices as graph inputs (int64 and
    int32), their length dynamic."""
    gn.manual_seed(0)

    class Picks(nn.Module):
        def forward(self, x, i, g):
            return x[:, i] * 2, gn.gather(x, 1, g), x[i]

    def args(count):
        rows = np.arange(4 * 2).reshape(4, 2) % 5
        return gn.randn(4, 5), gn.tensor(np.arange(count) % 4), gn.tensor(rows.astype(np.int32))

    names = ["x", "i", "g"]
    round_trip(Picks(), args(3), args(6), {"i": {0: "count"}}, input_names=names)


def test_outputs_in_a_dict_and_nested_tuples_are_flattened_in_order():
    gn.manual_seed(0)

    class Outputs(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(3, 3)

        def forward(self, x):
            y = self.linear(x)
            return {"logits": y, "extra": (gn.relu(y), None, [y.sum(dim=1)])}

    proto = round_trip(Outputs(), (gn.randn(B, 3),), (gn.randn(OTHER_B, 3),), {"input": [0]})
    assert [o.name for o in proto.graph.output] == ["output_0", "output_1", "output_2"]


class Assigns(nn.Module):
    """Assignment into a tensor in forward: setitem with slices, an int row, an
    index list and a value computed from the input; fill_."""

    def __init__(self, dynamic):
        super().__init__()
        self.linear = nn.Linear(4, 4)
        self.dynamic = dynamic

    def forward(self, x):
        y = self.linear(x)
        y[:, 0] = 0.5
        y[..., 2] = y[0, 1] * 3
        if not self.dynamic:  # rows and lists of positions need a fixed batch
            y[1] = x[0] * 2
            y[..., [1, 3]] = gn.tensor([1.0, 2.0])
            z = y[2:] * 1
            z.fill_(-1.0)
            return y, z
        return y


def test_assignment_into_tensors():
    gn.manual_seed(0)
    round_trip(Assigns(dynamic=False), (gn.randn(3, 4),), (gn.randn(3, 4),), None)
    round_trip(Assigns(dynamic=True), (gn.randn(3, 4),), (gn.randn(6, 4),), {"input": [0]})
