"""The ``glassnet`` command."""

import argparse
import sys

from ..backends import allocator
from .options import check_outputs


def _demo(args):
    from . import demo

    demo.run(lang=args.lang, report=None if args.no_report else args.report)
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="glassnet", description="glassnet: a neural-network library that shows its work"
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="on an error, show Python's traceback instead of the one-line message",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser(
        "demo", help="one training step of the article's 1-2-1 network, every number shown"
    )
    p.add_argument(
        "--lang",
        choices=("en", "zh"),
        default=None,
        help="language of the explanations (default: from the locale, else en)",
    )
    p.add_argument(
        "--report",
        default="report.html",
        metavar="PATH",
        help="where to write the HTML report (default report.html)",
    )
    p.add_argument("--no-report", action="store_true", help="do not write the HTML report")
    p.set_defaults(func=_demo)
    from . import doctor as doctor_command
    from . import explain as explain_command
    from . import playground as playground_command
    from . import predict as predict_command
    from . import train as train_command

    train_command.add_parser(sub)
    predict_command.add_parser(sub)
    explain_command.add_parsers(sub)
    playground_command.add_parser(sub)
    doctor_command.add_parser(sub)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    check_outputs(args)  # every path the command will write, before it computes anything
    allocator.keep_freed_memory()  # the commands train: steps reuse freed pages (process-wide)
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(f"glassnet {args.command}: interrupted", file=sys.stderr)
        return 130
    except SystemExit as stop:  # a command's own message: one line, status 2
        if not isinstance(stop.code, str) or args.debug:
            raise
        print(stop.code, file=sys.stderr)
        return 2
    except Exception as error:  # a missing or garbled file, an unknown column, a missing extra
        if args.debug:
            raise
        print(_one_line(args.command, error), file=sys.stderr)
        return 2


def _one_line(command, error):
    """``glassnet train: <what was wrong>`` (the error's own words name the
    file, column or extra), with how to see more."""
    text = " ".join(str(error).split()) or type(error).__name__
    return f"glassnet {command}: {text} ({type(error).__name__}; --debug shows the traceback)"


if __name__ == "__main__":
    sys.exit(main())
