"""A self-contained HTML report: the figures with captions, key numbers, parameters.

The page uses no script, font or style sheet from elsewhere: ``index.html``
and the PNGs beside it open offline, and can be zipped and mailed together.
"""

from __future__ import annotations

import datetime
import html
import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .figures import draw_all
from .load import END_WINDOW_DAYS, RunSet, key_numbers, load_runs

STYLE = """
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; line-height: 1.45; }
figure { margin: 2em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.92em; color: #444; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.8em; }
"""


def _numbers_table(numbers: pd.DataFrame) -> str:
    measures = list(dict.fromkeys(numbers["measure"]))
    scenarios = list(dict.fromkeys(numbers["scenario"]))
    head = "<tr><th>scenario</th><th>runs</th>" + "".join(f"<th>{html.escape(m)}</th>" for m in measures) + "</tr>"
    rows = []
    for sc in scenarios:
        part = numbers[numbers["scenario"] == sc].set_index("measure")
        cells = []
        for m in measures:
            r = part.loc[m]
            if not np.isfinite(r["mean"]):
                # No value (a wait with no queue in the scenario, say): a dash, not "nan".
                cells.append("<td title='none in this scenario (no queue, no claim...)'>&ndash;</td>")
                continue
            digits = 0 if abs(r["mean"]) >= 100 else 1
            text = f"{r['mean']:,.{digits}f}"
            if part["runs"].iloc[0] > 1 and np.isfinite(r["q05"]) and np.isfinite(r["q95"]):
                text += f"<br><small>[{r['q05']:,.{digits}f}, {r['q95']:,.{digits}f}]</small>"
            cells.append(f"<td>{text}</td>")
        rows.append(f"<tr><td>{html.escape(sc)}</td><td>{int(part['runs'].iloc[0])}</td>{''.join(cells)}</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _parameter_differences(sets: Sequence[RunSet]) -> str:
    params = [s.parameters for s in sets]
    keys = sorted({k for p in params for k in p} - {"name", "description", "seed"})
    differing = [k for k in keys if len({repr(p.get(k)) for p in params}) > 1]
    if len(sets) < 2 or not differing:
        return "<p>The scenarios share every parameter except their name.</p>" if len(sets) > 1 else ""
    head = "<tr><th>parameter</th>" + "".join(f"<th>{html.escape(s.label)}</th>" for s in sets) + "</tr>"
    rows = "".join(
        f"<tr><td><code>{html.escape(k)}</code></td>"
        + "".join(f"<td>{html.escape(str(p.get(k, '—')))}</td>" for p in params) + "</tr>"
        for k in differing)
    return f"<table>{head}{rows}</table>"


def write_report(paths: Sequence[str | os.PathLike[str]], directory: str | os.PathLike[str],
                 title: str = "demat report") -> str:
    """Writes the PNG figures and index.html into ``directory``; returns the page's path."""
    sets = load_runs(paths)
    figures = draw_all(sets, directory)
    numbers = key_numbers(sets)
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
             f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"]
    files = ", ".join(f"<code>{html.escape(os.path.basename(os.fspath(p)))}</code>" for p in paths)
    first = sets[0].attrs
    size = lambda a: f"{int(a.get('population', 0)):,} citizens, {int(a.get('recorded_days', 0))} recorded days"
    sizes = {size(s.attrs) for s in sets}
    # Files of different sizes: say each one's, and that the figures mix size with scenario.
    what = (size(first) if len(sizes) == 1 else
            "of different sizes, so that differences mix the scenarios with the size ("
            + "; ".join(f"{html.escape(s.label)}: {size(s.attrs)}" for s in sets) + ")")
    parts.append(
        f"<p>{len(sets)} scenario(s) from {files}; {what}; "
        f"{', '.join(f'{html.escape(s.label)}: {s.runs} run(s)' for s in sets)}; "
        f"demat {html.escape(str(first.get('demat_version', '?')))}."
        f" Generated {datetime.date.today().isoformat()}. Intervals are 5-95% across replicates (runs with "
        f"different seeds); end-of-run figures average the last {END_WINDOW_DAYS} days.</p>")
    parts.append("<h2>Key numbers</h2>" + _numbers_table(numbers))
    parts.append("<h2>Figures</h2>")
    for name, caption in figures:
        parts.append(f"<figure><img src='{html.escape(name)}' alt='{html.escape(caption)}'>"
                     f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    parts.append("<h2>Parameters</h2><h3>What differs between the scenarios</h3>" + _parameter_differences(sets))
    for s in sets:
        changes = "".join(f"<li><code>{html.escape(k)} = {html.escape(str(v))}</code></li>" for k, v in s.changes.items())
        parts.append(f"<details><summary>{html.escape(s.label)}: every parameter (resolved TOML)</summary>"
                     + (f"<p>Swept values:</p><ul>{changes}</ul>" if changes else "")
                     + f"<pre>{html.escape(s.scenario_toml)}</pre></details>")
    parts.append("</body></html>")
    page = os.path.join(os.fspath(directory), "index.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write("\n".join(parts))
    return page
