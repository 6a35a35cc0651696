import matplotlib.pyplot as plt

# scikit-learn's handwritten digits: 1797 images of 8×8 pixels, 10 classes
digits = gn.datasets.digits(standardize=True)
x, y = digits.tensors
x = x.reshape(-1, 1, 8, 8)  # (N, channels, height, width), as Conv2d expects
x_train, x_test, y_train, y_test = gn.datasets.train_test_split(
    x, y, test_size=0.2, stratify=y.numpy(), generator=np.random.default_rng(0)
)
train, test = gn.data.TensorDataset(x_train, y_train), gn.data.TensorDataset(x_test, y_test)
print(f"{len(train)} training images, {len(test)} test images")
fig, axes = plt.subplots(1, 8, figsize=(8, 1.3))
for ax, i in zip(axes, range(8)):
    ax.imshow(x[i, 0].numpy(), cmap="gray_r")
    ax.set_title(int(y[i].item()))
    ax.axis("off")
