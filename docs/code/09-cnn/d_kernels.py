# backpropagation through the convolution trained the 8 kernels; each has
# become a small stroke detector (dark: negative weights, light: positive)
kernels = model[0].weight.detach().numpy()
fig, axes = plt.subplots(1, 8, figsize=(8, 1.3))
for k, ax in enumerate(axes):
    ax.imshow(kernels[k, 0], cmap="gray")
    ax.axis("off")
correct = (gn.predict(model, x_test).argmax(dim=1) == y_test).float().mean()
print(f"test accuracy: {correct.item():.1%}")
