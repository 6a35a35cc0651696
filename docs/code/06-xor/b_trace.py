# the article's remedy: a hidden layer. The 2-2-1 sigmoid network, with fixed
# starting weights, and one training step on all four points, traced
xor = explain.examples.xor()
explain.trace_step(*xor, lang=LANG, apply=False)  # a notebook shows the trace as a table
