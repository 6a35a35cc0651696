"""The ops of the recurrent layers (RNN, LSTM, GRU): ``pool`` (the arrays a
run reuses), ``cells`` (one step's math, forward and backward), ``layer``
(one direction of one layer as graph nodes: the input projection, a node per
step, the output), ``fused_lstm`` (a float32 LSTM layer as one oneDNN node)
and ``fused_gru`` (a float32 GRU layer likewise)."""
