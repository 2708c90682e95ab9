"""python3 -m demat.analysis report RUN.h5 [RUN2.h5 ...] -o DIR"""

from __future__ import annotations

import argparse
import sys

from .report import write_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m demat.analysis",
                                     description="Figures and an HTML report from demat run or sweep files.")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="write PNG figures and index.html")
    report.add_argument("files", nargs="+", help="run or sweep files (HDF5)")
    report.add_argument("-o", "--output", required=True, help="folder for the figures and index.html")
    report.add_argument("--title", default="demat report")
    args = parser.parse_args(argv)
    try:
        page = write_report(args.files, args.output, title=args.title)
    except (OSError, ValueError) as error:
        print(f"demat.analysis: {error}", file=sys.stderr)
        return 2
    print(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
