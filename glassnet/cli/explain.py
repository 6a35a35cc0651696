"""``glassnet explain`` (a traced training step of a worked example or of a
saved model) and ``glassnet figures`` (every figure of the article)."""

from ..nn.activation_registry import ACTIVATIONS
from ..nn.loss_registry import LOSSES
from .explain_model import model_from_state_dict

__all__ = ["add_parsers", "run_explain", "run_figures", "model_from_state_dict"]


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
        help="a model saved by `glassnet train --save` or the playground's export (its "
        "card says the layers and the standardization), or gn.save(model.state_dict()) "
        "of a Sequential of Linear layers",
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
        help="with --model: one input sample, in the data's units for a model with a card "
        "(one value per column, standardized as in training)",
    )
    p.add_argument(
        "--target",
        nargs="+",
        metavar="Y",
        help="with --model: the target, in the data's units; for a classification model a "
        "class name or a class index from 0",
    )
    p.add_argument(
        "--activation",
        choices=ACTIVATIONS.accepted(),
        default=None,
        type=str.lower,
        help="with --model of weights alone: the hidden layers' activation (default relu; "
        "a model with a card names its own)",
    )
    p.add_argument(
        "--loss",
        choices=LOSSES.accepted(),
        default=None,
        type=str.lower,
        help="with --model: the loss (default: the one the model was trained with, from its "
        "card; for weights alone half_squared_error, L = (y − ŷ)²/2)",
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


def run_explain(args):
    from ..explain import examples, trace_step
    from ..explain.i18n import resolve_lang
    from ..explain.report import Section, write_page
    from .explain_model import load

    if args.second_derivative:
        return _run_second_derivative(args)
    lang = resolve_lang(args.lang)
    step = None
    if args.example:
        model, x, y, loss_fn, lr = getattr(examples, args.example)()
        if args.lr is not None:
            lr = args.lr
    else:
        step = load(args)
        model, x, y, loss_fn, lr = step.model, step.x, step.y, step.loss_fn, step.lr
    classes = step.classes if step is not None else None
    trace = trace_step(model, x, y, loss_fn, lr=lr, lang=lang, classes=classes)
    inputs = [r.name for r in trace.forward if r.kind == "input"]
    before = step.before(lang, inputs) if step is not None else []
    after = step.after(lang) if step is not None else []
    for line in before:
        print(line)
    print(trace.to_markdown() if args.markdown else trace.to_text())
    for line in after:
        print(line)
    if args.html:
        import html

        from ..explain.draw.diagram import network_svg

        title = "glassnet explain" + (f" — {args.example}" if args.example else "")
        notes = "".join(f"<p>{html.escape(line)}</p>" for line in before)
        tail = "".join(f"<p>{html.escape(line)}</p>" for line in after)
        sections = [Section("trace" if lang == "en" else "追踪", notes + trace.to_html() + tail)]
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
    if args.activation not in (None, "relu"):
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
