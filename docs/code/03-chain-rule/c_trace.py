# the whole step written out: forward, loss, δ layer by layer, the update
trace = explain.trace_step(*explain.examples.square(), lang=LANG)
print(trace)
