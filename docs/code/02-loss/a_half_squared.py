import glassnet as gn
from glassnet import explain, nn

# the house network of chapter 1 and the price the house sold for
house = explain.examples.house()
y_hat = house.model(house.x)
y = house.y
L = ((y - y_hat) ** 2 / 2).sum()  # L = ½(y − ŷ)², the article's loss
print(f"ŷ = {y_hat.item():.4f}, y = {y.item():.4f}")
print(f"L = ½(y − ŷ)² = ½({y.item():.4f} − {y_hat.item():.4f})² = {L.item():.4f}")
print("nn.HalfSquaredError gives", house.loss_fn(y_hat, y).item())
