"""``glassnet doctor``: says which back end does what, and what to install."""

import os
import re
import subprocess
import sys

from glassnet.backends import report
from glassnet.cli.main import main


def test_doctor_names_each_back_end(capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    for what in (
        "NumPy",
        "matrix products",
        "RNNs, conv, pool, norm, Adam",
        "recurrent layers",
        "CPU",
    ):
        assert any(line.startswith(what) for line in out.splitlines()), (what, out)
    from glassnet.backends import blas, onednn

    assert blas.status in out and onednn.status in out


def test_doctor_follows_the_switches():
    env = dict(os.environ, GLASSNET_BLAS="numpy")
    out = subprocess.run(
        [sys.executable, "-m", "glassnet", "doctor"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    ).stdout
    assert re.search(r"^matrix products +numpy \(GLASSNET_BLAS=numpy\)$", out, re.M)


def test_missing_fast_path_is_named(monkeypatch, capsys):
    monkeypatch.setattr(report, "_version", lambda dist: None)
    monkeypatch.setattr(report.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(report.sys, "platform", "linux")
    assert report.fast_path_missing() == ["mkl", "onednn-cpu-gomp"]
    main(["doctor"])
    out = capsys.readouterr().out
    assert "faster here: pip install mkl onednn-cpu-gomp" in out
    assert "mpi4py" in out and "not installed: pip install 'glassnet[distributed]'" in out
    monkeypatch.setattr(report.platform, "machine", lambda: "arm64")
    assert report.fast_path_missing() == []  # (no such wheels there: nothing to suggest)


def test_import_glassnet_loads_no_back_end_report():
    code = "import sys, glassnet; print('glassnet.backends.report' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "False"
