"""The corpus scripts that do not run unchanged under glassnet yet, and why.

tests/test_compat_corpus.py marks each of these xfail(strict=True) with its
reason: when one starts to run unchanged its test fails until it is taken
off this list, so the list (and the README's figure) cannot go stale.
A reason names the first error and the other missing names the script uses.
Today every script of the corpus runs unchanged.
"""

KNOWN_FAILURES: dict[str, str] = {}
