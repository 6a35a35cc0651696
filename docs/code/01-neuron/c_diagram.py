# each circle is a neuron, each line a weight (blue positive, orange negative,
# as wide as it is large); with an input, the neurons show their z and a
explain.network_svg(model, house.x, lang=LANG)
