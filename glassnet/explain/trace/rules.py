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


# The rules of the activations a step trace shows, in Chinese (the notation
# stays; the words change), by op class name. A rule not listed here is
# shown as the op states it.
RULES_ZH = {
    "Relu": "∂a/∂z = 1(z > 0 时),否则为 0(z ≤ 0 处梯度传不过去)",
    "LeakyRelu": "∂a/∂z = 1(z > 0 时),否则为 s",
    "Elu": "∂a/∂z = 1(z > 0 时),否则为 αeᶻ",
    "Gelu": "∂a/∂z = Φ(z) + z·φ(z),φ 为标准正态分布的密度(approximate='tanh' 时:"
    "∂a/∂z = ½(1 + t) + ½z(1 − t²)·√(2/π)(1 + 3·0.044715z²))",
    "Softplus": "∂a/∂z = σ(βz)(βz > threshold 处为 1)",
    "Softmax": "∂L/∂x = y ⊙ (∂L/∂y − Σ ∂L/∂y ⊙ y),Σ 沿 dim 求和",
    "LogSoftmax": "∂L/∂x = ∂L/∂y − softmax(x) ⊙ Σ ∂L/∂y,Σ 沿 dim 求和",
}


def rule_text(cls, lang):
    """The rule of an op class or node in ``lang`` ('en' as stated, 'zh' from RULES_ZH)."""
    if not isinstance(cls, type):
        cls = type(cls)
    rule = op_rule(cls)[1]
    if lang == "zh" and rule:
        return RULES_ZH.get(cls.__name__, rule)
    return rule
