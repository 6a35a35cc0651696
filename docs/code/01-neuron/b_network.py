from glassnet import explain

# the article's house network: 2 inputs → 2 sigmoid neurons → 1 output (the price)
house = explain.examples.house()
model = house.model
model  # a notebook shows the layers and their parameter counts
