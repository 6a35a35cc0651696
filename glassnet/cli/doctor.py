"""``glassnet doctor``: what this installation runs on — the machine, NumPy and
its BLAS, which back end multiplies matrices and runs LSTMs and convolutions,
which optional packages are there — and what to install for the fast path."""


def add_parser(sub):
    p = sub.add_parser(
        "doctor", help="which back ends glassnet uses here, and what would make it faster"
    )
    p.set_defaults(func=run)


def run(args):
    from ..backends import report

    rows = report.lines()
    width = max(len(what) for what, _ in rows)
    for what, which in rows:
        print(f"{what:<{width}}  {which}")
    missing = report.fast_path_missing()
    if missing:
        print(
            "\nfaster here: pip install " + " ".join(missing) + " (Intel MKL and oneDNN: "
            "dependencies of glassnet on x86-64 Linux, missing from this installation)"
        )
    return 0
