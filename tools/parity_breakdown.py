#!/usr/bin/env python3
"""Sorts the squawk findings migsafe does not match into why, from the parity script's misses.

Usage: parity.py build/migsafe --misses 100000 | tools/parity_breakdown.py CORPUS_DIR

Reads the "MISS path:line: squawk RULE; migsafe there: [...]" lines on standard input (paths
relative to CORPUS_DIR) and prints how many fall in each class, per squawk rule, with
examples. The classes, first match wins:

  new-table     the statement (found by walking back to the previous ';') targets a table or
                materialized view the same file created earlier: the parity script means to
                leave these out, but looks only at the finding's own line, which for a multi-line
                ALTER TABLE is the clause, not the ALTER
  down          a down migration the parity script does not recognise as one (a sqitch revert/
                script in a subfolder)
  other-rule    migsafe reports the same statement with another rule that the parity mapping
                does not count (UNIQUE or PRIMARY KEY constraints, inline constraints)
  inline-fk     ADD COLUMN ... REFERENCES with no default: PostgreSQL checks no row
  type-change   a column type change migsafe judges binary-compatible from the schema it
                replays (or on a table a history's later migration creates)
  other         the rest: read these
"""
import collections
import re
import sys

if len(sys.argv) != 2:
    sys.exit(__doc__)
corpus = sys.argv[1]
MISS = re.compile(r"MISS (\S+):(\d+): squawk (\S+); migsafe there: \[(.*)\]")
TARGET = re.compile(r"(?:ALTER\s+TABLE(?:\s+IF\s+EXISTS)?(?:\s+ONLY)?|INDEX\b[^;]*?\bON(?:\s+ONLY)?)\s+"
                    r"((?:\"[^\"]+\"|\w+)(?:\.(?:\"[^\"]+\"|\w+))?)", re.I | re.S)
OTHER_RULES = {"add-unique-constraint", "add-primary-key", "add-exclusion-constraint",
               "add-column-inline-constraint"}


def classify(path, line, rule, there):
    with open(f"{corpus}/{path}", errors="replace") as f:
        lines = f.read().split("\n")
    i = line - 1
    while i > 0 and not lines[i - 1].rstrip().endswith(";") and line - i < 40:
        i -= 1
    stmt = "\n".join(lines[i:line + 25]).split(";")[0]
    m = TARGET.search(stmt)
    if m:
        name = re.escape(m.group(1).split(".")[-1].strip('"'))
        created = (r"CREATE\s+(?:\w+\s+)*(?:TABLE|MATERIALIZED\s+VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?"
                   r"(?:(?:\"[^\"]+\"|\w+)\.)?\"?" + name + r"\"?(?:\s|\(|$)")
        if re.search(created, "\n".join(lines[:i]), re.I | re.M):
            return "new-table"
    if "/revert/" in path:
        return "down"
    if OTHER_RULES & set(there):
        return "other-rule"
    if (rule in ("adding-foreign-key-constraint", "constraint-missing-not-valid")
            and re.search(r"ADD\s+COLUMN", stmt, re.I) and re.search(r"REFERENCES", stmt, re.I)
            and not re.search(r"DEFAULT|SERIAL|IDENTITY|GENERATED", stmt, re.I)):
        return "inline-fk"
    if rule == "changing-column-type":
        return "type-change"
    return "other"


counts = collections.Counter()
per_rule = collections.Counter()
examples = collections.defaultdict(list)
for row in sys.stdin:
    m = MISS.match(row)
    if not m:
        continue
    there = [r.strip().strip("'") for r in m.group(4).split(",") if r.strip()]
    cls = classify(m.group(1), int(m.group(2)), m.group(3), there)
    counts[cls] += 1
    per_rule[(m.group(3), cls)] += 1
    examples[(m.group(3), cls)].append(f"{m.group(1)}:{m.group(2)}")
for cls, n in counts.most_common():
    print(f"{n:6} {cls}")
print()
for (rule, cls), n in sorted(per_rule.items()):
    print(f"{n:6} {rule:40} {cls:12} e.g. {examples[(rule, cls)][0]}")
