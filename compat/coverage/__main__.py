"""python -m compat.coverage [--markdown PATH]: the API coverage table (stdout or a file)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import markdown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m compat.coverage", description=__doc__)
    parser.add_argument("--markdown", metavar="PATH", help="write the table there")
    args = parser.parse_args(argv)
    text = markdown()
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(text, encoding="utf-8")
        print(f"wrote {args.markdown}")
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
