"""Workload 6: an LSTM (input 32, hidden 128) over sequences of 50 steps,
batch 32, a linear head to 10 classes on the last step, SGD. glassnet's
side runs as soon as ``gn.nn`` has LSTM; until then it is reported as n/a.

Beside the two frameworks it times oneDNN's LSTM primitive alone on the
same shapes (``bench.onednn_lstm``): both frameworks' steps run it, so its
time over PyTorch's step is the lowest ratio either can reach."""

from ..models import LSTM_LAYERS, lstm_classifier
from ..onednn_lstm import lstm_flops, primitive_step
from .common import time_ratio
from .sequence import CLASSES, SequenceWorkload

HIDDEN = 128
PRIMITIVE = "onednn-lstm"  # the name of the primitive's reference step


class LSTM(SequenceWorkload):
    name = "lstm"
    title = "LSTM 32→128, sequence 50, batch 32, last step → linear 10, SGD"
    features, needs = 32, LSTM_LAYERS

    def model(self, nn):
        return lstm_classifier(nn, self.features, HIDDEN, CLASSES)

    def layer_params(self):
        return {"input": self.features, "hidden": HIDDEN}

    def extra_steps(self, cfg):
        batch, seq = self.shape(cfg)
        return {PRIMITIVE: primitive_step(batch, seq, self.features, HIDDEN)}

    def extra(self, cfg, results, extra_times):
        timed = extra_times.get(PRIMITIVE, {})
        ms = timed.get("ms_per_step")
        if ms is None:
            return {"primitive_error": timed.get("error", "not timed")}
        batch, seq = self.shape(cfg)
        flops = lstm_flops(seq, batch, self.features, HIDDEN)
        over = {n: time_ratio(timed, r)[0] for n, r in results.items() if r.get("status") == "ok"}
        return {
            "primitive_ms": ms,
            "primitive_gflops": flops / (ms / 1e3) / 1e9,
            "primitive_over": over,
        }
