"""Traces in the article's notation: ``step`` (one training step of a
network, every z, a, δ and ∂L/∂w), its rows (``full``, ``summary``,
``rows``, ``names``, ``losses``, ``numtext``), the tensor-level ``tape`` of
any computation with each op's derivative rule (``rules``), and the
convolution and recurrent traces (``convolution``, ``recurrent``)."""
