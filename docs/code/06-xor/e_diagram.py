# the trained network: blue links are positive weights, orange negative
explain.network_svg(model, xor.x[1:2], lang=LANG)
