"""The local derivative rule of an op, read from its class docstring.

Every built-in op documents itself as ``"out = a · b;  ∂out/∂a = b, ∂out/∂b = a."``:
what it computes, a ';', then how the gradient flows through it. The rule
is the first sentence after the ';' (or, when a docstring has no ';', from
its first '∂' on), so the explanation never disagrees with the op's own words.
"""
import inspect
import re

_SENTENCE_END = re.compile(r"\.\s+(?=[A-Z])")


def _first_paragraph(cls):
    doc = cls.__dict__.get("__doc__")  # not inherited: a bare subclass says nothing
    if not doc:
        return ""
    return " ".join(inspect.cleandoc(doc).split("\n\n")[0].split())


def op_rule(cls):
    """(what the op computes, its local derivative rule) for an op class or node."""
    if not isinstance(cls, type):
        cls = type(cls)
    para = _first_paragraph(cls)
    if ";" in para:
        forward, rule = para.split(";", 1)
    elif "∂" in para:
        cut = para.index("∂")
        forward, rule = para[:cut], para[cut:]
    else:
        forward, rule = para, ""
    rule = _SENTENCE_END.split(rule.strip(), 1)[0]  # the rule is its first sentence
    return forward.strip().rstrip(":,").strip(), rule.strip().rstrip(".")
