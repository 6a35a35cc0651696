import tempfile
from pathlib import Path

import glassnet as gn

# the state_dict has PyTorch's keys and shapes, and gn.save writes it in the
# safetensors format, which PyTorch reads (safetensors.torch.load_file)
state = model.state_dict()
for key, value in state.items():
    print(f"{key:<10} {tuple(value.shape)}")
path = Path(tempfile.mkdtemp()) / "model.safetensors"
gn.save(state, path)

# and back: a fresh model loads the file
copy = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
copy.load_state_dict(gn.load(path))
print("same predictions:", bool(gn.allclose(copy(X), model(X))))
