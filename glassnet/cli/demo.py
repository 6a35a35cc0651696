"""``glassnet demo``: the article's worked example, end to end.

The network is the article's: 1 input → 2 ReLU hidden neurons → 1 output,
learning y = x². The demo prints the network, one training step in the
article's notation (every number read from autograd), trains it (and a
wider 1-16-1 net for comparison) with a progress bar, prints the final fit,
and writes a self-contained ``report.html`` with the diagram, the step,
the loss curves and the learned curves against x².
"""

import numpy as np

from .. import nn, optim
from ..data import datasets
from ..explain import examples, trace_step
from ..explain.draw.charts import line_chart_svg
from ..explain.draw.diagram import network_svg
from ..explain.i18n import resolve_lang, text
from ..explain.report import Section, write_page
from ..grad_mode import no_grad
from ..random import manual_seed
from ..tensor import Tensor
from ..train.callbacks import ProgressBar
from ..train.loop import fit

TABLE = {
    "title": {
        "en": "glassnet demo — backpropagation, seen step by step",
        "zh": "glassnet 演示 —— 一步一步看清反向传播",
    },
    "intro": {
        "en": "The article's network: x → two ReLU neurons (z = w·x + b, a = relu(z)) → ŷ, "
        "learning y = x².",
        "zh": "文章中的网络:x → 两个 ReLU 神经元(z = w·x + b,a = relu(z))→ ŷ,学习 y = x²。",
    },
    "network": {"en": "The network", "zh": "网络结构"},
    "train": {
        "en": "Training on {n} points of y = x², x in [-1, 1], full-batch gradient descent "
        "(η = {lr}, {epochs} epochs):",
        "zh": "在 y = x² 的 {n} 个点上训练(x ∈ [-1, 1]),全批量梯度下降(η = {lr},{epochs} 轮):",
    },
    "final": {
        "en": "Final fit — loss L = mean (y − ŷ)²/2: 1-2-1 net {small:.5f}, 1-16-1 net {wide:.5f}",
        "zh": "最终拟合 —— 损失 L = 平均 (y − ŷ)²/2:1-2-1 网络 {small:.5f},1-16-1 网络 {wide:.5f}",
    },
    "table": {
        "en": "   x      x²     1-2-1 ŷ   1-16-1 ŷ",
        "zh": "   x      x²     1-2-1 ŷ   1-16-1 ŷ",
    },
    "why": {
        "en": "Two ReLU neurons can only bend the line twice, so the 1-2-1 net fits x² "
        "coarsely; 16 neurons follow the curve closely. (With other initial weights "
        "one of the two ReLUs can die — relu'(z) = 0 for every x — and the 1-2-1 net "
        "learns only half of the V.)",
        "zh": "两个 ReLU 神经元只能把直线折两次,所以 1-2-1 网络只能粗略拟合 x²;16 个神经元就能"
        "紧贴曲线。(换一组初始权重,两个 ReLU 中可能有一个“死掉”——对每个 x 都有 "
        "relu'(z) = 0——1-2-1 网络就只能学到 V 形的一半。)",
    },
    "report": {"en": "Wrote {path} (open it in a browser).", "zh": "已写出 {path}(用浏览器打开)。"},
    "sec_net": {
        "en": "The network and its weights (blue positive, orange negative, width |w|)",
        "zh": "网络与权重(蓝色为正,橙色为负,线宽为 |w|)",
    },
    "sec_grad": {
        "en": "The backward pass of the traced step (width |∂L/∂w|)",
        "zh": "所追踪那一步的反向传播(线宽为 |∂L/∂w|)",
    },
    "sec_step": {
        "en": "One training step in the article's notation",
        "zh": "用文章的记号写出的一步训练",
    },
    "sec_loss": {"en": "Loss during training", "zh": "训练中的损失"},
    "sec_fit": {
        "en": "What the networks learned, against y = x²",
        "zh": "网络学到的函数与 y = x² 的对比",
    },
    "epoch": {"en": "epoch", "zh": "轮次"},
    "loss": {"en": "loss", "zh": "损失"},
    "target": {"en": "y = x²", "zh": "y = x²"},
}

LR = 0.05
EPOCHS = 1500
# The initial weights decide a lot for two ReLU neurons: with some seeds one neuron dies
# (relu'(z) = 0 for every x) and the net fits only a line; seed 3 keeps both alive.
SEED = 3


def _train(hidden, ds, seed):
    """A 1-hidden-1 ReLU net trained by full-batch gradient descent."""
    manual_seed(seed)
    model = nn.Sequential(nn.Linear(1, hidden), nn.ReLU(), nn.Linear(hidden, 1))
    nn.init.kaiming_uniform_(model[0].weight, nonlinearity="relu")
    opt = optim.SGD(model.parameters(), lr=LR)
    history = fit(
        model,
        ds,
        loss=nn.HalfSquaredError(),
        optimizer=opt,
        epochs=EPOCHS,
        batch_size=len(ds),
        shuffle=False,
        verbose=0,
        callbacks=[ProgressBar(desc=f"1-{hidden}-1")],
    )
    return model, history


def run(lang=None, report="report.html", print_fn=print):
    """Print the walkthrough and write the report (unless ``report`` is None)."""
    lang = resolve_lang(lang)
    ex = examples.square()
    print_fn(text(TABLE, "title", lang))
    print_fn(text(TABLE, "intro", lang))
    print_fn("")
    print_fn(text(TABLE, "network", lang) + ":")
    print_fn(repr(ex.model))
    print_fn("")
    diagram_before = network_svg(ex.model, x=ex.x, lang=lang)
    diagram_grads = network_svg(
        ex.model, x=ex.x, y=ex.y, loss_fn=ex.loss_fn, show="gradients", lang=lang
    )
    trace = trace_step(ex.model, ex.x, ex.y, ex.loss_fn, lr=ex.lr, lang=lang)
    print_fn(trace.to_text())
    print_fn("")

    ds = datasets.square(n=64, low=-1.0, high=1.0, noise=0.0)
    print_fn(text(TABLE, "train", lang, n=len(ds), lr=LR, epochs=EPOCHS))
    small, h_small = _train(2, ds, seed=SEED)
    wide, h_wide = _train(16, ds, seed=SEED)
    print_fn(
        text(
            TABLE, "final", lang, small=h_small.history["loss"][-1], wide=h_wide.history["loss"][-1]
        )
    )
    grid = np.linspace(-1, 1, 201, dtype=np.float32).reshape(-1, 1)
    with no_grad():
        pred_small = small(Tensor(grid))._data.ravel()
        pred_wide = wide(Tensor(grid))._data.ravel()
    print_fn(text(TABLE, "table", lang))
    for i in range(0, 201, 40):
        x = grid[i, 0]
        print_fn(f"{x:6.2f} {x * x:7.4f} {pred_small[i]:9.4f} {pred_wide[i]:9.4f}")
    print_fn(text(TABLE, "why", lang))

    if report:
        epochs = np.arange(1, EPOCHS + 1)
        loss_chart = line_chart_svg(
            [
                {"label": "1-2-1", "x": epochs, "y": h_small.history["loss"]},
                {"label": "1-16-1", "x": epochs, "y": h_wide.history["loss"]},
            ],
            title=text(TABLE, "sec_loss", lang),
            xlabel=text(TABLE, "epoch", lang),
            ylabel=text(TABLE, "loss", lang),
            log_y=True,
        )
        fit_chart = line_chart_svg(
            [
                {
                    "label": text(TABLE, "target", lang),
                    "x": grid.ravel(),
                    "y": grid.ravel() ** 2,
                    "color": "#222",
                    "dash": "5 4",
                },
                {"label": "1-2-1", "x": grid.ravel(), "y": pred_small},
                {"label": "1-16-1", "x": grid.ravel(), "y": pred_wide},
            ],
            title=text(TABLE, "sec_fit", lang),
            xlabel="x",
            ylabel="ŷ",
        )
        sections = [
            Section(text(TABLE, "sec_net", lang), diagram_before),
            Section(text(TABLE, "sec_grad", lang), diagram_grads),
            Section(text(TABLE, "sec_step", lang), trace.to_html()),
            Section(text(TABLE, "sec_loss", lang), loss_chart),
            Section(text(TABLE, "sec_fit", lang), fit_chart, note=text(TABLE, "why", lang)),
        ]
        write_page(report, text(TABLE, "title", lang), sections, text(TABLE, "intro", lang), lang)
        print_fn(text(TABLE, "report", lang, path=report))
    return {"trace": trace, "history_small": h_small, "history_wide": h_wide}
