# the boundary without and with the penalty: test points hollow
fig = explain.plot_decision_boundary(plain, train, test=test, lang=LANG, title="no regularization")
fig = explain.plot_decision_boundary(l2, train, test=test, lang=LANG, title="L2, λ = 0.01")
