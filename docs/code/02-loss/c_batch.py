# over a batch of N examples the losses are averaged (reduction="mean", the
# default) or added up (reduction="sum"): the mean keeps the step size
# independent of N
y_hat = gn.tensor([2.5, 0.0, 2.0, 8.0])
y = gn.tensor([3.0, -0.5, 2.0, 7.0])
print("mean of ½(y − ŷ)²:", nn.HalfSquaredError()(y_hat, y).item())
print("sum of ½(y − ŷ)²: ", nn.HalfSquaredError(reduction="sum")(y_hat, y).item())
print("MSE, mean (y − ŷ)²:", nn.MSELoss()(y_hat, y).item())
