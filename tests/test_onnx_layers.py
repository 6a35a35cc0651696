"""glassnet → ONNX → ONNX Runtime for every layer glassnet.onnx supports: the
file passes onnx.checker, and ONNX Runtime's outputs equal glassnet's within
1e-5 at the exported batch size and at another one (a dynamic batch axis)."""

import numpy as np
import pytest
from onnx_roundtrip import onnx, round_trip

import glassnet as gn
from glassnet import nn

to_array = onnx.numpy_helper.to_array
B, OTHER_B = 2, 5


def floats(*shape):
    return gn.randn(*shape)


def then(layer, first=None):
    """``layer`` after a Linear(5, 5) (so the exported graph has parameters before it)."""
    return nn.Sequential(first or nn.Linear(5, 5), layer)


def batch_norm(layer, shape):
    """A BatchNorm layer with running statistics that are not 0 and 1."""
    layer.train()
    for _ in range(3):
        layer(gn.randn(*shape) * 2 + 1)
    return layer


# name: (model factory, input shape after the batch axis)
LAYERS = {
    "linear": (lambda: nn.Linear(5, 3), (5,)),
    "linear_3d_input": (lambda: nn.Linear(5, 3), (4, 5)),
    "linear_no_bias": (lambda: nn.Linear(5, 3, bias=False), (5,)),
    "relu": (lambda: then(nn.ReLU()), (5,)),
    "sigmoid": (lambda: then(nn.Sigmoid()), (5,)),
    "tanh": (lambda: then(nn.Tanh()), (5,)),
    "leaky_relu": (lambda: then(nn.LeakyReLU(0.2)), (5,)),
    "elu": (lambda: then(nn.ELU(0.7)), (5,)),
    "gelu": (lambda: then(nn.GELU()), (5,)),
    "gelu_tanh": (lambda: then(nn.GELU(approximate="tanh")), (5,)),
    "softplus": (lambda: then(nn.Softplus(beta=2.0, threshold=1.0)), (5,)),
    "softmax": (lambda: then(nn.Softmax(dim=1)), (5,)),
    "log_softmax": (lambda: then(nn.LogSoftmax(dim=-1)), (5,)),
    "dropout_eval": (lambda: then(nn.Dropout(0.5)), (5,)),
    "identity": (lambda: then(nn.Identity()), (5,)),
    "flatten": (lambda: nn.Sequential(nn.Conv2d(2, 3, 3), nn.Flatten()), (2, 5, 5)),
    "flatten_middle": (lambda: nn.Sequential(nn.Flatten(1, 2), nn.Linear(4, 2)), (3, 2, 4)),
    "conv1d": (lambda: nn.Conv1d(3, 4, 3, stride=2, padding=1), (3, 10)),
    "conv1d_same_dilated": (lambda: nn.Conv1d(3, 4, 4, padding="same", dilation=2), (3, 9)),
    "conv2d": (lambda: nn.Conv2d(3, 4, 3, padding=1), (3, 6, 7)),
    "conv2d_strided_grouped": (
        lambda: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), groups=2, dilation=(1, 2)),
        (4, 8, 7),
    ),
    "conv2d_same_even_kernel": (lambda: nn.Conv2d(2, 3, 4, padding="same"), (2, 6, 6)),
    "conv_transpose2d": (
        lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1),
        (3, 4, 5),
    ),
    "conv_transpose2d_grouped": (
        lambda: nn.ConvTranspose2d(4, 6, 2, stride=2, groups=2, bias=False),
        (4, 3, 3),
    ),
    "conv_transpose2d_output_padding_from_dilation": (
        lambda: nn.ConvTranspose2d(2, 3, 3, dilation=2, output_padding=1),
        (2, 4, 5),
    ),
    "conv_transpose2d_output_padding_past_padding": (
        lambda: nn.ConvTranspose2d(2, 3, 2, stride=(3, 2), padding=(0, 1), output_padding=(2, 1)),
        (2, 4, 5),
    ),
    "max_pool2d": (lambda: nn.MaxPool2d(2), (3, 6, 6)),
    "max_pool2d_padded": (lambda: nn.MaxPool2d(3, stride=2, padding=1), (2, 7, 6)),
    "max_pool2d_dilated": (lambda: nn.MaxPool2d(2, stride=1, dilation=2), (2, 6, 6)),
    "max_pool2d_ceil": (lambda: nn.MaxPool2d(2, ceil_mode=True), (2, 5, 7)),
    "avg_pool2d": (lambda: nn.AvgPool2d(2), (3, 6, 6)),
    "avg_pool2d_padded": (lambda: nn.AvgPool2d(3, stride=2, padding=1), (2, 7, 6)),
    "avg_pool2d_padding_not_counted": (
        lambda: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
        (2, 7, 6),
    ),
    "avg_pool2d_divisor": (lambda: nn.AvgPool2d(2, divisor_override=3), (2, 6, 6)),
    "avg_pool2d_ceil": (lambda: nn.AvgPool2d(2, ceil_mode=True), (2, 5, 7)),
    "avg_pool2d_ceil_padded_not_counted": (
        lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
        (2, 6, 6),
    ),
    "avg_pool2d_divisor_ceil_padded": (
        lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, divisor_override=2),
        (2, 8, 9),
    ),
    "max_pool2d_ceil_padded_dilated": (
        lambda: nn.MaxPool2d(2, stride=2, padding=1, dilation=2, ceil_mode=True),
        (2, 8, 9),
    ),
    # ceil_mode where PyTorch drops the last window of one axis only (ONNX keeps it)
    "max_pool2d_ceil_one_axis_drops": (
        lambda: nn.MaxPool2d((3, 1), stride=3, dilation=2, ceil_mode=True),
        (2, 10, 8),
    ),
    "avg_pool2d_ceil_one_axis_drops": (
        lambda: nn.AvgPool2d((3, 2), stride=3, padding=(0, 1), ceil_mode=True),
        (2, 8, 8),
    ),
    "avg_pool2d_ceil_one_axis_drops_padding_not_counted": (
        lambda: nn.AvgPool2d(
            (3, 2), stride=(2, 3), padding=1, ceil_mode=True, count_include_pad=False
        ),
        (2, 10, 4),
    ),
    "adaptive_avg_pool2d_global": (lambda: nn.AdaptiveAvgPool2d(1), (3, 5, 7)),
    "adaptive_avg_pool2d_dividing": (lambda: nn.AdaptiveAvgPool2d((2, 3)), (3, 6, 6)),
    "adaptive_avg_pool2d_uneven": (lambda: nn.AdaptiveAvgPool2d((3, 2)), (3, 7, 5)),
    "batch_norm1d": (lambda: batch_norm(nn.BatchNorm1d(5), (8, 5)), (5,)),
    "batch_norm1d_sequence": (lambda: batch_norm(nn.BatchNorm1d(5), (8, 5, 4)), (5, 4)),
    "batch_norm1d_no_affine": (lambda: batch_norm(nn.BatchNorm1d(5, affine=False), (8, 5)), (5,)),
    "batch_norm2d": (lambda: batch_norm(nn.BatchNorm2d(3), (4, 3, 5, 5)), (3, 5, 5)),
    "layer_norm": (lambda: then(nn.LayerNorm(5)), (5,)),
    "layer_norm_2d": (lambda: nn.LayerNorm((3, 4)), (2, 3, 4)),
    "layer_norm_no_affine": (lambda: nn.LayerNorm(4, elementwise_affine=False), (3, 4)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_round_trip(name):
    gn.manual_seed(0)
    factory, shape = LAYERS[name]
    model = factory()
    x, other = floats(B, *shape), floats(OTHER_B, *shape)
    round_trip(model, (x,), (other,), {"input": {0: "batch"}})


def test_embedding_round_trip():
    """Integer indices in, rows of the table out; both the batch and the sequence
    axes are dynamic."""
    gn.manual_seed(0)
    model = nn.Sequential(nn.Embedding(10, 4, padding_idx=0), nn.Linear(4, 2))
    x, other = gn.randint(0, 10, (B, 6)), gn.randint(0, 10, (OTHER_B, 3))
    round_trip(model, (x,), (other,), {"input": {0: "batch", 1: "seq"}})


RECURRENT = {
    "rnn": dict(kind=nn.RNN),
    "rnn_relu_no_bias": dict(kind=nn.RNN, nonlinearity="relu", bias=False),
    "lstm": dict(kind=nn.LSTM),
    "lstm_batch_first": dict(kind=nn.LSTM, batch_first=True),
    "lstm_bidirectional_two_layers": dict(kind=nn.LSTM, bidirectional=True, num_layers=2),
    "gru": dict(kind=nn.GRU),
    "gru_batch_first_bidirectional": dict(kind=nn.GRU, batch_first=True, bidirectional=True),
    "gru_three_layers": dict(kind=nn.GRU, num_layers=3),
    "rnn_bidirectional_two_layers": dict(kind=nn.RNN, bidirectional=True, num_layers=2),
}


@pytest.mark.parametrize("name", sorted(RECURRENT))
def test_recurrent_round_trip(name):
    """The output sequence and the final states (h_n, and c_n for the LSTM), with
    dynamic batch and sequence axes."""
    gn.manual_seed(0)
    options = dict(RECURRENT[name])
    kind = options.pop("kind")
    model = kind(3, 4, **options)
    first = options.get("batch_first", False)

    def inputs(batch, steps):
        return floats(batch, steps, 3) if first else floats(steps, batch, 3)

    axes = {0: "batch", 1: "seq"} if first else {0: "seq", 1: "batch"}
    round_trip(model, (inputs(B, 5),), (inputs(OTHER_B, 2),), {"input": axes})


@pytest.mark.parametrize("kind", [nn.LSTM, nn.GRU, nn.RNN])
def test_recurrent_with_initial_state(kind):
    gn.manual_seed(0)
    model = kind(3, 4, num_layers=2, bidirectional=True)

    def inputs(batch):
        x = floats(5, batch, 3)
        h = floats(4, batch, 4)
        return (x, (h, floats(4, batch, 4))) if kind is nn.LSTM else (x, h)

    class WithState(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = model

        def forward(self, x, h, c=None):
            return self.rnn(x, h if c is None else (h, c))

    def flat(args):
        x, state = args
        return (x, *state) if isinstance(state, tuple) else (x, state)

    wrapper = WithState()
    names = ["x", "h", "c"][: len(flat(inputs(B)))]
    axes = {n: {1: "batch"} for n in names}
    round_trip(wrapper, flat(inputs(B)), flat(inputs(OTHER_B)), axes, input_names=names)


def test_unbatched_recurrent_input():
    gn.manual_seed(0)
    model = nn.LSTM(3, 4, bidirectional=True)
    round_trip(model, (floats(6, 3),), (floats(2, 3),), {"input": {0: "seq"}})


def test_dynamic_spatial_axes_of_a_convolutional_network():
    gn.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 4, 3, padding=1),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(4, 2),
    )
    axes = {"input": {0: "batch", 2: "height", 3: "width"}}
    round_trip(model, (floats(B, 3, 8, 8),), (floats(OTHER_B, 3, 12, 6),), axes)


def test_float64_model():
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 1)).to(gn.float64)
    x, other = floats(B, 5).double(), floats(OTHER_B, 5).double()
    proto = round_trip(model, (x,), (other,), {"input": {0: "batch"}})
    assert proto.graph.input[0].type.tensor_type.elem_type == 11  # DOUBLE


def test_parameters_are_initializers_under_their_state_dict_names():
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 2))
    proto = round_trip(model, (floats(B, 5),), (floats(OTHER_B, 5),), {"input": {0: "b"}})
    stored = {t.name: t for t in proto.graph.initializer}
    for name, p in model.named_parameters():
        assert name in stored
        np.testing.assert_array_equal(to_array(stored[name]), p.detach().numpy())


@pytest.mark.parametrize("kind", [nn.RNNCell, nn.LSTMCell, nn.GRUCell])
def test_cells_with_and_without_a_state(kind):
    """One step of a cell: with zeros as the state, with a given one, unbatched."""
    gn.manual_seed(0)
    cell = kind(3, 4) if kind is not nn.RNNCell else kind(3, 4, nonlinearity="relu")

    class Step(nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = cell

        def forward(self, x, h, c=None):
            return self.cell(x, h if c is None else (h, c))

    round_trip(cell, (floats(B, 3),), (floats(OTHER_B, 3),), {"input": {0: "batch"}})
    names = ["x", "h", "c"] if kind is nn.LSTMCell else ["x", "h"]

    def args(*batch):
        return tuple(floats(*batch, n) for n in [3, 4, 4][: len(names)])

    axes = {n: {0: "batch"} for n in names}
    round_trip(Step(), args(B), args(OTHER_B), axes, input_names=names)
    round_trip(Step(), args(), args(), {}, input_names=names)
