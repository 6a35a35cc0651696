"""The public names of glassnet, module by module: what the API reference
(docs/api/) must document. A module's ``__all__`` when it has one; else
every name it binds that does not start with ``_``, is not a module, and
is defined in it (for the top level: anywhere in glassnet)."""

import importlib
import types

import numpy as np

# the modules whose names are the public API (``glassnet`` is the top level)
MODULES = (
    "glassnet",
    "glassnet.autograd",
    "glassnet.func",
    "glassnet.func.functional",
    "glassnet.nn",
    "glassnet.nn.functional",
    "glassnet.nn.init",
    "glassnet.nn.utils",
    "glassnet.nn.parallel",
    "glassnet.optim",
    "glassnet.optim.lr_scheduler",
    "glassnet.data",
    "glassnet.data.datasets",
    "glassnet.utils.data",
    "glassnet.io",
    "glassnet.train",
    "glassnet.train.callbacks",
    "glassnet.train.metrics",
    "glassnet.explain",
    "glassnet.explain.examples",
    "glassnet.playground",
    "glassnet.cuda",
    "glassnet.distributed",
    "glassnet.onnx",
    "glassnet.sklearn",  # needs scikit-learn: the tests that read MODULES need("sklearn")
)


def _defined_in(value, module_name):
    """Whether ``value`` belongs to ``module_name``: defined there (the top level
    also counts NumPy's dtypes it names, gn.float32 and gn.dtype)."""
    if module_name == "glassnet" and (isinstance(value, np.dtype) or value is np.dtype):
        return True
    module = getattr(value, "__module__", None) or ""
    if module_name == "glassnet":  # the top level re-exports the whole package
        return module.startswith("glassnet.")
    return module == module_name


def public_names(module_name):
    """The public names of one module, sorted."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, v in vars(module).items()
            if not n.startswith("_")
            and not isinstance(v, types.ModuleType)
            and _defined_in(v, module_name)
        ]
    names = set(names)
    if module_name == "glassnet":
        names |= set(module._SUBMODULES)  # nn, optim...: loaded on first use
    if module_name == "glassnet.explain":
        names |= set(module._FUNCTIONS)  # network_svg, plots...: loaded on first use
    return sorted(names)


def public_api():
    """{module: [names]} for every module of MODULES."""
    return {m: public_names(m) for m in MODULES}
