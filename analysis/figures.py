"""The six standard figures, drawn with matplotlib (Agg: no display needed).

Each function takes RunSets (load.load_runs) and returns a Figure; lines are
means across replicates and shaded bands or error bars the 5-95% interval.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import matplotlib.transforms  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .load import (  # noqa: E402
    END_WINDOW_DAYS,
    RunSet,
    benefit_take_up_by_quintile,
    benefit_take_up_by_segment,
    end_window,
    unclaimed_per_year,
)

#: The wording of an obligation's states where it differs from a benefit's.
OBLIGATION_STATES = {"receiving": "fulfilled"}
STATE_COLOURS = {
    "receiving": "#2b8cbe",
    "in_progress": "#a6bddb",
    "non_knowledge": "#fdae6b",
    "non_demand": "#fd8d3c",
    "non_receipt": "#e6550d",
    "interrupted": "#a63603",
}
QUINTILE_COLOURS = ["#d7301f", "#fc8d59", "#fdcc8a", "#74a9cf", "#0570b0"]
# Quintile lines that coincide (Q1 and Q3 of hybrid) stay apart by their
# dash and marker, as on the classroom page (web/src/charts.js QUINTILE_DASHES),
# and for readers who do not tell the colours apart.
QUINTILE_STYLES = [("-", "o"), ((0, (7, 3)), "s"), ((0, (2, 2)), "^"), ((0, (7, 2, 1.5, 2)), "D"), ((0, (1, 1.5)), "v")]


def _band(ax: plt.Axes, x: np.ndarray, da: xr.DataArray, colour: str, label: str,
          style: tuple[object, str | None] = ("-", None)) -> None:
    mean = da.mean("run").values
    ax.plot(x, mean, color=colour, label=label, lw=1.6, linestyle=style[0], marker=style[1], ms=4,
            markevery=max(1, len(x) // 8))
    if da.sizes["run"] > 1:
        ax.fill_between(x, da.quantile(0.05, "run").values, da.quantile(0.95, "run").values,
                        color=colour, alpha=0.2, lw=0)


def _interval(da: xr.DataArray) -> tuple[float, float, float]:
    v = np.asarray(da.values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if not v.size:
        return np.nan, np.nan, np.nan
    return float(v.mean()), float(np.quantile(v, 0.05)), float(np.quantile(v, 0.95))


def take_up_by_quintile(sets: Sequence[RunSet]) -> Figure:
    """(a) Take-up of benefits by capital quintile over time, one panel per scenario."""
    fig, axes = plt.subplots(1, len(sets), figsize=(4.2 * len(sets) + 0.6, 3.8), sharey=True, squeeze=False)
    for ax, s in zip(axes[0], sets):
        tu = 100 * benefit_take_up_by_quintile(s)
        for q, (g, colour) in enumerate(zip(tu["group"].values, QUINTILE_COLOURS)):
            # Markers at staggered days, so that the markers of coinciding lines do not cover each other.
            style = QUINTILE_STYLES[q % len(QUINTILE_STYLES)]
            days = tu["day"].values
            every = max(1, len(days) // 8)
            _band(ax, days, tu.sel(group=g), colour, str(g), style)
            ax.lines[-1].set_markevery((q * every // len(QUINTILE_STYLES), every))
        ax.set_title(s.label, fontsize=10)
        ax.set_xlabel("day")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("take-up of benefits (%)")
    axes[0][-1].legend(title="capital quintile", fontsize=8, loc="best")
    fig.tight_layout()
    return fig


def non_take_up(s: RunSet) -> Figure:
    """(b) Where eligible citizens are, per service: stacked shares of the eligible over time."""
    services = [str(v) for v in s.root["service"].values]
    cols = min(3, len(services))
    rows = -(-len(services) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.0 * cols, 2.9 * rows + 0.6), sharex=True, sharey=True,
                             squeeze=False)
    counts = s.root["counts"].mean("run")
    benefits = set(s.benefits)
    obligations = [sv for sv in services if sv not in benefits]
    for ax, service in zip(axes.flat, services):
        c = counts.sel(service=service)
        eligible = c.sel(state="eligible").values
        share = {k: 100 * np.divide(c.sel(state=k).values, eligible, out=np.zeros_like(eligible, dtype=float),
                                    where=eligible > 0) for k in STATE_COLOURS}
        obligation = service not in benefits
        # An obligation (the tax return) is not taken up: its "receiving" state
        # means fulfilled, up to date (docs/model.md section 5). Hatched, so
        # that the legend tells the two apart.
        labels = [OBLIGATION_STATES.get(k, k) if obligation else k for k in share]
        layers = ax.stackplot(c["day"].values, *share.values(), labels=labels, colors=list(STATE_COLOURS.values()))
        if obligation:
            layers[0].set_hatch("///")
            layers[0].set_edgecolor("white")
        ax.set_title(service.replace("_", " ") + (" (obligation)" if obligation else ""), fontsize=9)
        ax.set_ylim(0, 100)
        ax.margins(x=0)
    for ax in axes.flat[len(services):]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("% of eligible")
    for ax in axes[-1, :]:
        ax.set_xlabel("day")
    first = next((ax for ax, sv in zip(axes.flat, services) if sv in benefits), axes.flat[0])
    handles, labels = first.get_legend_handles_labels()
    if obligations and benefits:
        handles[0:0] = [axes.flat[services.index(obligations[0])].get_legend_handles_labels()[0][0]]
        labels[0:0] = [OBLIGATION_STATES["receiving"] + " (obligation)"]
        labels[1] = "receiving (benefit)"
    fig.legend(handles, [lab.replace("_", " ") for lab in labels], loc="lower center", ncol=len(labels),
               fontsize=8)
    fig.suptitle(f"Non-take-up by type (obligations: fulfilled or not): {s.label}" if obligations else
                 f"Non-take-up by type: {s.label}", fontsize=11)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def divide(sets: Sequence[RunSet]) -> Figure:
    """(c) The administrative divide: take-up across the capital ranking, one line per scenario."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    highest = 0.0
    for i, s in enumerate(sets):
        tu = 100 * end_window(benefit_take_up_by_quintile(s))
        stats = np.array([_interval(tu.sel(group=g)) for g in tu["group"].values])
        if np.isfinite(stats[:, 2]).any():
            highest = max(highest, float(np.nanmax(stats[:, 2])))
        x = np.arange(len(stats)) + (i - (len(sets) - 1) / 2) * 0.06
        ax.errorbar(x, stats[:, 0], yerr=[stats[:, 0] - stats[:, 1], stats[:, 2] - stats[:, 0]],
                    marker="o", capsize=3, label=s.label)
        ax.set_xticks(np.arange(len(stats)), [f"{g}" for g in tu["group"].values])
    ax.set_xlabel("capital quintile (Q1: lowest social, cultural and digital capital)")
    ax.set_ylabel(f"take-up of the benefits pooled (%),\nlast {END_WINDOW_DAYS} recorded days")
    # From zero, so that the gap between quintiles reads at its true size;
    # room above the highest point for its marker and the legend.
    ax.set_ylim(0, min(highest + max(5.0, 0.12 * highest), max(100.0, highest + 2.0)) if highest > 0 else None)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def comparison(sets: Sequence[RunSet]) -> Figure:
    """(d) Divide index and unclaimed benefits per scenario, 5-95% interval across replicates."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 0.5 * len(sets) + 2.6))
    labels = [s.label for s in sets]
    y = np.arange(len(sets))
    for ax, values, title in (
        (left, [_interval(100 * (lambda q: q.isel(group=-1) - q.isel(group=0))(
            end_window(benefit_take_up_by_quintile(s)))) for s in sets],
         f"divide index: take-up of the benefits pooled,\ncapital Q5 - Q1 (points, last {END_WINDOW_DAYS} recorded days)"),
        (right, [_interval(unclaimed_per_year(s)) for s in sets],
         "unclaimed benefits (€ per year per 1,000 citizens,\nover the last 365 recorded days)"),
    ):
        v = np.array(values)
        ax.barh(y, v[:, 0], color="#9ecae1", xerr=[v[:, 0] - v[:, 1], v[:, 2] - v[:, 0]], capsize=4)
        ax.set_yticks(y, labels if ax is left else [""] * len(labels))
        ax.set_title(title, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        ax.invert_yaxis()
        # Euros run to hundreds of thousands: few ticks, with thousands
        # separators, so that the labels do not run together.
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=4))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x:,.0f}"))
    fig.tight_layout()
    return fig


def _closed(s: RunSet, channel: str) -> bool:
    """True when the scenario closes ``channel`` for every service from the start and no timeline event opens it."""
    params = s.parameters
    open_somewhere = any(bool(params.get(f"services.{sv}.channels.{channel}.enabled", False))
                         for sv in (str(v) for v in s.root["service"].values))
    return not open_somewhere and "[[timeline]]" not in s.scenario_toml


def queues(sets: Sequence[RunSet]) -> Figure:
    """(e) Queues, waits and helpers' burden."""
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(14, 4))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    channels = [str(ch) for ch in sets[0].metrics["channel"].values if str(ch) != "online"]
    width = 0.8 / len(sets)
    # Bars that are not there say why, at the foot of the panel (x in data, y in axes units).
    foot = matplotlib.transforms.blended_transform_factory(b.transData, b.transAxes)
    for i, s in enumerate(sets):
        colour = colours[i % len(colours)]
        length = s.metrics["queue_length"].sum(("service", "channel"))
        _band(a, length["day"].values, length, colour, s.label)
        served = s.metrics["queue_served"].sum(("day", "service")).sel(channel=channels)
        waited = s.metrics["queue_wait_days"].sum(("day", "service")).sel(channel=channels)
        wait = (waited / served.where(served > 0))
        stats = np.array([_interval(wait.sel(channel=ch)) for ch in channels])
        x = np.arange(len(channels)) + (i - (len(sets) - 1) / 2) * width
        # A channel that served no one has no mean wait: no bar of height 0
        # (it read as "no wait"), but "closed" (or "none served" when open).
        drawn = np.isfinite(stats[:, 0])
        b.bar(x[drawn], stats[drawn, 0], width, color=colour, label=s.label,
              yerr=[stats[drawn, 0] - stats[drawn, 1], stats[drawn, 2] - stats[drawn, 0]], capsize=3)
        for xi, ch, value, top, shown in zip(x, channels, stats[:, 0], stats[:, 2], drawn):
            if shown:
                # Same-day service (the phone) is a bar too thin to see: its value says it.
                b.annotate("<0.1" if value < 0.05 else f"{value:.1f}", (xi, max(value, top)), xytext=(0, 3),
                           textcoords="offset points", ha="center", va="bottom", fontsize=7)
            else:
                b.text(xi, 0.02, "closed" if _closed(s, ch) else "none served", transform=foot, rotation=90,
                       ha="center", va="bottom", fontsize=8, color=colour)
        if s.helpers is not None and "burden" in s.helpers:
            burden = s.helpers["burden"].mean("run")
            helpers = np.where(burden.values > 0, burden.values, np.nan)  # log scale: no zeros
            c.plot(burden[burden.dims[0]].values, helpers, marker="o", ms=3, color=colour, label=s.label)
    runs = max(s.runs for s in sets)  # with replicates, fractional helpers are means
    a.set(title="citizens waiting in queues (phone, counters, mediation)", xlabel="recorded day", ylabel="citizens")
    b.set(title="mean wait of those served, over the run", ylabel="days")
    b.set_xticks(np.arange(len(channels)), channels)
    b.set_ylim(bottom=0)
    b.set_xlim(-0.5, len(channels) - 0.5)  # the "closed" labels of the outer channels stay inside
    c.set(title="informal helpers' burden over the run", xlabel="procedures done for others",
          ylabel="helpers" + (" (mean over runs)" if runs > 1 else ""),
          yscale="log")
    for ax in (a, b, c):
        ax.grid(alpha=0.3)
        ax.title.set_fontsize(10)
    a.legend(fontsize=8)
    fig.tight_layout()
    return fig


def reasons(sets: Sequence[RunSet]) -> Figure:
    """(f) Why online attempts fail and why procedures are given up (docs/model.md 6.10)."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    with_reasons = [s for s in sets if s.reasons is not None and "failures" in s.reasons]
    labels: list[str] = []
    width = 0.8 / max(1, len(with_reasons))
    for ax, kind, title in ((axes[0], "failures", "failed online attempts by cause"),
                            (axes[1], "abandonments", "procedures given up, by the cause of the last failure")):
        for i, s in enumerate(with_reasons):
            da = s.reasons[kind]
            per_1000 = da.sum([d for d in da.dims if d not in ("run", "reason")]) / float(s.parameters.get(
                "population.size", 1)) * 1000.0
            labels = [str(r) for r in per_1000["reason"].values]
            stats = np.array([_interval(per_1000.isel(reason=j)) for j in range(len(labels))])
            x = np.arange(len(labels)) + (i - (len(with_reasons) - 1) / 2) * width
            ax.bar(x, stats[:, 0], width, color=colours[i % len(colours)], label=s.label,
                   yerr=[stats[:, 0] - stats[:, 1], stats[:, 2] - stats[:, 0]], capsize=3)
        ax.set_xticks(np.arange(len(labels)), labels, rotation=30)
        ax.set(title=title, ylabel="per 1,000 citizens over the recorded run")
        ax.title.set_fontsize(10)
        ax.grid(alpha=0.3, axis="y")
    if with_reasons:
        axes[0].legend(fontsize=8)
    else:
        axes[0].text(0.5, 0.5, "no /reasons in these files", ha="center", transform=axes[0].transAxes)
    fig.tight_layout()
    return fig


#: The panels of take_up_by_segment, one per segment dimension (docs/output.md,
#: /segments): a dimension is one more entry here and in load.SEGMENT_DIMENSIONS.
SEGMENT_PANELS = ("household_type",)


def take_up_by_segment(sets: Sequence[RunSet]) -> Figure:
    """Take-up of the benefits pooled by group of each SEGMENT_PANELS dimension, at the end of the run."""
    fig, axes = plt.subplots(1, len(SEGMENT_PANELS), figsize=(5.6 * len(SEGMENT_PANELS) + 0.6, 4.0), squeeze=False)
    width = 0.8 / max(1, len(sets))
    for ax, dimension in zip(axes[0], SEGMENT_PANELS):
        ax.set_title(f"by {dimension.replace('_', ' ')}", fontsize=10)
        drawn = False
        groups: list[str] = []
        for i, s in enumerate(sets):
            tu = benefit_take_up_by_segment(s, dimension)
            if tu is None:
                continue
            tu = 100 * end_window(tu)
            groups = [str(g) for g in tu["group"].values]
            stats = [_interval(tu.sel(group=g)) for g in tu["group"].values]
            x = np.arange(len(groups)) + (i - (len(sets) - 1) / 2) * width
            mean = np.array([m for m, _, _ in stats])
            low = np.array([m - lo for m, lo, _ in stats])
            high = np.array([hi - m for m, _, hi in stats])
            ax.bar(x, mean, width, label=s.label, yerr=np.vstack([low, high]) if s.runs > 1 else None, capsize=2)
            drawn = True
        if not drawn:
            ax.text(0.5, 0.5, f"no /segments/{dimension} in these files", ha="center", va="center",
                    transform=ax.transAxes)
            ax.set_xticks([])
            continue
        ax.set_xticks(np.arange(len(groups)), groups, rotation=20)
        ax.set_ylabel("take-up of benefits (%)")
        ax.grid(alpha=0.3, axis="y")
        ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig


#: file name -> (function, caption). (b) is drawn once per scenario.
FIGURES: dict[str, tuple[Callable[..., Figure], str]] = {
    "take_up_by_quintile.png": (take_up_by_quintile,
        "Take-up of the benefits (pooled) by capital quintile over time, one panel per scenario (each quintile has "
        "its own dash and marker, so that lines that coincide stay apart). "
        "Q1 is the fifth of the population with the least social, cultural and digital capital."),
    "non_take_up_{index}.png": (non_take_up,
        "Where the eligible are, per service, for {label}: receiving, in progress, or not receiving "
        "by type of non-take-up (non-knowledge, non-demand, non-receipt, interrupted rights). For an obligation "
        "(the income tax return) the first state is fulfilled (up to date), hatched."),
    "divide.png": (divide,
        f"The administrative divide: take-up of the benefits pooled by capital quintile, averaged over the last "
        f"{END_WINDOW_DAYS} recorded days, one line per scenario."),
    "comparison.png": (comparison,
        f"Scenario comparison: the divide index (take-up of the benefits pooled, capital Q5 minus Q1, over the last "
        f"{END_WINDOW_DAYS} recorded days) and benefits left unclaimed over the last 365 recorded days, per 1,000 "
        "citizens."),
    "queues.png": (queues,
        "Queues and waits at the staffed channels (a channel no one could use reads \"closed\", not a wait of "
        "0), and how many procedures informal helpers did for others over the run."),
    "take_up_by_segment.png": (take_up_by_segment,
        f"Take-up of the benefits (pooled) by household type, averaged over the last {END_WINDOW_DAYS} recorded "
        "days, one bar per scenario (error bars: 5-95% across replicates). A group nobody of the run belongs to "
        "(the model folds \"other\" households into the couple types) has no bar; a file without the dimension "
        "says so."),
    "reasons.png": (reasons,
        "Why online attempts fail and procedures are given up: connection, equipment, skill, complexity, "
        "identity, wait, distance (docs/model.md 6.10), per 1,000 citizens over the recorded run."),
}


def draw_all(sets: Sequence[RunSet], directory: str | os.PathLike[str], dpi: int = 110) -> list[tuple[str, str]]:
    """Writes every figure as PNG into ``directory``; returns (file name, caption) pairs."""
    os.makedirs(directory, exist_ok=True)
    written = []
    for name, (draw, caption) in FIGURES.items():
        jobs = ([(name.format(index=i + 1), (s,), caption.format(label=s.label)) for i, s in enumerate(sets)]
                if "{index}" in name else [(name, (sets,), caption)])
        for file_name, args, text in jobs:
            fig = draw(*args)
            fig.savefig(os.path.join(directory, file_name), dpi=dpi)
            plt.close(fig)
            written.append((file_name, text))
    return written
