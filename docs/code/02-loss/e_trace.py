# glassnet's trace writes the loss in the article's notation
trace = explain.trace_step(*house, lang=LANG, apply=False)
for row in trace.loss:
    shown = f"{row.formula} = " if row.formula else ""
    print(f"{row.name} = {shown}{row.value:.4f}")
