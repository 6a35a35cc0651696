# glassnet writes the same forward pass out in the article's notation
trace = explain.trace_step(*house, lang=LANG, apply=False)
for row in trace.forward:
    print(f"{row.name:>3} = {row.formula or '':<28} = {row.value:.4f}")
