"""The suite's time ratios are paired by round: each round of the interleaved
timing runs every side back to back, so the ratio is the median of the
per-round ratios, and a slow stretch of the machine that spans a round
cancels instead of landing on whichever side it hit most often."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import report, timing  # noqa: E402
from bench.workloads.common import ratios  # noqa: E402


def test_paired_is_the_median_and_quartiles_of_the_per_round_ratios():
    ours = [1.0, 2.0, 2.0, 1.0, 3.0]
    theirs = [2.0, 4.0, 4.0, 2.0, 2.0]  # the rounds give 0.5, 0.5, 0.5, 0.5, 1.5
    q1, median, q3 = timing.paired(ours, theirs)
    assert median == pytest.approx(0.5)
    assert (q1, q3) == pytest.approx((0.5, 1.0))


@pytest.mark.parametrize("theirs", [[], [1.0], [1.0, 0.0, 1.0]])
def test_paired_needs_one_time_per_round_on_each_side(theirs):
    assert timing.paired([1.0, 1.0, 1.0], theirs) is None
    assert timing.paired(None, theirs) is None
    assert timing.paired([1.0, 1.0, 1.0], None) is None


def test_a_slow_stretch_cancels_in_the_paired_ratio_not_in_the_medians():
    """glassnet takes half PyTorch's time; the machine turns three times as
    slow between glassnet's block and PyTorch's in round 3 and stays so: three
    of PyTorch's blocks are slow, two of glassnet's. The medians say 1/6."""
    ours = [1.0, 1.0, 1.0, 3.0, 3.0]
    theirs = [2.0, 2.0, 6.0, 6.0, 6.0]
    assert (sorted(ours)[2] / sorted(theirs)[2]) == pytest.approx(1 / 6)
    glassnet = {"rep_ms": ours, "ms_per_step": 1.0, "peak_bytes": 10}
    pytorch = {"rep_ms": theirs, "ms_per_step": 6.0, "peak_bytes": 20}
    out = ratios({"glassnet": glassnet, "pytorch": pytorch})
    assert out["glassnet/pytorch"] == pytest.approx(0.5)
    q1, q3 = out["spread glassnet/pytorch"]
    assert q1 < 0.5 and q3 == pytest.approx(0.5)  # (round 3's 1/6 is the outlier)
    assert out["memory glassnet/pytorch"] == pytest.approx(0.5)


def test_without_rounds_in_common_the_ratio_of_the_medians_is_kept():
    out = ratios(
        {
            "glassnet": {"rep_ms": [1.0, 1.0], "ms_per_step": 1.0},
            "pytorch": {"rep_ms": [4.0], "ms_per_step": 4.0},
        }
    )
    assert out["glassnet/pytorch"] == pytest.approx(0.25)
    assert "spread glassnet/pytorch" not in out


def test_the_report_shows_the_spread_beside_the_ratio():
    row = {
        "workload": "mlp",
        "params": {},
        "step": "training step",
        "threads": 1,
        "impls": {
            "glassnet": {"status": "ok", "ms_per_step": 1.0},
            "pytorch": {"status": "ok", "ms_per_step": 2.0},
        },
        "ratios": {"glassnet/pytorch": 0.5, "spread glassnet/pytorch": [0.45, 0.55]},
    }
    table = report.summary_table([row])
    assert "0.50× (0.45–0.55)" in table
