"""The NumPy that pyproject.toml declares is the NumPy that CI proves.

The floor is numpy>=2.0: NumPy 2's promotion (NEP 50) keeps a float32 0-d
array float32 when it meets a Python scalar, which the whole engine relies on
("no silent upcasting"); NumPy 1's value-based casting turned such results
into float64. `.ci/run` runs this suite a second time on exactly the floor
and sets GLASSNET_OLDEST_NUMPY to the version it installed."""

import os
import pathlib

import numpy as np
from conftest import need
from packaging.requirements import Requirement
from packaging.version import Version

import glassnet as gn

PYPROJECT = pathlib.Path(__file__).resolve().parent.parent / "pyproject.toml"


def declared_floor():
    """The ``>=`` bound of the numpy requirement in pyproject.toml."""
    tomllib = need("tomllib", "Python 3.11 or newer (the standard library's TOML reader)")
    with open(PYPROJECT, "rb") as f:
        dependencies = tomllib.load(f)["project"]["dependencies"]
    (numpy,) = [r for r in map(Requirement, dependencies) if r.name == "numpy"]
    (floor,) = [Version(s.version) for s in numpy.specifier if s.operator == ">="]
    return floor


def test_installed_numpy_is_what_pyproject_declares():
    floor, installed = declared_floor(), Version(np.__version__)
    assert installed >= floor, f"NumPy {installed} is below pyproject.toml's floor numpy>={floor}"
    oldest = os.environ.get("GLASSNET_OLDEST_NUMPY")  # set by .ci/run's oldest-NumPy run
    if oldest is not None:
        assert Version(oldest) == floor, (
            f".ci/run's oldest run installs numpy=={oldest}, but pyproject.toml declares "
            f"numpy>={floor}: the two must name the same version"
        )
        assert installed == floor, f"the oldest run should have NumPy {floor}, it has {installed}"


def test_python_scalars_keep_float32_results_float32():
    """The README's first example: its loss is a 0-d float32 tensor that meets
    Python floats (- 2.25, ** 2, / 2); every value and gradient stays float32."""
    x = gn.tensor([[1.5]])
    w = gn.tensor([[0.6], [-0.4]], requires_grad=True)
    b = gn.tensor([0.1, 0.5], requires_grad=True)
    loss = (((x @ w.T + b).relu().sum() - 2.25) ** 2) / 2
    loss.backward()
    assert loss.dtype == gn.float32 and loss.data.dtype == np.float32
    assert w.grad.dtype == gn.float32 and b.grad.dtype == gn.float32
    # z = (1.0, -0.1), a = (1, 0), L = (1 - 2.25)² / 2; ∂L/∂w₁ = (1 - 2.25) · 1.5
    assert float(loss.data) == 0.78125
    np.testing.assert_allclose(w.grad.data, [[-1.875], [0.0]], rtol=1e-6)
    np.testing.assert_allclose(b.grad.data, [-1.25, 0.0], rtol=1e-6)
