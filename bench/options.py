"""The options of ``python -m bench``: the speed suite (glassnet against
PyTorch CPU and a hand-written NumPy network, measured in one run).

The suite is a tool of the repository, run from its root; the glassnet
package never imports it (it is not in the wheel).

    python -m bench --quick                 # about half a minute, no timing claims
    python -m bench --threads 1 2 --json bench.json
"""

HELP = "benchmark glassnet against PyTorch CPU and hand-written NumPy"


def add_arguments(parser):
    """The suite's options, added to ``parser``."""
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes and few repetitions (a smoke test, < 60 s); its times say nothing",
    )
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=[1, 2],
        metavar="N",
        help="thread counts to run every workload at (default: 1 2): each "
        "implementation's process starts with OMP_NUM_THREADS, MKL_NUM_THREADS and "
        "OPENBLAS_NUM_THREADS set to it (and torch.set_num_threads)",
    )
    parser.add_argument(
        "--only", nargs="+", metavar="WORKLOAD", help="run only these workloads (see --list)"
    )
    parser.add_argument(
        "--reps",
        type=int,
        metavar="N",
        help="timed repetitions per implementation (default 15, quick 3)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    parser.add_argument(
        "--markdown", metavar="PATH", help="also write the tables (Markdown) to this file"
    )
    parser.add_argument(
        "--readme",
        metavar="PATH",
        help="also rewrite the speed table between the markers in this file (README.md)",
    )
    parser.add_argument(
        "--no-torch", action="store_true", help="leave PyTorch out even when it is installed"
    )
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    parser.add_argument(
        "--profile",
        metavar="WORKLOAD",
        help="instead of benchmarking, cProfile glassnet's training step of "
        "this workload and print the top functions",
    )
    parser.add_argument(
        "--top", type=int, default=25, help="how many functions --profile prints (default 25)"
    )
    return parser
