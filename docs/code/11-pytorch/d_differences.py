# where glassnet differs, on purpose
print("dtype:", gn.float32 is gn.tensor([1.0]).dtype, type(gn.float32).__name__)  # NumPy's dtypes
print("CUDA:", gn.cuda.is_available())  # the CPU only, and saying so
try:
    gn.save(model, path)  # PyTorch can pickle a whole module; glassnet never pickles
except TypeError as error:
    print("gn.save(model):", error)
