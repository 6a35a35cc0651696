"""The runner's table, as text for the terminal and as Markdown."""

from __future__ import annotations

from .runner import Comparison

HEADER = ("script", "compare", "torch", "glassnet", "verdict", "glassnet's first error")


def _value(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def rows(results: list[Comparison]) -> list[tuple[str, ...]]:
    return [
        (
            c.script.name,
            str(c.script.rule),
            _value(c.torch.value),
            _value(c.glassnet.value),
            c.verdict,
            c.glassnet.error or (c.torch.error and f"(torch) {c.torch.error}"),
        )
        for c in results
    ]


def summary(results: list[Comparison]) -> str:
    return f"{sum(c.ok for c in results)} of {len(results)} run unchanged"


def text(results: list[Comparison], width: int = 70) -> str:
    body = [
        tuple(cell if len(cell) <= width else cell[: width - 1] + "…" for cell in row)
        for row in rows(results)
    ]
    widths = [max(len(r[i]) for r in [HEADER, *body]) for i in range(len(HEADER))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [HEADER, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join([*lines, "", summary(results)])


def markdown(results: list[Comparison]) -> str:
    def cell(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    lines = [
        f"**{summary(results)}** (`python -m compat`: each script run with PyTorch, then "
        "with only its imports changed to glassnet)",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows(results)]
    return "\n".join(lines) + "\n"
