"""python -m compat: run the corpus with PyTorch and with glassnet, compare.

python -m compat                         # every script, the table and "N of M"
python -m compat tensors_basics lstm_tagger
python -m compat --markdown out/compat.md
python -m compat --show-rewrite lstm_tagger   # the script as the glassnet run sees it
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import runner, table
from .known_failures import KNOWN_FAILURES
from .rewrite import to_glassnet
from .script import scripts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m compat", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="scripts to run (default: all of compat/scripts)")
    parser.add_argument("--markdown", metavar="PATH", help="also write the table as Markdown")
    parser.add_argument("--jobs", type=int, default=2, help="processes at a time (default 2)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=runner.TIMEOUT_S,
        help=f"seconds per run (default {runner.TIMEOUT_S:g})",
    )
    parser.add_argument(
        "--show-rewrite",
        metavar="NAME",
        help="print a script as the glassnet run sees it, and stop",
    )
    args = parser.parse_args(argv)
    if args.show_rewrite:
        print(to_glassnet(scripts([args.show_rewrite])[0].source()), end="")
        return 0
    results = runner.compare_all(scripts(args.names or None), jobs=args.jobs, timeout=args.timeout)
    print(table.text(results))
    surprises = [
        c.script.name
        for c in results
        if c.ok == (c.script.name in KNOWN_FAILURES) or c.torch.value is None
    ]
    if surprises:
        print("not as compat/known_failures.py says (update it): " + ", ".join(surprises))
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(table.markdown(results), encoding="utf-8")
        print(f"wrote {args.markdown}")
    return 1 if surprises else 0


if __name__ == "__main__":
    sys.exit(main())
