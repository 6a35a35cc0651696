"""The local derivative rule of an op, as the op class states it.

Every op class (each ``autograd.Op`` subclass; an ``autograd.Function`` may
too) sets two class attributes in the article's notation (z, a, δ, ∂L/∂w,
⊙, Σ, ᵀ)::

    class Mul(Op):
        formula = "out = a · b"                  # what it computes
        rule = "∂out/∂a = b, ∂out/∂b = a"        # how the gradient flows through it

``rule`` says what the op's ``backward`` computes: the local derivative
∂out/∂x of an elementwise op (backward multiplies ∂L/∂out by it), or, for an
op that mixes elements, ∂L/∂x in terms of ∂L/∂out. They are read from the
class itself, never inherited, so a subclass that changes the math cannot
show its parent's rule by accident. ``op_rule`` is the one reader (the tape,
the graph view and the step trace call it); tests/test_op_rules.py records
every op class and checks that it states a rule and that it is shown.
"""


def op_rule(cls):
    """(formula, rule) of an op class or node; ("", "") when it states none."""
    if not isinstance(cls, type):
        cls = type(cls)
    own = cls.__dict__  # not inherited: a bare subclass says nothing
    return own.get("formula", ""), own.get("rule", "")
