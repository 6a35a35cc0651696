# gn.fit runs the loop of the cells above for you; in a notebook it shows a
# progress bar and redraws the loss curve after every epoch
gn.manual_seed(0)
model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
history = gn.fit(model, data, loss="mse", optimizer="sgd", lr=0.05, epochs=20, batch_size=8)
