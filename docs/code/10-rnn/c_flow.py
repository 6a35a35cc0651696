# backpropagation through time is chapter 3 on the unrolled chain of steps:
# δ goes back step by step, and at each step it is multiplied by W_h and by
# tanh'(z) ≤ 1. For a fresh plain RNN over 30 steps, ‖∂L/∂h_t‖ for a loss on
# the last state:
gn.manual_seed(0)
rnn = nn.RNN(input_size=2, hidden_size=12, batch_first=True)
x_long, _ = adding_problem(64, 30, rng)
flow = explain.gradient_flow(rnn, x_long, gn.zeros(64, 12), nn.MSELoss(), lang=LANG)
print(flow.to_text().splitlines()[0])
print(f"‖∂L/∂h_1‖ / ‖∂L/∂h_30‖ = {flow.norms[0] / flow.norms[-1]:.1e}")
fig = flow.plot()
