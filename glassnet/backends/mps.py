"""``torch.backends.mps``'s questions: glassnet has no Metal (Apple GPU)
back end, so ``is_available()`` and ``is_built()`` are False."""


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
