"""``python -m bench --readme README.md``: the README's speed table, written
from this run's results between two markers (the text around them is kept):
glassnet's and PyTorch's time per step at each thread count, their ratio,
and the date, machine and back ends the numbers came from."""

from glassnet.io.atomic import atomic_write

from .report import _label, _ratio, num

START = "<!-- speed table: written by `python -m bench --readme README.md` -->"
END = "<!-- end of the speed table -->"


def _times(row_by_threads, threads, side):
    cells = []
    for n in threads:
        r = row_by_threads.get(n, {}).get("impls", {}).get(side, {})
        scale, unit = (1e-3, " s") if row_by_threads[n]["step"] == "run" else (1.0, " ms")
        ms = r.get("ms_per_step") if r.get("status") == "ok" else None
        cells.append(num(ms * scale if ms is not None else None))
    return " / ".join(cells) + unit


def section(result):
    """The Markdown between the markers: a sentence on where the numbers come
    from, then one line per workload (its rows at every thread count)."""
    meta, env = result["meta"], result["meta"]["environment"]
    threads = meta["threads"]
    by_workload = {}
    for row in result["results"]:
        by_workload.setdefault(_label(row), {})[row["threads"]] = row
    t = " / ".join(map(str, threads))
    lines = [
        f"Measured {meta['started'][:10]} on {env['cpu']} ({env['cpu_count']} cores), "
        f"glassnet {env['glassnet']} ({env.get('glassnet_revision') or 'revision unknown'}), "
        f"PyTorch {env['torch'] or 'absent'}, NumPy {env['numpy']}. glassnet's back ends: "
        f"matrix products {env['glassnet_blas']}; recurrent layers, convolutions, pooling, "
        f"layer norm and Adam {env['glassnet_onednn']}. Each implementation ran in its own "
        "process; medians of interleaved blocks, and the ratio is the median of the per-round "
        "ratios (both timed back to back in each round; their spread is in bench/latest.md).",
        "",
        f"| workload | glassnet, {t} threads | PyTorch, {t} threads | glassnet / PyTorch |",
        "|---|---|---|---|",
    ]
    for label, rows in by_workload.items():
        if any(n not in rows for n in threads):
            continue
        ratios = [rows[n]["ratios"].get("glassnet/pytorch") for n in threads]
        lines.append(
            f"| {label} | {_times(rows, threads, 'glassnet')} | "
            f"{_times(rows, threads, 'pytorch')} | "
            + " / ".join("–" if v is None else f"{v:.2f}×" for v in ratios)
            + " |"
        )
    floor = _lstm_floor(by_workload, threads)
    return "\n".join(lines + ([f"\n{floor}"] if floor else []))


def _lstm_floor(by_workload, threads):
    """A sentence on the LSTM rows' oneDNN primitive alone (``bench.onednn_lstm``), if timed."""
    rows = by_workload.get("lstm", {})
    extras = [rows.get(n, {}).get("extra", {}) for n in threads]
    if not extras or any("primitive_ms" not in e for e in extras):
        return ""
    t = " / ".join(map(str, threads))
    ms = " / ".join(num(e["primitive_ms"]) for e in extras)
    floor = " / ".join(_ratio(e["primitive_over"].get("pytorch")) for e in extras)
    return (
        f"The LSTM's oneDNN primitive alone (forward and backward on the same shapes, what "
        f"both frameworks' steps run) takes {ms} ms at {t} threads: {floor} of PyTorch's "
        "step, the lowest glassnet/PyTorch ratio a framework calling it can reach."
    )


def update(path, result):
    """Rewrite the part of ``path`` between START and END with ``section(result)``
    (atomically); raise ValueError naming the file when a marker is missing."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(
            f"{path}: no speed table to rewrite: expected the lines {START!r} and {END!r} "
            "(in that order) around it"
        )
    new = text[: start + len(START)] + "\n" + section(result) + "\n" + text[end:]
    atomic_write(path, new.encode("utf-8"))
