# the two hidden neurons each draw a line; the output neuron combines them into
# a band that holds (0,1) and (1,0) and excludes the other corners
fig = explain.plot_decision_boundary(
    model, (xor.x.numpy(), xor.y.numpy().ravel()), output="probs", lang=LANG
)
