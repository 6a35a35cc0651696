"""glassnet.sklearn.MLPClassifier against scikit-learn's own, on the digits.

    python bench/sklearn_mlp.py                 # 5 rounds, 1 thread
    python bench/sklearn_mlp.py --rounds 9 --threads 2

Each round fits, in turn, Pipeline(StandardScaler, MLP) with the same
hyper-parameters (the defaults: one hidden layer of 100 ReLU units, Adam,
batch 200, at most 200 epochs, tol 1e-4) and the same ``random_state`` for
scikit-learn's MLPClassifier, glassnet's (float64, as scikit-learn) and
glassnet's with ``dtype='float32'``, on the same 75/25 split of the digits.
The runs are interleaved so that all three see the same machine load; the
report gives each one's median and best fit time, its test accuracy and
epochs. Run it on a quiet machine: with 2 cores, anything else running
decides the numbers (the load average is printed with them).

glassnet's matrix products go to MKL when it is installed (glassnet[mkl]):
``GLASSNET_BLAS=numpy python bench/sklearn_mlp.py`` measures them on
NumPy's OpenBLAS, scikit-learn's library (the line of the report says which).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="fits of each (default 5)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--max-iter", type=int, default=200, help="epochs at most (default 200)")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.threads < 1 or args.max_iter < 1:
        parser.error("--rounds, --threads and --max-iter must be >= 1")
    return args


def _contenders(max_iter):
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    from glassnet.sklearn import MLPClassifier

    return {
        "scikit-learn": lambda seed: SklearnMLP(random_state=seed, max_iter=max_iter),
        "glassnet": lambda seed: MLPClassifier(random_state=seed, max_iter=max_iter),
        "glassnet float32": lambda seed: MLPClassifier(
            random_state=seed, max_iter=max_iter, dtype="float32"
        ),
    }


def main(argv=None):
    args = _arguments(argv)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(args.threads)  # before NumPy and MKL load
    import warnings

    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    contenders = _contenders(args.max_iter)
    results = {name: [] for name in contenders}
    for seed in range(args.rounds):
        for name, make in contenders.items():
            model = make_pipeline(StandardScaler(), make(seed))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                start = time.perf_counter()
                model.fit(X_train, y_train)
                seconds = time.perf_counter() - start
            results[name].append((seconds, model.score(X_test, y_test), model[-1].n_iter_))
    from glassnet.backends import blas

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"digits {X_train.shape[0]} train / {X_test.shape[0]} test rows, {args.rounds} rounds, "
        f"{args.threads} BLAS thread(s), load average {load:.2f}; glassnet's matrix "
        f"products: {blas.load()}"
    )
    print(f"{'':18}{'median fit s':>13}{'best fit s':>11}{'accuracy %':>11}{'epochs':>8}")
    reference = statistics.median(r[0] for r in results["scikit-learn"])
    for name, runs in results.items():
        median = statistics.median(r[0] for r in runs)
        accuracy = 100 * statistics.mean(r[1] for r in runs)
        epochs = statistics.mean(r[2] for r in runs)
        print(
            f"{name:18}{median:13.3f}{min(r[0] for r in runs):11.3f}{accuracy:11.2f}"
            f"{epochs:8.1f}   ({reference / median:.2f}× scikit-learn's speed)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
