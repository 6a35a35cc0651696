"""Shared test setup.

Tests that need an optional package (torch, a browser...) skip on a user's
machine with a message saying what to install. CI sets
GLASSNET_REQUIRE_ALL=1, which turns every skip into a failure, so CI never
passes by skipping.
"""

import importlib
import os

import numpy as np
import pytest

import glassnet as gn

STRICT = os.environ.get("GLASSNET_REQUIRE_ALL") == "1"


# How to install each optional package a test may need: the extra of
# pyproject.toml that brings it, or the test extra for the test-only ones.
INSTALL = {
    "matplotlib": "pip install 'glassnet[viz]'",
    "sklearn": "pip install 'glassnet[data]'",
    "tqdm": "pip install 'glassnet[progress]'",
    "torch": "pip install torch==2.13.0 (or pip install -e '.[test]')",
    "safetensors": "pip install safetensors (or pip install -e '.[test]')",
    "mpmath": "pip install mpmath (or pip install -e '.[test]')",
    "mypy": "pip install mypy (or pip install -e '.[test]')",
    "nbclient": "pip install nbclient ipykernel (or pip install -e '.[test]')",
    "ipykernel": "pip install ipykernel (or pip install -e '.[test]')",
    "mpi4py": "pip install 'glassnet[distributed]' (mpi4py and the MPICH wheel)",
    "onnx": "pip install 'glassnet[onnx]'",
    "onnxruntime": "pip install 'glassnet[onnx]'",
    "playwright": (
        "pip install playwright (or pip install -e '.[test]'), and apt-get install chromium"
    ),
}


def need(module, hint=None):
    """Import ``module`` or skip (fail under GLASSNET_REQUIRE_ALL=1), saying
    what to install: ``hint``, else the extra that brings the package.
    Works in a test, a fixture, or at the top of a test file (the file skips)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if hint is None:
            package = module.split(".")[0]
            hint = INSTALL.get(package, f"pip install {package}")
        msg = f"needs {module}: {hint}"
        if STRICT:
            pytest.fail(msg + " (GLASSNET_REQUIRE_ALL=1 forbids skipping)")
        pytest.skip(msg, allow_module_level=True)


def skip_or_fail(msg):
    """Skip with ``msg`` (what to install), or fail under GLASSNET_REQUIRE_ALL=1."""
    if STRICT:
        pytest.fail(msg + " (GLASSNET_REQUIRE_ALL=1 forbids skipping)")
    pytest.skip(msg, allow_module_level=True)


@pytest.fixture
def torch():
    t = need("torch")
    t.set_num_threads(1)
    return t


@pytest.fixture
def needs_onednn():
    """Skip (fail under GLASSNET_REQUIRE_ALL=1) unless oneDNN runs glassnet's
    float32 LSTM layers and convolutions."""
    from glassnet.backends import onednn

    if onednn.available():
        return onednn
    skip_or_fail(f"oneDNN not in use: {onednn.status}")


@pytest.fixture(autouse=True)
def _seed():
    gn.manual_seed(0)
    np.random.seed(0)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under GLASSNET_REQUIRE_ALL=1: {report.longrepr}"


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "out", "screenshots")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no downloaded browser)."""
    import shutil

    sync_api = need("playwright.sync_api")
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        skip_or_fail("needs Debian's chromium: apt-get install chromium")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield b
        b.close()
