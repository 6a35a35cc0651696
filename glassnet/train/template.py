"""Checkpoint paths with Keras' fields: ``"ck-{epoch:02d}-{val_loss:.2f}.st"``.

``{epoch}`` is the epoch just finished, counted from 1; any other field is
a key of the epoch's logs ('loss', 'val_loss', 'accuracy', 'lr'...), with
an optional format spec. What can be checked without training is checked
when the template is made (the braces, the field names, each format spec
on a sample value, no field in the folder part) or when ``fit`` starts (is
every field logged?), so that a bad path never costs an epoch."""

import os
import string

_SAMPLE = 0.5  # what a logged value looks like when a spec is tried


class PathTemplate:
    """A path with ``{fields}``; ``who`` names the owner in errors."""

    def __init__(self, path, who="ModelCheckpoint"):
        self.path, self.who = os.fspath(path), who
        self.fields = []
        try:
            parsed = list(string.Formatter().parse(self.path))
        except ValueError as exc:
            raise ValueError(
                f"{who}: the path {self.path!r} is not a valid template ({exc}); "
                "write a literal brace as '{{' or '}}'"
            ) from None
        for _, field, spec, conversion in parsed:
            if field is not None:
                self._add(field, spec or "", conversion)
        if self.fields and "{" in os.path.dirname(self.path):
            raise ValueError(
                f"{who}: fields such as {{epoch}} may appear only in the file "
                f"name, not in the folder part of {self.path!r}"
            )

    def _add(self, field, spec, conversion):
        where = f"{self.who}: the path {self.path!r}"
        if not field.isidentifier():
            raise ValueError(
                f"{where} has the field {{{field}}}; expected a name: {{epoch}} "
                "or a logged key such as {loss} or {val_loss}"
            )
        if "{" in spec:
            raise ValueError(f"{where} nests a field in the format spec of {{{field}}}")
        sample = 1 if field == "epoch" else _SAMPLE
        try:
            format(string.Formatter().convert_field(sample, conversion), spec)
        except ValueError as exc:
            raise ValueError(
                f"{where}: the format spec {spec!r} of {{{field}}} does not fit "
                f"{'an int' if field == 'epoch' else 'a float'} ({exc})"
            ) from None
        if field not in self.fields:
            self.fields.append(field)

    def check(self, logged):
        """Raise ValueError, naming the field and what is logged, if a field
        of the path is neither 'epoch' nor one of ``logged``."""
        for field in self.fields:
            if field != "epoch" and field not in logged:
                hint = (
                    "; pass validation= to fit for the 'val_' keys"
                    if field.startswith("val_")
                    else ""
                )
                raise ValueError(
                    f"{self.who}: the path {self.path!r} uses {{{field}}}, which "
                    f"this run never logs; it logs epoch, "
                    f"{', '.join(sorted(logged))}{hint}"
                )

    def format(self, epoch, logs):
        """The path after the 0-based ``epoch`` with these ``logs``."""
        return self.path.format(**{**logs, "epoch": epoch + 1})

    def sample(self):
        """The path as the first epoch would write it (for checking its folder)."""
        return self.format(0, dict.fromkeys(self.fields, _SAMPLE))
