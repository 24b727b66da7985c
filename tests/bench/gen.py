#!/usr/bin/env python3
"""Writes the benchmark inputs: one large migration of mixed, realistic DDL and a one-statement
migration.

    python3 tests/bench/gen.py [-n STATEMENTS] [--seed SEED] OUTDIR

OUTDIR/large.sql gets STATEMENTS statements (default 20,000, about 1.4 MB) and OUTDIR/one.sql a
single ALTER TABLE. The output depends only on the arguments (a seeded generator, no clock), so
two runs with the same arguments write the same bytes and timings compare across machines.

The mix is what long-lived applications accumulate: CREATE TABLE with many columns, ADD COLUMN
with and without defaults, indexes built with and without CONCURRENTLY, column type changes,
foreign keys and checks added NOT VALID then validated, dropped columns, comments, COMMENT ON,
seed INSERTs, and a few DO blocks and functions whose bodies are dollar-quoted.
"""

import argparse
import os
import random
import sys

TABLE_WORDS = [
    "accounts", "addresses", "audit_events", "invoices", "invoice_lines", "orders", "payments",
    "products", "refunds", "sessions", "shipments", "tenants", "users", "webhooks", "coupons",
    "suppliers", "reviews", "categories", "plans", "teams", "projects", "tasks", "comments",
]
COLUMN_WORDS = [
    "status", "email", "name", "title", "amount", "currency", "note", "kind", "source", "code",
    "region", "locale", "score", "priority", "external_ref", "slug", "phone", "quantity",
    "discount", "tax_rate", "description", "channel", "version", "label", "country",
]
TYPES = [
    ("text", "''"), ("varchar(255)", "''"), ("integer", "0"), ("bigint", "0"),
    ("boolean", "false"), ("timestamptz", "now()"), ("numeric(12,2)", "0"), ("jsonb", "'{}'"),
    ("uuid", "gen_random_uuid()"), ("date", "current_date"), ("smallint", "0"),
]
WIDER = {"integer": "bigint", "varchar(255)": "text", "smallint": "integer",
         "numeric(12,2)": "numeric(18,4)", "date": "timestamptz"}
COMMENTS = [
    "backfilled by the nightly job; see the runbook",
    "needed by the reporting dashboard",
    "TODO: drop once the old API is retired",
    "keep in sync with the billing service",
    "added for the EU data residency project",
    "rollout step 2 of 3",
]


class Schema:
    """The tables statements name and their columns: the application's existing tables (created
    by earlier migrations, so altering them is what the linters judge) and the tables this file
    creates (new and empty, which the linters may treat as safe to change)."""

    def __init__(self, rng):
        self.rng = rng
        self.existing = list(TABLE_WORDS)
        self.tables = []   # created in this file, in creation order
        self.columns = {}  # table -> list of (name, type)
        self.pending = []  # (table, constraint) added NOT VALID, not yet validated
        self.serial = {}   # scope -> last number used
        for name in self.existing:
            self.columns[name] = [("id", "bigint"), ("created_at", "timestamptz")] + [
                (self.new_name(rng.choice(COLUMN_WORDS), name), rng.choice(TYPES)[0])
                for _ in range(rng.randint(4, 10))]

    def new_name(self, base, scope=""):
        """A fresh name: numbered across the schema, or within one table when scope names it."""
        n = self.serial.get(scope, 0) + 1
        self.serial[scope] = n
        return "%s_%d" % (base, n)

    def table(self):
        if not self.tables or self.rng.random() < 0.7:
            return self.rng.choice(self.existing)
        return self.rng.choice(self.tables)

    def column(self, table):
        return self.rng.choice(self.columns[table])


def create_table(s):
    rng = s.rng
    name = s.new_name(rng.choice(TABLE_WORDS), "<tables>")
    cols = [("id", "bigint")]
    lines = ["    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"]
    for _ in range(rng.randint(4, 12)):
        cname = s.new_name(rng.choice(COLUMN_WORDS), name)
        ctype, default = rng.choice(TYPES)
        extra = ""
        r = rng.random()
        if r < 0.3:
            extra = " NOT NULL DEFAULT %s" % default
        elif r < 0.4:
            extra = " NOT NULL"
        cols.append((cname, ctype))
        lines.append("    %s %s%s" % (cname, ctype, extra))
    if s.tables and rng.random() < 0.5:
        parent = s.table()
        fk = s.new_name(parent.rstrip("0123456789_") + "_id", name)
        cols.append((fk, "bigint"))
        lines.append("    %s bigint REFERENCES %s (id)" % (fk, parent))
    lines.append("    created_at timestamptz NOT NULL DEFAULT now()")
    cols.append(("created_at", "timestamptz"))
    s.tables.append(name)
    s.columns[name] = cols
    return "CREATE TABLE %s (\n%s\n);" % (name, ",\n".join(lines))


def add_column(s):
    rng = s.rng
    t = s.table()
    cname = s.new_name(rng.choice(COLUMN_WORDS), t)
    ctype, default = rng.choice(TYPES)
    r = rng.random()
    if r < 0.45:
        tail = ""
    elif r < 0.8:
        tail = " DEFAULT %s" % default
    elif r < 0.93:
        tail = " NOT NULL DEFAULT %s" % default
    else:
        tail = " NOT NULL"  # fails on a non-empty table
    s.columns[t].append((cname, ctype))
    return "ALTER TABLE %s ADD COLUMN %s %s%s;" % (t, cname, ctype, tail)


def create_index(s):
    rng = s.rng
    t = s.table()
    col = s.column(t)[0]
    idx = s.new_name("idx_%s" % col)
    conc = " CONCURRENTLY" if rng.random() < 0.6 else ""
    unique = "UNIQUE " if rng.random() < 0.1 else ""
    where = " WHERE %s IS NOT NULL" % col if rng.random() < 0.1 else ""
    return "CREATE %sINDEX%s %s ON %s (%s)%s;" % (unique, conc, idx, t, col, where)


def alter_type(s):
    t = s.table()
    for _ in range(4):
        col, ctype = s.column(t)
        if ctype in WIDER:
            return "ALTER TABLE %s ALTER COLUMN %s TYPE %s;" % (t, col, WIDER[ctype])
    col = s.column(t)[0]
    return "ALTER TABLE %s ALTER COLUMN %s TYPE text;" % (t, col)


def add_fk(s):
    t, parent = s.table(), s.table()
    col = s.new_name("%s_id" % parent.rstrip("0123456789_"), t)
    con = s.new_name("fk_%s" % t)
    s.columns[t].append((col, "bigint"))
    s.pending.append((t, con))
    return ("ALTER TABLE %s ADD COLUMN %s bigint;\n"
            "ALTER TABLE %s ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (id) NOT VALID;"
            % (t, col, t, con, col, parent))


def add_check(s):
    t = s.table()
    col = s.column(t)[0]
    con = s.new_name("chk_%s" % col)
    s.pending.append((t, con))
    return "ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID;" % (t, con, col)


def validate(s):
    if not s.pending:
        return add_check(s)
    t, con = s.pending.pop(s.rng.randrange(len(s.pending)))
    return "ALTER TABLE %s VALIDATE CONSTRAINT %s;" % (t, con)


def drop_column(s):
    t = s.table()
    cols = s.columns[t]
    if len(cols) <= 3:
        return add_column(s)
    col = cols.pop(s.rng.randrange(2, len(cols)))[0]
    return "ALTER TABLE %s DROP COLUMN %s;" % (t, col)


def set_not_null(s):
    t = s.table()
    return "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL;" % (t, s.column(t)[0])


def comment_on(s):
    t = s.table()
    if s.rng.random() < 0.5:
        return "COMMENT ON TABLE %s IS '%s';" % (t, s.rng.choice(COMMENTS))
    return "COMMENT ON COLUMN %s.%s IS '%s';" % (t, s.column(t)[0], s.rng.choice(COMMENTS))


def insert(s):
    rng = s.rng
    t = s.table()
    if rng.random() < 0.7:
        return "INSERT INTO feature_flags VALUES ('%s_%d', %s);" % (
            t.split("_")[0], rng.randint(1, 999), rng.choice(["true", "false"]))
    return "INSERT INTO %s (%s) VALUES (DEFAULT) ON CONFLICT DO NOTHING;" % (t, s.column(t)[0])


def set_timeout(s):
    return "SET lock_timeout = '%ds';" % s.rng.choice([2, 5, 10])


def do_block(s):
    t = s.table()
    col = s.column(t)[0]
    return ("DO $$\n"
            "BEGIN\n"
            "    IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE tablename = '%s') THEN\n"
            "        RAISE NOTICE 'table %% has no index; backfilling %s';\n"
            "        UPDATE %s SET %s = %s WHERE %s IS NULL;\n"
            "    END IF;\n"
            "END\n"
            "$$;" % (t, col, t, col, col, col))


def function(s):
    t = s.table()
    fn = s.new_name("touch_%s" % t.rstrip("0123456789_"))
    return ("CREATE OR REPLACE FUNCTION %s() RETURNS trigger\n"
            "LANGUAGE plpgsql AS $fn$\n"
            "BEGIN\n"
            "    NEW.created_at := coalesce(NEW.created_at, now()); -- a ';' inside the body\n"
            "    RETURN NEW;\n"
            "END;\n"
            "$fn$;" % fn)


# (weight, generator, statements it writes)
MIX = [
    (1.0, create_table, 1),
    (24, add_column, 1),
    (15, create_index, 1),
    (4, alter_type, 1),
    (2, add_fk, 2),
    (2, add_check, 1),
    (4, validate, 1),
    (4, drop_column, 1),
    (3, set_not_null, 1),
    (8, comment_on, 1),
    (22, insert, 1),
    (5, set_timeout, 1),
    (0.2, do_block, 1),
    (0.2, function, 1),
]


def generate(n, seed):
    rng = random.Random(seed)
    s = Schema(rng)
    out = ["-- migsafe benchmark migration: %d statements, seed %d (tests/bench/gen.py)\n"
           % (n, seed)]
    written = 0
    weights = [w for w, _, _ in MIX]
    while written < n:
        _, gen, count = rng.choices(MIX, weights)[0]
        if written + count > n:
            gen, count = add_column, 1
        stmt = gen(s)
        if rng.random() < 0.08:
            out.append("\n-- %s\n" % rng.choice(COMMENTS))
        elif rng.random() < 0.01:
            out.append("\n/* %s */\n" % rng.choice(COMMENTS))
        out.append(stmt + "\n")
        written += count
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--statements", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("outdir")
    args = ap.parse_args()
    if args.statements < 1:
        ap.error("--statements must be at least 1")
    os.makedirs(args.outdir, exist_ok=True)
    large = generate(args.statements, args.seed)
    with open(os.path.join(args.outdir, "large.sql"), "w", encoding="utf-8", newline="\n") as f:
        f.write(large)
    with open(os.path.join(args.outdir, "one.sql"), "w", encoding="utf-8", newline="\n") as f:
        f.write("ALTER TABLE users ADD COLUMN last_seen_at timestamptz;\n")
    print("%s: %d statements, %d bytes" % (os.path.join(args.outdir, "large.sql"),
                                           args.statements, len(large.encode())), file=sys.stderr)


if __name__ == "__main__":
    main()
