"""Ordinary tables as a new user would bring them, written as CSV files
(seeded): houses (size, rooms, age → price 200–700) and fruit (weight,
width → a class name)."""

import numpy as np


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(str(v) for v in row) + "\n")
    return str(path)


def houses(path, n=300, seed=0):
    """300 houses: size (m²), rooms, age (years) and a price of about 200–700."""
    rng = np.random.default_rng(seed)
    size = rng.uniform(50, 250, n).round(0)
    rooms = rng.integers(1, 7, n)
    age = rng.uniform(0, 60, n).round(0)
    price = (170 + 1.8 * size + 10 * rooms - 1.0 * age + rng.normal(0, 10, n)).round(1)
    rows = [(f"{s:g}", int(r), f"{a:g}", f"{p:g}") for s, r, a, p in zip(size, rooms, age, price)]
    return write_csv(path, ["size", "rooms", "age", "price"], rows)


def fruit(path, n=240, seed=0):
    """Three kinds of fruit told apart by weight (g) and width (cm)."""
    rng = np.random.default_rng(seed)
    kinds = {"cherry": (8, 2.0), "plum": (60, 5.0), "melon": (900, 15.0)}
    rows = []
    for k in range(n):
        name = list(kinds)[k % 3]
        weight, width = kinds[name]
        rows.append(
            (f"{weight * rng.uniform(0.7, 1.3):.1f}", f"{width * rng.uniform(0.8, 1.2):.2f}", name)
        )
    return write_csv(path, ["weight", "width", "kind"], rows)
