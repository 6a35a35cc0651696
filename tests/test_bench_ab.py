"""bench/ab.py, the A/B timing of the working tree against a git revision:
its statistics, that it tells a step that does twice the work from one
that does not (on a fake, drifting clock: no test here asserts on the
machine's time), and that the command runs end to end (quick sizes)."""

import subprocess
import sys
from pathlib import Path

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


class DriftingClock:
    """A fake ``time`` for bench.timing: a step advances it by its work times
    the machine's slowness, which drifts between a fast phase and a phase
    ``slow`` times slower every ``period`` seconds, as this machine's does.
    Deterministic, so the statistics are checked, not the machine."""

    def __init__(self, period=0.05, slow=1.6):
        self.now, self.period, self.slow = 0.0, period, slow

    def perf_counter(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds

    def step(self, work_s, calls, name):
        def run():
            calls[name] += 1
            self.now += work_s * (self.slow if int(self.now / self.period) % 2 else 1.0)

        return run


def test_paired_blocks_see_twice_the_work(monkeypatch):
    """A step that does twice the work is measured twice as slow, through the
    drift: A and B run the same number of steps, in blocks of ~3 ms."""
    clock, calls = DriftingClock(), {"a": 0, "b": 0}
    monkeypatch.setattr(ab.timing, "time", clock)
    times = ab.paired(
        clock.step(1e-4, calls, "a"),
        clock.step(2e-4, calls, "b"),
        pairs=16,
        block_s=0.003,
        warmup_s=0.0,
    )
    assert calls["a"] == calls["b"] == 3 + 16 * 15  # warm-up, then blocks of 3 ms / 0.2 ms
    s = ab.summary(*times)
    assert s["pairs"] == 16 and s["b_faster"] == 0
    assert s["ratio"] == pytest.approx(2.0) and s["ratio_lo"] > 1.2, s
    assert ab.verdict(s) == "B slower"
    # the drift itself is large: unpaired, the blocks of one side spread by the slow factor
    assert max(times[0]) / min(times[0]) == pytest.approx(clock.slow)


def test_paired_blocks_claim_nothing_for_the_same_work(monkeypatch):
    clock, calls = DriftingClock(), {"a": 0, "b": 0}
    monkeypatch.setattr(ab.timing, "time", clock)
    s = ab.summary(
        *ab.paired(
            clock.step(1e-4, calls, "a"),
            clock.step(1e-4, calls, "b"),
            pairs=40,
            block_s=0.003,
            warmup_s=0.0,
        )
    )
    assert s["ratio"] == pytest.approx(1.0) and ab.verdict(s) == "no clear change", s


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs a git checkout (git archive)")
def test_quick_ab_against_head_runs():
    proc = subprocess.run(
        [sys.executable, "-m", "bench.ab", "--quick", "--only", "tiny"],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| tiny | 1 |")]
    assert len(rows) == 1, proc.stdout
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    a_ms, b_ms, ratio = float(cells[2]), float(cells[3]), float(cells[4])
    assert a_ms > 0 and b_ms > 0 and ratio > 0
    assert cells[6].endswith("/6") and cells[7] == "none (--quick)"


def test_unknown_revision_is_a_clear_error():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.ab",
            "--quick",
            "--only",
            "tiny",
            "--base",
            "no-such-revision-xyz",
        ],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "no-such-revision-xyz" in proc.stderr and "git archive" in proc.stderr
