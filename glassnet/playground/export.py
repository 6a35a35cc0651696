"""Export: the trained weights (safetensors, written by ``gn.save``) and a
short Python script that rebuilds the same network and data with glassnet,
loads the weights and goes on training."""

import os
import tempfile

from ..io import save
from ..nn.activation_registry import ACTIVATIONS
from ..nn.loss_registry import LOSSES
from ..optim.registry import OPTIMIZERS
from ..train.card import ModelCard, describe_layers
from ..train.saved import save_model
from .datasets import DATASETS, UPLOAD
from .features import CODE as FEATURE_CODE
from .trainer import LOSS_BY_TASK

WEIGHTS_STEM = "playground_model"
WEIGHTS_FILE = WEIGHTS_STEM + ".safetensors"
SCRIPT_FILE = "playground_model.py"


# each page feature as the model card writes it, from the two columns (c0, c1)
CARD_FEATURES = {
    "x1": ("col", 0),
    "x2": ("col", 1),
    "x1sq": ("mul", 0, 0),
    "x2sq": ("mul", 1, 1),
    "x1x2": ("mul", 0, 1),
    "sinx1": ("sin", 0),
    "sinx2": ("sin", 1),
}


def model_card(network, config, data, upload=None):
    """The ``ModelCard`` of the page's network: its layers, the two columns it
    reads (x1, x2, or the uploaded file's), the features it makes of them,
    the task and the class names (no standardization: the page trains on the
    points as they are)."""
    columns = list(upload.feature_names) if config.dataset == UPLOAD else ["x1", "x2"]
    features = [
        [spec[0]] + [columns[i] for i in spec[1:]]
        for spec in (CARD_FEATURES[f] for f in config.features)
    ]
    classification = data.task == "classification"
    target = upload.target_name if config.dataset == UPLOAD else "label"
    return ModelCard(
        task=data.task,
        layers=describe_layers(network.sequential()),
        columns=columns,
        target_name=target,
        classes=[str(c) for c in data.classes] if classification else None,
        features=features,
        loss=LOSS_BY_TASK[data.task],
    )


def weights_bytes(network, config=None, data=None, upload=None):
    """The network's state_dict as the bytes of a safetensors file; with the
    session's ``config`` and ``data`` (and ``upload``), its model card rides in
    the metadata, so `glassnet predict`/`explain` and gn.load_model read it."""
    with tempfile.TemporaryDirectory(prefix="glassnet-export-") as tmp:
        path = os.path.join(tmp, WEIGHTS_FILE)
        if config is None or data is None:
            save(network.sequential().state_dict(), path)
        else:
            save_model(network.sequential(), path, model_card(network, config, data, upload))
        with open(path, "rb") as f:
            return f.read()


def _data_code(config, data, upload_name):
    seed = f"rng = np.random.default_rng({config.seed})"
    if config.dataset == UPLOAD:
        task = data.task
        return (
            f"CSV = sys.argv[2] if len(sys.argv) > 2 else {upload_name!r}\n{seed}\n"
            f"data = gn.datasets.load_csv(CSV, target=TARGET, features=FEATURES, "
            f"task={task!r})"
        )
    call = DATASETS[config.dataset][2]
    return f"{seed}\ndata = {call}({config.points}, {config.noise}, generator=rng)"


def _model_code(network):
    lines = []
    for l, lin in enumerate(network.linears):
        parts = [f"nn.Linear({lin.in_features}, {lin.out_features})"]
        if l < len(network.activation_names):
            parts.append(ACTIVATIONS[network.activation_names[l]].code())
            if network.dropout > 0:
                parts.append(f"nn.Dropout({network.dropout!r})")
        lines.append("    " + ", ".join(parts) + ",")
    return "\n".join(lines)


def _penalty_code(config):
    if config.regularization == "none" or config.regularizationRate == 0:
        return ""
    fn = "l1_penalty" if config.regularization == "l1" else "l2_penalty"
    return (
        f"\n        loss = loss + gn.optim.{fn}(weights, lam={config.regularizationRate!r})"
        f"  # {config.regularization.upper()} regularization"
    )


def script(config, network, data, upload=None, upload_name=None):
    """The text of the script (``upload``: the uploaded LabeledDataset, if any)."""
    feats = config.features
    csv_head = ""
    if config.dataset == UPLOAD:
        csv_head = f"FEATURES, TARGET = {list(upload.feature_names)!r}, {upload.target_name!r}\n"
    extra_import = (
        "import glassnet.playground.multiclass\n"
        if DATASETS.get(config.dataset, ("", "", ""))[2].startswith("glassnet.")
        else ""
    )
    inputs = ", ".join(FEATURE_CODE[f] for f in feats)
    weights_line = (
        "\nweights = [m.weight for m in model if isinstance(m, nn.Linear)]"
        if _penalty_code(config)
        else ""
    )
    usage = "[EPOCHS] [CSV]" if config.dataset == UPLOAD else "[EPOCHS]"
    test_size = (100 - config.trainRatio) / 100  # as datasets.split
    return f'''"""Go on training the network built in glassnet's playground.

    python {SCRIPT_FILE} {usage}

Rebuilds the page's data ({config.dataset}, the same points and split) and
network, loads the trained weights from the path in GLASSNET_WEIGHTS or
else next to this file: the .safetensors file of this script's own name,
else {WEIGHTS_FILE}, else its newest renamed download
("{WEIGHTS_STEM} (1).safetensors"...), trains EPOCHS more epochs (default 100) and saves the
result as playground_model_continued.safetensors.
Optimizer state (momentum, Adam's averages) starts afresh.
"""
import glob
import os
import sys

import numpy as np

import glassnet as gn
{extra_import}from glassnet import nn

HERE = os.path.dirname(os.path.abspath(__file__))


def weights_path():
    """GLASSNET_WEIGHTS, else the weights next to this file (see above)."""
    if os.environ.get("GLASSNET_WEIGHTS"):
        return os.environ["GLASSNET_WEIGHTS"]
    own = os.path.splitext(os.path.abspath(__file__))[0] + ".safetensors"
    exact = [own, os.path.join(HERE, {WEIGHTS_FILE!r})]
    pattern = os.path.join(glob.escape(HERE), {WEIGHTS_STEM + " (*).safetensors"!r})
    renamed = sorted(glob.glob(pattern), key=os.path.getmtime)
    for path in exact + renamed[::-1]:
        if os.path.isfile(path):
            return path
    sys.exit("no weights found: looked for " + " and ".join(exact) + " and a renamed download "
             "next to them; download the weights from the page, or set GLASSNET_WEIGHTS")


WEIGHTS = weights_path()
EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 100
{csv_head}
{_data_code(config, data, upload_name)}
train, test = gn.datasets.train_test_split(data, test_size={test_size!r}, generator=rng)


def features(points):
    """The network's inputs, as on the page: {", ".join(feats)}."""
    x1, x2 = points[:, 0].astype(np.float64), points[:, 1].astype(np.float64)
    return np.stack([{inputs}], axis=1).astype(np.float32)


x_train, y_train = gn.tensor(features(train.features.numpy())), train.targets
x_test, y_test = gn.tensor(features(test.features.numpy())), test.targets
loader = gn.data.DataLoader(gn.data.TensorDataset(x_train, y_train), batch_size={config.batchSize},
                            shuffle=True)

model = nn.Sequential(
{_model_code(network)}
)
model.load_state_dict(gn.load(WEIGHTS))
loss_fn = {LOSSES[LOSS_BY_TASK[data.task]].code()}
optimizer = {OPTIMIZERS[config.optimizer].code(config.learningRate)}{weights_line}


def losses():
    model.eval()
    with gn.no_grad():
        out = loss_fn(model(x_train), y_train).item(), loss_fn(model(x_test), y_test).item()
    model.train()
    return out


print("epoch 0: train loss %.4f, test loss %.4f" % losses())
for epoch in range(1, EPOCHS + 1):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb){_penalty_code(config)}
        loss.backward()
        optimizer.step()
    if epoch % 10 == 0 or epoch == EPOCHS:
        print("epoch %d: train loss %.4f, test loss %.4f" % ((epoch,) + losses()))
gn.save(model.state_dict(), "playground_model_continued.safetensors")
'''
