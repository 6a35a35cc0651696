# classification: the network outputs one score (logit) per class; softmax
# turns the scores into probabilities, and cross-entropy is −log of the
# probability given to the right class
logits = gn.tensor([[2.0, 0.5, -1.0]])
target = gn.tensor([0])
p = gn.softmax(logits, dim=1)
by_hand = -gn.log(p[0, 0])
print("p =", p.numpy().round(4), " −log p[0] =", round(by_hand.item(), 4))
print("nn.CrossEntropyLoss:", round(nn.CrossEntropyLoss()(logits, target).item(), 4))

# the more confident and wrong, the larger the loss
for right in (0.9, 0.5, 0.1, 0.01):
    print(f"probability of the right class {right:>4}: loss = {-np.log(right):.3f}")
