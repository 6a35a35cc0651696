# a small CNN: convolutions find local strokes, pooling keeps the strongest
# response in each 2×2 block, and a Linear layer reads the class from them
gn.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1),
    nn.ReLU(),  # 8 kernels of 3×3: 8 maps of 8×8
    nn.MaxPool2d(2),  # 8 maps of 4×4
    nn.Flatten(),
    nn.Linear(8 * 4 * 4, 10),  # one score per digit
)
print(model.summary((1, 1, 8, 8)))
history = gn.fit(
    model,
    train,
    loss="cross_entropy",
    optimizer="adam",
    lr=0.01,
    epochs=6,
    batch_size=64,
    validation=test,
    metrics="accuracy",
    verbose=2,
)
