"""``glassnet bench``: the speed suite of ``bench/`` (glassnet against
PyTorch CPU and a hand-written NumPy network, measured in one run).

The suite itself lives in the ``bench/`` folder of a source checkout, next to
this package; it is not part of the wheel. This module only defines the
command's options and finds that folder, so ``import glassnet`` never pays
for it (and never imports torch).

    glassnet bench --quick                 # about half a minute, no timing claims
    glassnet bench --threads 1 2 --json bench.json
    python -m bench ...                    # the same, from the repository root
"""
import sys
from pathlib import Path

HELP = "benchmark glassnet against PyTorch CPU and hand-written NumPy (needs a source checkout)"


def add_arguments(parser):
    """The suite's options (shared by ``glassnet bench`` and ``python -m bench``)."""
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes and few repetitions (a smoke test, < 60 s); "
                             "its times say nothing")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], metavar="N",
                        help="thread counts to run every workload at (default: 1 2); sets "
                             "torch.set_num_threads and, via threadpoolctl, NumPy's BLAS")
    parser.add_argument("--only", nargs="+", metavar="WORKLOAD",
                        help="run only these workloads (see --list)")
    parser.add_argument("--reps", type=int, metavar="N",
                        help="timed repetitions per implementation (default 15, quick 3)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    parser.add_argument("--markdown", metavar="PATH",
                        help="also write the tables (Markdown) to this file")
    parser.add_argument("--no-torch", action="store_true",
                        help="leave PyTorch out even when it is installed")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    parser.add_argument("--profile", metavar="WORKLOAD",
                        help="instead of benchmarking, cProfile glassnet's training step of "
                             "this workload and print the top functions")
    parser.add_argument("--top", type=int, default=25,
                        help="how many functions --profile prints (default 25)")
    return parser


def add_parser(subparsers):
    """Register ``bench`` on the ``glassnet`` command's subparsers."""
    p = subparsers.add_parser("bench", help=HELP, description=HELP)
    add_arguments(p)
    p.set_defaults(func=run)
    return p


def _suite():
    """Import ``bench.run`` from the checkout that holds this glassnet."""
    root = Path(__file__).resolve().parent.parent
    if (root / "bench" / "run.py").is_file():
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
    try:
        from bench import run as suite
    except ImportError:
        raise SystemExit("glassnet bench: the benchmark suite is the bench/ folder of a source "
                         "checkout and is not installed with the wheel; clone the repository "
                         "and run it from there (python -m bench)") from None
    return suite


def run(args):
    """Run the suite with parsed ``args``; returns the exit status."""
    return _suite().run(args)


def main(argv=None):
    """``glassnet bench`` as a function of its argument list."""
    import argparse
    parser = add_arguments(argparse.ArgumentParser(prog="glassnet bench", description=HELP))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
