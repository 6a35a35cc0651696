"""The PyTorch-compatibility corpus, a tool of the repository (like ``bench/``).

``compat/scripts/`` holds small PyTorch training scripts written here, each
standalone (a PyTorch user could run it as it is) and ending with one line
``RESULT <name> <value>``. ``python -m compat`` runs every script twice in
fresh processes: as written, with PyTorch, and with only its import lines
changed to glassnet (``compat/rewrite.py``), and compares the two values with
the tolerance the script's header states. ``python -m compat.coverage`` writes
the table of which PyTorch names glassnet has (docs/api-coverage.md).

The package never imports this folder (tests/test_layers.py).
"""
