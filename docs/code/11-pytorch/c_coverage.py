# which of PyTorch's names glassnet has: the summary of docs/api-coverage.md,
# generated from the code (python -m compat.coverage)
coverage = Path(gn.__file__).resolve().parents[1] / "docs" / "api-coverage.md"
table = [
    line
    for line in coverage.read_text(encoding="utf-8").splitlines()
    if line.startswith("| `torch")
]
for line in table[:5]:
    print(line)
