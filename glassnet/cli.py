"""The ``glassnet`` command."""
import argparse
import sys


def _demo(args):
    from . import demo
    demo.run()
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="glassnet", description="glassnet: a neural-network library that shows its work")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("demo", help="one training step of the article's 1-2-1 network, "
                                    "every number shown")
    p.set_defaults(func=_demo)
    from . import train_command
    train_command.add_parser(sub)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
