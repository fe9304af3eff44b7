"""Do two runs give the same outputs? A check for changes that must not change results (a faster stage, say).

`make DIR --size N` writes the first N bench documents (`bench/corpus.py`: exact and near copies planted) with
some of them declared synthetic, so that both MinHash stages have work: documents 5 and 15 of every block of 20,
and in every other block the exact and the near copy of a human document (index % 40 in 9, 19) and an original
whose exact copy is human (index % 40 == 28). `compare A B` compares the governed, quarantine, lineage and
negatives tables of two runs row by row (by id) and prints the rows and columns that differ; it exits 1 if any does.

    python -m bench.same_outputs make /tmp/same --size 3000
    (git checkout BEFORE) python -m pipelines.cli run --input /tmp/same/3000 --out /tmp/before --workers 2
    (git checkout AFTER)  python -m pipelines.cli run --input /tmp/same/3000 --out /tmp/after --workers 2
    python -m bench.same_outputs compare /tmp/before /tmp/after

Runs compared must share the pseudonymisation key (`$CORPUSGATE_SUBJECT_KEY`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pyarrow.parquet as pq

from bench.corpus import FILE_DOCS, LICENCE, document
from pipelines.tables import TABLES

GENERATOR = {"model": "bench-model", "service": "bench", "obtained_at": "2026-11-01T00:00:00Z"}


def is_synthetic(index: int) -> bool:
    return index % 20 in (5, 15) or index % 40 in (9, 19, 28)


def make(out_dir: Path, size: int) -> Path:
    corpus = out_dir / str(size)
    corpus.mkdir(parents=True, exist_ok=True)
    for start in range(0, size, FILE_DOCS):
        with open(corpus / f"docs-{start // FILE_DOCS:05d}.jsonl", "w", encoding="utf-8") as out:
            for index in range(start, min(start + FILE_DOCS, size)):
                row = {"id": f"doc{index}", "text": document(index), "licence": LICENCE}
                if is_synthetic(index):
                    row |= {"origin": "synthetic", "generator": GENERATOR}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return corpus


def rows_by_id(run: Path, table: str) -> dict[str, dict]:
    files = sorted((run / table).glob("*.parquet"))
    rows = [row for path in files for row in pq.read_table(path).to_pylist()]
    key = "id" if rows and "id" in rows[0] else None
    return {str(row[key]) if key else json.dumps(row, sort_keys=True, default=str): row for row in rows}


def compare(before: Path, after: Path) -> int:
    differences = 0
    for table in TABLES:
        old, new = rows_by_id(before, table), rows_by_id(after, table)
        changed = sorted(i for i in old.keys() & new.keys() if old[i] != new[i])
        columns = sorted({c for i in changed for c in old[i] if old[i][c] != new[i].get(c)})
        only_old, only_new = sorted(old.keys() - new.keys()), sorted(new.keys() - old.keys())
        differences += len(changed) + len(only_old) + len(only_new)
        print(
            f"{table}: {len(old):,} rows before, {len(new):,} after; {len(changed)} differ"
            f"{' in ' + ', '.join(columns) if columns else ''}; {len(only_old)} only before, {len(only_new)} only after"
        )
        for record_id in changed[:3]:
            for column in columns:
                if old[record_id][column] != new[record_id][column]:
                    print(f"  {record_id} {column}: {old[record_id][column]!r} -> {new[record_id][column]!r}")
    print("same outputs" if not differences else f"{differences} rows differ")
    return int(bool(differences))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("make", help="write the corpus under DIR/<size>")
    made.add_argument("dir", type=Path)
    made.add_argument("--size", type=int, default=3000)
    compared = commands.add_parser("compare", help="compare the tables of two runs")
    compared.add_argument("before", type=Path)
    compared.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "make":
        print(make(args.dir, args.size))
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
