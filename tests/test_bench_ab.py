"""bench/ab.py, the A/B timing of the working tree against a git revision:
its statistics, that it tells a step that does twice the work from one
that does not, and that the command runs end to end (quick sizes)."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import ab  # noqa: E402


def test_median_interval_brackets_the_median_by_order_statistics():
    values = list(range(1, 101))  # median 50.5; 0.98·√100 = 9.8 ranks either side
    lo, hi = ab.median_interval(values[::-1])
    assert (lo, hi) == (41, 60)
    assert ab.median_interval([3.0]) == (3.0, 3.0)
    lo, hi = ab.median_interval([1.0, 2.0, 3.0])
    assert lo == 1.0 and hi == 3.0


def test_summary_and_verdict():
    faster = ab.summary([1.0] * 50, [0.9] * 50)
    assert faster["ratio"] == pytest.approx(0.9) and faster["b_faster"] == 50
    assert ab.verdict(faster) == "B faster"
    assert ab.verdict(ab.summary([1.0] * 50, [1.2] * 50)) == "B slower"
    mixed = ab.summary([1.0] * 50, [0.9, 1.1] * 25)
    assert ab.verdict(mixed) == "no clear change"
    row = ab.format_row("tiny", 1, faster)
    assert row.startswith("| tiny | 1 | 1000 | 900 | 0.900 |") and "B faster" in row


def _work(n):
    a = np.arange(n, dtype=np.float64)
    return lambda: float(np.sqrt(a).sum())


def test_paired_blocks_see_twice_the_work():
    small, big = _work(100_000), _work(200_000)
    s = ab.summary(*ab.paired(small, big, pairs=16, block_s=0.003, warmup_s=0.0))
    assert s["pairs"] == 16
    assert s["ratio"] > 1.3 and ab.verdict(s) == "B slower", s


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs a git checkout (git archive)")
def test_quick_ab_against_head_runs():
    proc = subprocess.run([sys.executable, "-m", "bench.ab", "--quick", "--only", "tiny"],
                          cwd=ROOT, text=True, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| tiny | 1 |")]
    assert len(rows) == 1, proc.stdout
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    a_ms, b_ms, ratio = float(cells[2]), float(cells[3]), float(cells[4])
    assert a_ms > 0 and b_ms > 0 and ratio > 0
    assert cells[6].endswith("/6") and cells[7] == "none (--quick)"


def test_unknown_revision_is_a_clear_error():
    proc = subprocess.run([sys.executable, "-m", "bench.ab", "--quick", "--only", "tiny",
                           "--base", "no-such-revision-xyz"],
                          cwd=ROOT, text=True, capture_output=True, timeout=120)
    assert proc.returncode != 0
    assert "no-such-revision-xyz" in proc.stderr and "git archive" in proc.stderr
