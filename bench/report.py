"""The suite's results as Markdown tables (printed, and in the README) and as
JSON (``--json PATH``). The JSON holds everything: environment, settings,
and per workload, thread count and implementation every repetition's time,
the peak memory and the method that measured it."""

import json

from .environment import blas_line
from .workloads.common import LABELS

SIDES = ("glassnet", "pytorch", "numpy", "numpy-buffers")
MIB = 2**20
BUSY = 0.25  # cores kept busy by other processes beyond which a row is suspect


def num(v, unit=""):
    """A number to about 3 significant figures, or '–' when there is none."""
    if v is None:
        return "–"
    a = abs(v)
    text = (
        f"{v:,.0f}" if a >= 100 else f"{v:.1f}" if a >= 10 else f"{v:.2f}" if a >= 1 else f"{v:.3g}"
    )
    return text + unit


def size(n):
    """Bytes as B, KiB or MiB."""
    if n is None:
        return "–"
    if n < 1024:
        return f"{n} B"
    return num(n / MIB, " MiB") if n >= MIB else num(n / 1024, " KiB")


def _cell(r, key="ms_per_step", scale=1.0, unit=""):
    if r is None:
        return ""
    if r.get("status") != "ok":
        return r.get("reason", "n/a") if r.get("status") == "n/a" else "error"
    v = r.get(key)
    return num(v * scale if v is not None else None, unit)


def _load(r):
    load = r.get("background_load")
    return "–" if load is None else f"{load:.1f}"


def _ratio(v):
    return "–" if v is None else f"{v:.2f}×"


def _ratio_spread(ratios, key):
    """A time ratio with the quartiles of its per-round ratios, "0.90× (0.88–0.93)"."""
    spread = ratios.get("spread " + key)
    text = _ratio(ratios.get(key))
    return text if spread is None else f"{text} ({spread[0]:.2f}–{spread[1]:.2f})"


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _label(row):
    return row["workload"] + (f" N={row['params']['ops']:,}" if "ops" in row["params"] else "")


def summary_table(rows):
    header = [
        "workload",
        "threads",
        "glassnet ms",
        "PyTorch ms",
        "NumPy ms",
        "NumPy buffers ms",
        "glassnet/PyTorch",
        "glassnet/NumPy",
        "glassnet/NumPy buf",
        "other load",
    ]
    body = []
    for r in rows:
        im, ra = r["impls"], r["ratios"]
        scale, unit = (1e-3, " s") if r["step"] == "run" else (1.0, "")
        body.append(
            [_label(r), r["threads"]]
            + [_cell(im.get(s), scale=scale, unit=unit) for s in SIDES]
            + [_ratio_spread(ra, f"glassnet/{s}") if s in im else "" for s in SIDES[1:]]
            + [_load(r)]
        )
    return _table(header, body)


def detail_table(rows):
    header = [
        "workload",
        "threads",
        "implementation",
        "median ms",
        "q1–q3 ms",
        "per s",
        "peak memory",
    ]
    body = []
    for r in rows:
        for name, x in r["impls"].items():
            if x.get("status") != "ok":
                continue
            body.append(
                [
                    _label(r),
                    r["threads"],
                    LABELS.get(name, name),
                    num(x["ms_per_step"]),
                    f"{num(x['ms_q1'])}–{num(x['ms_q3'])}",
                    num(x.get("per_s")) + f" {r['unit']}",
                    size(x.get("peak_bytes")),
                ]
            )
    return _table(header, body)


def memory_table(rows):
    """Peak memory per workload (measured once, at the first thread count)."""
    first = rows[0]["threads"] if rows else None
    header = [
        "workload",
        "glassnet",
        "PyTorch",
        "NumPy",
        "NumPy buffers",
        "glassnet/PyTorch",
        "glassnet/NumPy",
        "glassnet/NumPy buf",
    ]
    body = []
    for r in rows:
        if r["threads"] != first:
            continue
        im, ra = r["impls"], r["ratios"]
        body.append(
            [_label(r)]
            + [
                size(im[s].get("peak_bytes"))
                if im.get(s, {}).get("status") == "ok"
                else _cell(im.get(s))
                for s in SIDES
            ]
            + [_ratio(ra.get(f"memory glassnet/{s}")) if s in im else "" for s in SIDES[1:]]
        )
    return _table(header, body)


def gflops_table(rows):
    rows = [r for r in rows if "gflops" in r["extra"]]
    if not rows:
        return ""
    header = [
        "workload",
        "threads",
        "glassnet",
        "PyTorch",
        "NumPy",
        "NumPy buffers",
        "matmuls only (same shapes)",
        "sgemm n³",
    ]
    body = []
    for r in rows:
        e = r["extra"]

        def g(name):
            v, f = e["gflops"].get(name), e["fraction_of_matmul_only"].get(name)
            return "–" if v is None else f"{v:.1f} ({f:.0%})"

        body.append(
            [r["workload"], r["threads"]]
            + [g(s) for s in SIDES]
            + [num(e["matmul_only_gflops"]), f"{num(e['sgemm_gflops'])} (n={e['sgemm_n']})"]
        )
    return (
        "GFLOP/s of the whole training step (matmul FLOPs / step time); in brackets the "
        "fraction of the same matmuls alone in NumPy float32:\n\n" + _table(header, body)
    )


def lstm_primitive_table(rows):
    """The LSTM rows' oneDNN primitive alone (``bench.onednn_lstm``) against each side's step."""
    rows = [r for r in rows if r["workload"] == "lstm" and r["extra"]]
    body = []
    for r in rows:
        e, im = r["extra"], r["impls"]
        if "primitive_ms" not in e:
            body.append([r["threads"], f"n/a ({e.get('primitive_error')})"] + [""] * 5)
            continue
        over = e["primitive_over"]
        body.append(
            [
                r["threads"],
                num(e["primitive_ms"]),
                num(e["primitive_gflops"]),
                _cell(im.get("glassnet")),
                _cell(im.get("pytorch")),
                "–" if over.get("glassnet") is None else f"{over['glassnet']:.0%}",
                _ratio(over.get("pytorch")),
            ]
        )
    if not body:
        return ""
    header = [
        "threads",
        "primitive ms",
        "its GFLOP/s",
        "glassnet ms",
        "PyTorch ms",
        "primitive / glassnet step",
        "primitive / PyTorch step",
    ]
    return (
        "oneDNN's LSTM primitive alone, forward and backward on the workload's shapes: "
        "both frameworks' steps run it, so primitive / PyTorch step is the lowest "
        "glassnet/PyTorch ratio a framework calling it can reach:\n\n" + _table(header, body)
    )


def chain_table(rows):
    pairs = [
        (a, b)
        for a, b in zip(rows, rows[1:])
        if a["workload"] == b["workload"] == "chain" and a["threads"] == b["threads"] and b["extra"]
    ]
    if not pairs:
        return ""
    header = [
        "threads",
        "implementation",
        "N",
        "ms at N",
        "ms at 2N",
        "time ×",
        "memory at N",
        "memory at 2N",
        "memory ×",
        "linear (≤ 2.4×)",
    ]
    body = []
    for short, long in pairs:
        e = long["extra"]
        for name, x in long["impls"].items():
            s = short["impls"].get(name, {})
            if x.get("status") != "ok" or s.get("status") != "ok":
                continue
            body.append(
                [
                    long["threads"],
                    LABELS.get(name, name),
                    f"{short['params']['ops']:,}",
                    num(s["ms_per_step"]),
                    num(x["ms_per_step"]),
                    _ratio(e["time_ratio_2N_over_N"].get(name)),
                    size(s.get("peak_bytes")),
                    size(x.get("peak_bytes")),
                    _ratio(e["memory_ratio_2N_over_N"].get(name)),
                    "yes" if e["linear"].get(name) else "NO",
                ]
            )
    return _table(header, body)


def digits_table(rows):
    rows = [r for r in rows if r["workload"] == "digits"]
    body = []
    for r in rows:
        for name, x in r["impls"].items():
            o = r["extra"].get(name)
            if x.get("status") != "ok" or o is None:
                continue
            body.append(
                [
                    r["threads"],
                    LABELS.get(name, name),
                    num(x["ms_per_step"] / 1e3, " s"),
                    o["epochs"],
                    f"{o['test_accuracy']:.3f}",
                    "yes" if o["reached"] else "no",
                ]
            )
    if not body:
        return ""
    return _table(
        ["threads", "implementation", "wall time", "epochs", "test accuracy", "reached 97%"], body
    )


def problems(rows):
    out = []
    for r in rows:
        for name, x in r["impls"].items():
            if x.get("status") == "error":
                out.append(f"- {_label(r)}, {r['threads']} thread(s), {name}: {x['reason']}")
            if x.get("memory_error"):
                out.append(
                    f"- {_label(r)}, {r['threads']} thread(s), {name} (memory pass): "
                    f"{x['memory_error']}"
                )
    return "\n".join(out)


def markdown(result):
    meta, rows = result["meta"], result["results"]
    env = meta["environment"]
    kind = "Quick (smoke-test) run: these numbers mean nothing." if meta["quick"] else "Full run."
    lines = [
        f"**{kind}** {meta['started']}, {meta['seconds']:.0f} s.",
        "",
        f"- CPU: {env['cpu']} ({env['cpu_count']} cores); threads per run: "
        f"{', '.join(map(str, meta['threads']))}",
        f"- NumPy {env['numpy']}, BLAS: {blas_line(env)}; PyTorch {env['torch'] or 'absent'}"
        + (f" ({env.get('torch_blas')})" if env["torch"] else "")
        + f"; glassnet {env['glassnet']} ({env['glassnet_revision'] or 'no git revision'}),"
        f" its matrix products: {env.get('glassnet_blas', 'unknown')}, its float32 LSTM layers "
        f"and convolutions: {env.get('glassnet_onednn', 'unknown')}; Python {env['python']}",
        "- Environment: "
        + (
            ", ".join(f"{k}={v}" for k, v in env["env"].items() if v is not None)
            or "no BLAS/OpenMP variables set"
        )
        + "; malloc thresholds (set by the suite through glassnet, the same in every "
        f"implementation's process): {env.get('malloc', 'unknown')}; each process's "
        "OMP_NUM_THREADS, MKL_NUM_THREADS and OPENBLAS_NUM_THREADS are the row's threads",
        f"- Each implementation in its own process; median of {meta['reps']} interleaved "
        "repetitions after warm-up ("
        + ", ".join(f"{k}: {v}" for k, v in meta["long_reps"].items())
        + "); "
        "one step = forward, loss, backward, optimizer step, zero_grad. A time ratio is the "
        "median over the repetitions of glassnet's time over the other's in the same round "
        "(timed back to back, so a slow stretch of the machine slows both), in brackets the "
        "quartiles of those per-round ratios. Ratios below 1 mean glassnet is faster / smaller.",
        "- Peak memory: tracemalloc (glassnet, NumPy) and PyTorch's profiler allocation "
        "records (PyTorch; tensor storage only), from building the model through a few steps; "
        "the op chain: growth of the resident set's high-water mark for both (it also sees "
        "PyTorch's C++ graph). Measured at the first thread count and reused.",
    ]
    busy = [r.get("background_load") or 0 for r in rows]
    if max(busy, default=0) > BUSY:
        lines.append(
            f"- **Warning: other processes kept up to {max(busy):.1f} cores busy during "
            "this run** (column 'other load'); rows with load above "
            f"{BUSY} are unreliable, the 2-thread ones most."
        )
    lines += [
        "",
        "### Time per step",
        "",
        summary_table(rows),
        "",
        "### Peak memory",
        "",
        memory_table(rows),
        "",
        "### Every implementation",
        "",
        detail_table(rows),
    ]
    for title, table in (
        ("MLP batch 1024: achieved GFLOP/s", gflops_table(rows)),
        ("LSTM: oneDNN's RNN primitive alone", lstm_primitive_table(rows)),
        ("Op chain: linear in its length?", chain_table(rows)),
        ("digits to 97% test accuracy, end to end", digits_table(rows)),
        ("Errors", problems(rows)),
    ):
        if table:
            lines += ["", f"### {title}", "", table]
    return "\n".join(lines) + "\n"


def write_json(result, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, default=_plain)
        f.write("\n")


def _plain(o):
    """JSON for NumPy scalars and tuples' odd cousins."""
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, (set, frozenset)):
        return sorted(o)
    raise TypeError(f"not JSON serializable: {type(o).__name__}")
