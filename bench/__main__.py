"""python -m bench [NAME ...] [--people N] [--backend sqlite|postgresql] [--format table|json]

Examples:
  python -m bench --list
  python -m bench seed --people 100000
  python -m bench seed --people 1000000 --format json
"""

from __future__ import annotations

import argparse
import os
import sys

from bench.harness import BenchOptions, Row, load_all, render

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def main(argv: list[str] | None = None) -> int:
    registry = load_all()
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "names", nargs="*", help=f"benchmarks to run (default: all): {', '.join(sorted(registry))}"
    )
    parser.add_argument("--people", type=int, default=100_000, help="supporters in the dataset")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--seed", type=int, default=1, help="dataset seed")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("LADDER_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(sorted(registry)))
        return 0
    unknown = [n for n in args.names if n not in registry]
    if unknown:
        parser.error(
            f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(sorted(registry))}"
        )
    options = BenchOptions(args.people, args.backend, args.repeat, args.seed, args.postgres_url)
    rows: list[Row] = []
    for name in args.names or sorted(registry):
        print(f"running {name} ...", file=sys.stderr)
        rows.extend(registry[name](options))
    print(render(rows, args.format))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
