"""glassnet's benchmark suite: each workload timed in glassnet, PyTorch CPU
and (for the MLP and the article's tiny net) hand-written NumPy, each in a
process of its own, timed in alternating blocks. Run it with ``python -m bench`` (see README.md)."""
