"""How hard the suite measures: repetitions, timing blocks, warm-up.

Full run: every implementation is timed in ``reps`` blocks of about
``block_s`` seconds each (as many steps as fit, at least one), after
``warmup_steps`` untimed steps and at least ``warmup_s`` of warm-up.
Quick run: the same code on tiny sizes with a handful of short blocks; its
numbers only show that everything runs.
"""

import dataclasses
from dataclasses import dataclass


@dataclass
class Config:
    quick: bool = False
    reps: int = 15  # timed blocks per implementation (the median is reported)
    block_s: float = 0.05  # target length of one timed block
    warmup_steps: int = 5
    warmup_s: float = 0.2
    memory_steps: int = 3  # steps run in the separate peak-memory pass
    cooldown_s: float = 0.3  # pause between blocks when running multi-threaded (see timing.py)
    use_torch: bool = True
    threads: int = 1  # every implementation's thread count (set when its process starts)
    # peak memory does not depend on the thread count: it is measured at the
    # first one and reused; (workload, implementation) -> (bytes, method)
    memory_cache: dict = dataclasses.field(default_factory=dict)

    @classmethod
    def make(cls, quick=False, reps=None, use_torch=True):
        cfg = cls(quick=quick, use_torch=use_torch)
        if quick:
            cfg.reps, cfg.block_s, cfg.warmup_steps, cfg.warmup_s = 3, 0.005, 2, 0.0
            cfg.memory_steps, cfg.cooldown_s = 2, 0.0
        if reps is not None:
            cfg.reps = max(1, int(reps))
        return cfg

    def long_reps(self, share):
        """Repetitions for a workload whose one step takes a second or more
        (chain, digits): a ``share`` of the usual ones, at least 3."""
        return self.reps if self.quick else max(3, self.reps // share)

    def for_long_steps(self, share):
        """These settings for such a workload: one warm-up step, fewer blocks."""
        return dataclasses.replace(self, warmup_steps=1, warmup_s=0.0, reps=self.long_reps(share))

    def at_threads(self, n):
        """These settings for a run at ``n`` threads (no cool-down needed at 1)."""
        return dataclasses.replace(self, threads=n, cooldown_s=self.cooldown_s if n > 1 else 0.0)

    def pick(self, full, quick):
        """A size: ``full`` normally, ``quick`` under --quick."""
        return quick if self.quick else full
