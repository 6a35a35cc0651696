# the computation graph autograd walked backward: each op node knows its local
# derivative; backward multiplies them along every path from L to a weight
square = explain.examples.square()
loss = square.loss_fn(square.model(square.x), square.y)
explain.graph_svg(loss, lang=LANG, names=square.model)
