# nn.Transformer on a copy task: source and target embeddings, the causal mask from
# nn.Transformer.generate_square_subsequent_mask, teacher forcing, greedy decoding.
# compare: at-least 0.9 - token accuracy of greedy decoding; the initial weights come from
# each library's own random stream, so only the accuracy reached can be compared
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
VOCAB, BOS, LENGTH, D_MODEL = 10, 10, 6, 32


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.src_embed = nn.Embedding(VOCAB, D_MODEL)
        self.tgt_embed = nn.Embedding(VOCAB + 1, D_MODEL)
        self.position = nn.Parameter(torch.randn(1, LENGTH + 1, D_MODEL) * 0.1)
        self.transformer = nn.Transformer(
            d_model=D_MODEL,
            nhead=4,
            num_encoder_layers=1,
            num_decoder_layers=1,
            dim_feedforward=64,
            dropout=0.0,
            batch_first=True,
        )
        self.out = nn.Linear(D_MODEL, VOCAB)

    def forward(self, src, tgt):
        mask = nn.Transformer.generate_square_subsequent_mask(tgt.size(1))
        s = self.src_embed(src) + self.position[:, : src.size(1)]
        t = self.tgt_embed(tgt) + self.position[:, : tgt.size(1)]
        return self.out(self.transformer(s, t, tgt_mask=mask))


def batch(rng, n):
    src = torch.from_numpy(rng.integers(0, VOCAB, size=(n, LENGTH)))
    tgt_in = torch.cat([torch.full((n, 1), BOS, dtype=torch.long), src[:, :-1]], dim=1)
    return src, tgt_in, src


rng = np.random.default_rng(6)
model = Seq2Seq()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.CrossEntropyLoss()
for step in range(200):
    src, tgt_in, tgt_out = batch(rng, 64)
    logits = model(src, tgt_in)
    loss = criterion(logits.reshape(-1, VOCAB), tgt_out.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 100 == 0:
        print(f"step {step}: loss {loss.item():.4f}")

model.eval()
src, _, expected = batch(rng, 128)
with torch.no_grad():
    out = torch.full((128, 1), BOS, dtype=torch.long)
    for _ in range(LENGTH):
        next_token = model(src, out)[:, -1].argmax(-1, keepdim=True)
        out = torch.cat([out, next_token], dim=1)
accuracy = (out[:, 1:] == expected).float().mean().item()
print(f"RESULT transformer_seq2seq {accuracy:.4f}")
