"""`python -m bench <area> [options]`: run one benchmark area, or `all`."""

from __future__ import annotations

import importlib
import sys

from bench.report import AREAS


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(f"usage: python -m bench {{{','.join(AREAS)},all}} [options]")
        return 0 if argv else 2
    area, rest = argv[0], argv[1:]
    areas = AREAS if area == "all" else (area,)
    for name in areas:
        if name not in AREAS:
            print(f"unknown benchmark area {name!r}; choose one of {', '.join(AREAS)} or all")
            return 2
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError:
            print(f"bench {name}: not written yet, skipped")
            continue
        module.main(rest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
