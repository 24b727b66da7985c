#!/usr/bin/env python3
"""Writes a golang-migrate history of N migrations (up and down twins) for the history benchmark.

Usage: history.py -n N OUT_DIR

Each migration creates a table, or adds a column, an index or a constraint to one created
earlier, so that replaying the history builds a schema that later migrations depend on.
Deterministic (no randomness)."""
import argparse
import os

ap = argparse.ArgumentParser()
ap.add_argument("-n", type=int, default=1000)
ap.add_argument("out")
args = ap.parse_args()
os.makedirs(args.out, exist_ok=True)
for name in os.listdir(args.out):
    if name.endswith(".sql"):
        os.remove(os.path.join(args.out, name))

tables = 0
for i in range(1, args.n + 1):
    kind = i % 4
    if kind == 1 or tables == 0:
        tables += 1
        t = f"t{tables}"
        up = (f"CREATE TABLE {t} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
              f"    name varchar(50) NOT NULL,\n    created_at timestamptz NOT NULL DEFAULT now()\n);\n")
        down = f"DROP TABLE {t};\n"
        label = f"create_{t}"
    else:
        t = f"t{(i * 7) % tables + 1}"
        if kind == 2:
            up = f"ALTER TABLE {t} ADD COLUMN c{i} text;\n"
            down = f"ALTER TABLE {t} DROP COLUMN c{i};\n"
            label = f"add_{t}_c{i}"
        elif kind == 3:
            up = f"CREATE INDEX CONCURRENTLY {t}_i{i} ON {t} (created_at);\n"
            down = f"DROP INDEX CONCURRENTLY {t}_i{i};\n"
            label = f"index_{t}_{i}"
        else:
            up = f"ALTER TABLE {t} ADD CONSTRAINT {t}_k{i} CHECK (length(name) > 0) NOT VALID;\n"
            down = f"ALTER TABLE {t} DROP CONSTRAINT {t}_k{i};\n"
            label = f"check_{t}_{i}"
    base = os.path.join(args.out, f"{i:06d}_{label}")
    with open(base + ".up.sql", "w") as f:
        f.write(up)
    with open(base + ".down.sql", "w") as f:
        f.write(down)
