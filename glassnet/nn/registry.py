"""``Registry``: one table of names for one kind of thing (activations,
losses, optimizers, initializers), so that ``fit``, the command line, the
playground and the figures all accept the same names and say the same
thing about an unknown one.

    ACTIVATIONS = Registry("activation")
    ACTIVATIONS.add("relu", entry)
    ACTIVATIONS.add("linear", entry, aliases=("identity",))
    ACTIVATIONS["identity"]   # the "linear" entry
    ACTIVATIONS["swish"]      # ValueError: unknown activation 'swish'; expected one of ...

Names are matched without regard to case; an alias leads to the same entry
as its name (``canonical`` gives the name back).
"""


class Registry:
    """Names (and aliases) of one ``kind`` → entries, in the order added."""

    def __init__(self, kind):
        self.kind = kind
        self._entries = {}  # name → entry
        self._names = {}  # name or alias → name

    def add(self, name, entry, aliases=()):
        for key in (name, *aliases):
            if key in self._names:
                raise ValueError(
                    f"{self.kind} registry: the name {key!r} is taken (by {self._names[key]!r})"
                )
            self._names[key] = name
        self._entries[name] = entry
        return entry

    def canonical(self, name):
        """The registered name that ``name`` (a name or an alias) stands for."""
        key = name.lower() if isinstance(name, str) else name
        if key not in self._names:
            raise ValueError(
                f"unknown {self.kind} {name!r}; expected one of {', '.join(self.accepted())}"
            )
        return self._names[key]

    def __getitem__(self, name):
        return self._entries[self.canonical(name)]

    def __contains__(self, name):
        return isinstance(name, str) and name.lower() in self._names

    def __iter__(self):
        return iter(self._entries)

    def __len__(self):
        return len(self._entries)

    def names(self):
        """The registered names (no aliases), in the order added."""
        return tuple(self._entries)

    def accepted(self):
        """Every name this registry accepts, aliases included, sorted."""
        return tuple(sorted(self._names))

    def aliases(self, name):
        """The other names of the entry registered as ``name``."""
        return tuple(k for k, v in self._names.items() if v == name and k != name)

    def items(self):
        return self._entries.items()

    def values(self):
        return self._entries.values()

    def __repr__(self):
        return f"Registry({self.kind!r}, {list(self._entries)})"
