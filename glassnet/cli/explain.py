"""``glassnet explain`` (a traced training step of a worked example or of a
saved model) and ``glassnet figures`` (every figure of the article)."""

import re

import numpy as np

from ..nn.activation_registry import ACTIVATIONS
from ..nn.loss_registry import LOSSES


def add_parsers(sub):
    p = sub.add_parser(
        "explain",
        help="print one training step, every number shown in the article's notation",
        description="Trace one training step (forward values, loss, every δ and ∂L/∂w, the "
        "update w ← w − η·∂L/∂w) of a worked example or of a saved model.",
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--example",
        choices=("square", "house", "xor", "mazur"),
        help="a worked example: the article's y = x² (square), house price "
        "(house), XOR (xor), or Mazur's 2-2-2 sigmoid network (mazur)",
    )
    what.add_argument(
        "--model",
        metavar="PATH",
        help="weights saved by `glassnet train --save` or gn.save(model."
        "state_dict()) of a Sequential of Linear layers",
    )
    what.add_argument(
        "--second-derivative",
        metavar="W",
        help="the curvature ∂²L/∂W² of the article's 1-2-1 example (square) in one weight "
        "W (w11, w21, b1, b2, w_out1, w_out2, b_out), term by term and checked against "
        "autograd; --activation tanh (or sigmoid...) replaces its relu",
    )
    p.add_argument(
        "--input",
        type=float,
        nargs="+",
        metavar="X",
        help="with --model: one input sample (its features)",
    )
    p.add_argument(
        "--target",
        type=float,
        nargs="+",
        metavar="Y",
        help="with --model: the target (a class index for cross_entropy)",
    )
    p.add_argument(
        "--activation",
        choices=ACTIVATIONS.accepted(),
        default="relu",
        type=str.lower,
        help="with --model: the hidden layers' activation (default relu)",
    )
    p.add_argument(
        "--loss",
        choices=LOSSES.accepted(),
        default="half_squared_error",
        type=str.lower,
        help="with --model: the loss (default half_squared_error, L = (y − ŷ)²/2)",
    )
    p.add_argument(
        "--lr", type=float, default=None, help="learning rate η (default: the example's, or 0.1)"
    )
    p.add_argument(
        "--lang",
        choices=("en", "zh"),
        default=None,
        help="language (default: from the locale, else en)",
    )
    p.add_argument("--html", metavar="PATH", help="also write the trace as an HTML page")
    p.add_argument("--markdown", action="store_true", help="print Markdown instead of text")
    p.set_defaults(func=run_explain)

    f = sub.add_parser(
        "figures",
        help="write every figure of the article to a folder",
        description="Activation functions and derivatives, gradient descent "
        "in 1-D and 2-D, loss curves, a decision boundary, vanishing "
        "gradients, dead ReLUs, the network diagram and a "
        "computation graph.",
    )
    f.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    f.add_argument(
        "--format",
        nargs="+",
        choices=("png", "svg"),
        default=["png", "svg"],
        help="image formats (default: png svg)",
    )
    f.add_argument("--lang", choices=("en", "zh"), default=None, help="language of the titles")
    f.add_argument("--quick", action="store_true", help="shorter training runs (faster)")
    f.set_defaults(func=run_figures)


def model_from_state_dict(state, activation):
    """A Sequential of Linear layers (with ``activation`` between them) holding the
    weights of a state_dict whose keys are '<index>.weight' / '<index>.bias'."""
    from .. import nn

    indices = sorted(
        {int(m.group(1)) for k in state for m in [re.match(r"(\d+)\.weight$", k)] if m}
    )
    if not indices:
        raise SystemExit(
            "glassnet explain: the file holds no '<n>.weight' entries; expected "
            "the state_dict of a Sequential of Linear layers"
        )
    layers = []
    for i, idx in enumerate(indices):
        w = state[f"{idx}.weight"]
        if w.ndim != 2:
            raise SystemExit(
                f"glassnet explain: '{idx}.weight' has shape {tuple(w.shape)}; "
                "expected a Linear layer's (out_features, in_features)"
            )
        lin = nn.Linear(w.shape[1], w.shape[0], bias=f"{idx}.bias" in state)
        lin.weight._data[...] = np.asarray(w)
        if lin.bias is not None:
            b = state[f"{idx}.bias"]
            lin.bias._data[...] = np.asarray(b)
        layers.append(lin)
        if i < len(indices) - 1:
            layers.append(ACTIVATIONS[activation].layer())
    return nn.Sequential(*layers)


def _load_model_example(args):
    import numpy as np

    from .. import io
    from ..tensor import Tensor

    if not args.input or not args.target:
        raise SystemExit("glassnet explain: --model needs --input X... and --target Y...")
    model = model_from_state_dict(io.load(args.model), args.activation)
    n_in = model[0].in_features
    if len(args.input) != n_in:
        raise SystemExit(
            f"glassnet explain: the model takes {n_in} input features, "
            f"--input gave {len(args.input)}"
        )
    x = Tensor(np.asarray([args.input], dtype=np.float32))
    loss = LOSSES[args.loss]
    loss_fn = loss.layer()
    if loss.name in ("cross_entropy", "nll"):
        y = Tensor(np.asarray([int(args.target[0])], dtype=np.int64))
    else:
        y = Tensor(np.asarray([args.target], dtype=np.float32))
    return model, x, y, loss_fn, args.lr if args.lr is not None else 0.1


def run_explain(args):
    from ..explain import examples, trace_step
    from ..explain.report import Section, write_page

    if args.second_derivative:
        return _run_second_derivative(args)
    if args.example:
        model, x, y, loss_fn, lr = getattr(examples, args.example)()
        if args.lr is not None:
            lr = args.lr
    else:
        model, x, y, loss_fn, lr = _load_model_example(args)
    trace = trace_step(model, x, y, loss_fn, lr=lr, lang=args.lang)
    print(trace.to_markdown() if args.markdown else trace.to_text())
    if args.html:
        from ..explain.draw.diagram import network_svg
        from ..explain.i18n import resolve_lang

        lang = resolve_lang(args.lang)
        title = "glassnet explain" + (f" — {args.example}" if args.example else "")
        sections = [Section("trace" if lang == "en" else "追踪", trace.to_html())]
        try:
            sections.insert(
                0, Section("network" if lang == "en" else "网络", network_svg(model, lang=lang))
            )
        except (TypeError, ValueError):
            pass  # a model the diagram cannot draw still gets its trace
        write_page(args.html, title, sections, lang=lang)
        print(f"wrote {args.html}")
    return 0


def _run_second_derivative(args):
    from .. import nn
    from ..explain import examples
    from ..explain.i18n import resolve_lang
    from ..explain.report import Section, write_page
    from ..explain.trace.second import second_derivative

    model, x, y, loss_fn, _ = examples.square()
    if args.activation != "relu":
        model = nn.Sequential(model[0], ACTIVATIONS[args.activation].layer(), model[2])
    result = second_derivative(model, x, y, loss_fn, args.second_derivative, lang=args.lang)
    print(result.to_markdown() if args.markdown else result.to_text())
    if args.html:
        title = f"glassnet explain — ∂²L/∂{args.second_derivative}²"
        write_page(
            args.html,
            title,
            [Section(f"∂²L/∂{args.second_derivative}²", result.to_html())],
            lang=resolve_lang(args.lang),
        )
        print(f"wrote {args.html}")
    return 0


def run_figures(args):
    from ..explain.report.figures import write_figures

    paths = write_figures(args.out, lang=args.lang, formats=tuple(args.format), quick=args.quick)
    for p in paths:
        print(p)
    return 0
