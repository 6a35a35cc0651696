# dropout: while training, each activation is zeroed with probability p and
# the survivors are scaled by 1/(1 − p) (so the expected value is unchanged);
# in eval mode it does nothing
drop = nn.Dropout(p=0.5)
a = gn.ones(10)
print("train:", drop(a).numpy())
drop.eval()
print("eval: ", drop(a).numpy())

gn.manual_seed(0)
dropped = nn.Sequential(
    nn.Linear(2, 64),
    nn.ReLU(),
    nn.Dropout(0.3),
    nn.Linear(64, 64),
    nn.ReLU(),
    nn.Dropout(0.3),
    nn.Linear(64, 1),
)
gn.fit(
    dropped,
    train,
    loss="bce_with_logits",
    optimizer="adam",
    lr=0.01,
    epochs=300,
    batch_size=30,
    verbose=0,
)
print(
    f"dropout 0.3:       train {accuracy(dropped, train):.0%}, test {accuracy(dropped, test):.0%}"
)
