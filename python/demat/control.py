"""Digital control of recipients: the chilling effect and the report figure.

The engine computes the fairness indicators of one run
(``Results.control_fairness()``); what needs two runs lives here:

* ``chilling(on, off)``: take-up and claims with control on minus the same
  seed with control off, by segment (docs/model.md section 11.6);
* ``figure(scorer, random)``: "who gets controlled, who loses their right",
  control and wrongful suspension rates by capital quintile and territory,
  scorer against random selection at the same budget.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._results import Results

__all__ = ["chilling", "figure"]


def _take_up(results: Results, path: str) -> np.ndarray:
    """Receiving / eligible over the recorded days, [service, group] (or [service])."""
    counts = np.asarray(results[path], dtype=float)
    eligible, receiving = counts[..., 0].sum(axis=0), counts[..., 1].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return receiving / eligible


def chilling(on: Results, off: Results) -> Any:
    """Take-up (receiving-days / eligible-days) and claims started, control on minus off.

    ``on`` and ``off`` must be the same scenario and seed, the first with
    ``[control] enabled = true``. One row per (service, dimension, group):
    ``take_up_on``, ``take_up_off``, ``take_up_difference``; the whole
    population (dimension ``"all"``) also has ``claims_on``, ``claims_off``
    and ``claims_difference`` (claims are not broken down by segment).
    """
    import pandas as pd

    if "control/events" not in on:
        raise ValueError("the first run must have control on")
    if "control/events" in off:
        raise ValueError("the second run must have control off")
    if on.services != off.services or on["counts"].shape != off["counts"].shape:
        raise ValueError("the two runs must be the same scenario (services and days)")
    rows = []
    a, b = _take_up(on, "counts"), _take_up(off, "counts")
    claims_on = np.asarray(on["metrics/claims_started"]).sum(axis=0)
    claims_off = np.asarray(off["metrics/claims_started"]).sum(axis=0)
    for s, service in enumerate(on.services):
        rows.append({"service": service, "dimension": "all", "group": "all", "take_up_on": a[s], "take_up_off": b[s],
                     "claims_on": int(claims_on[s]), "claims_off": int(claims_off[s])})
    for dimension in on.segment_dimensions:
        path = f"segments/{dimension}/counts"
        a, b = _take_up(on, path), _take_up(off, path)
        for s, service in enumerate(on.services):
            for g, group in enumerate(on.coordinate(f"segments/{dimension}/group")):
                rows.append({"service": service, "dimension": dimension, "group": group,
                             "take_up_on": a[s, g], "take_up_off": b[s, g]})
    table = pd.DataFrame(rows).set_index(["service", "dimension", "group"])
    table["take_up_difference"] = table["take_up_on"] - table["take_up_off"]
    table["claims_difference"] = table["claims_on"] - table["claims_off"]
    return table


def figure(scorer: Results, random: Results | None = None) -> Any:
    """Control rate and wrongful suspensions per 1,000 recipient-months, by capital quintile and territory.

    ``scorer`` is a run with ``selection = "score"``; ``random``, if given,
    the same scenario with ``selection = "random"`` (bars side by side).
    Returns a matplotlib Figure.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [("scorer", scorer)] + ([("random", random)] if random is not None else [])
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), sharey="row")
    for col, dimension in enumerate(["capital_quintile", "territory"]):
        for row, (indicator, label) in enumerate([("control_rate_per_1000", "controls per 1,000 recipient-months"),
                                                  ("wrongful_suspension_per_1000",
                                                   "wrongful suspensions per 1,000 recipient-months")]):
            ax = axes[row, col]
            width = 0.8 / len(runs)
            for k, (name, results) in enumerate(runs):
                table = results.control_fairness().loc[dimension]
                x = np.arange(len(table))
                ax.bar(x + (k - (len(runs) - 1) / 2) * width, table[indicator], width, label=name)
                ax.set_xticks(x, list(table.index), rotation=0, fontsize=8)
            ax.set_title(f"{label}\nby {dimension.replace('_', ' ')}", fontsize=9)
            if col == 0 and row == 0:
                ax.legend(fontsize=8)
    fig.suptitle("Who gets controlled, who loses their right", fontsize=11)
    fig.tight_layout()
    return fig
