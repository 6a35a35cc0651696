"""The base of the learning-rate schedules: ``LRScheduler`` (PyTorch's
protocol: ``initial_lr``/``base_lrs``, step 0 at construction, ``step()``,
``get_last_lr()``, ``state_dict``) and the argument checks every scheduler
shares. The schedules themselves are in ``lr_scheduler``, ``plateau`` and
``one_cycle``."""

from __future__ import annotations

import warnings
from typing import Any

from .optimizer import Optimizer


def _check_optimizer(name, optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{name}: expected a glassnet Optimizer (e.g. optim.SGD(...)), got "
            f"{type(optimizer).__name__}"
        )


def _per_group(name, arg, value, optimizer):
    """One value per param group: a list of that length, or one value for all."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(
                f"{name}: {arg} has {len(value)} values, but the optimizer has {n} param groups"
            )
        return list(value)
    return [value] * n


class LRScheduler:
    """Base class: subclasses compute the next lrs in ``get_lr()`` from
    ``last_epoch`` and the groups' current lrs."""

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        name = type(self).__name__
        _check_optimizer(name, optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{name}: param group {i} has no 'initial_lr' although "
                        f"last_epoch={last_epoch} asks to resume; load the "
                        "optimizer's state_dict first, or use last_epoch=-1"
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The lrs for the current ``last_epoch`` (one per param group)."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The lrs this scheduler set last, one per param group."""
        return list(self._last_lr)

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (``last_epoch += 1``) and set the new lrs.
        ``epoch`` is deprecated (as in PyTorch): it jumps to that epoch using
        the closed-form formula where there is one."""
        if self._step_count == 1 and getattr(self.optimizer, "_step_calls", 1) == 0:
            warnings.warn(
                f"{type(self).__name__}.step() was called before optimizer.step(); "
                "call optimizer.step() first, or the first lr of the schedule is "
                "skipped",
                UserWarning,
                stacklevel=2,
            )
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            warnings.warn(
                "step(epoch) is deprecated: call step() once per epoch", UserWarning, stacklevel=2
            )
            self.last_epoch = epoch
            closed = getattr(self, "_get_closed_form_lr", None)
            values = closed() if closed is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _current(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimizer (as PyTorch)."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)
