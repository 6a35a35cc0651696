import numpy as np

from glassnet.explain import charts

# how each loss grows with the error ŷ − y (the target is y = 0 here)
errors = np.linspace(-3, 3, 121)
e = gn.tensor(errors)
zero = gn.zeros(len(errors), dtype=e.dtype)
losses = {
    "½(y − ŷ)²": nn.HalfSquaredError(reduction="none")(e, zero),
    "|y − ŷ| (L1)": nn.L1Loss(reduction="none")(e, zero),
    "Huber (δ = 1)": nn.HuberLoss(reduction="none")(e, zero),
}
series = [{"label": name, "x": errors, "y": v.numpy()} for name, v in losses.items()]
charts.line_chart_svg(series, xlabel="ŷ − y", ylabel="L")
