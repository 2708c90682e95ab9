#!/usr/bin/env python3
"""Take-up by household type, tenure (and agency contact) from a run or sweep file.

    take_up_by_household.py FILE.h5 [--service minimum_income] [--window 91]

For each group of the segments household_type, tenure and agency_contact
(docs/output.md, /segments) that the file holds: receiving / eligible summed
over the last WINDOW recorded days (91: a quarter, as DREES measures
quarterly non-take-up), per replicate; prints a Markdown table of the mean
and the 5-95% interval across replicates. A dimension the file lacks reads
"not yet". docs/validation.md quotes it.
"""

from __future__ import annotations

import argparse
import sys

import h5py
import numpy as np

DIMENSIONS = ("household_type", "tenure", "agency_contact")


def take_up(f: h5py.File, dimension: str, service: str, window: int) -> dict[str, np.ndarray] | None:
    path = f"segments/{dimension}/counts"
    if path not in f:
        return None
    counts = f[path][()]
    if counts.ndim == 4:  # one run: [day, service, group, state]
        counts = counts[np.newaxis]
    services = [s.decode() if isinstance(s, bytes) else str(s) for s in f["service"][()]]
    groups = [g.decode() if isinstance(g, bytes) else str(g) for g in f[f"segments/{dimension}/group"][()]]
    c = counts[:, -window:, services.index(service)].sum(axis=1).astype(float)  # [run, group, state]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = c[..., 1] / c[..., 0]
    return {g: ratio[:, i] for i, g in enumerate(groups)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file")
    parser.add_argument("--service", default="minimum_income")
    parser.add_argument("--window", type=int, default=91)
    args = parser.parse_args(argv)
    with h5py.File(args.file, "r") as f:
        runs = f["counts"].shape[0] if f["counts"].ndim == 4 else 1
        print(f"{args.service}, take-up (receiving / eligible) over the last {args.window} recorded days, "
              f"{runs} run(s): mean [5%, 95%]\n")
        print("| dimension | group | take-up (%) |")
        print("|---|---|---|")
        for dimension in DIMENSIONS:
            table = take_up(f, dimension, args.service, args.window)
            if table is None:
                print(f"| {dimension} | | not yet |")
                continue
            for group, values in table.items():
                v = values[np.isfinite(values)]
                if not v.size:
                    print(f"| {dimension} | {group} | nobody eligible |")
                    continue
                print(f"| {dimension} | {group} | {100 * v.mean():.1f} "
                      f"[{100 * np.quantile(v, 0.05):.1f}, {100 * np.quantile(v, 0.95):.1f}] |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
