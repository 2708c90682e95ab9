"""Results of a run or of a sweep: numpy views, tidy tables, HDF5."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from . import _core

#: Column order of Results.to_dataframe().
TIDY_COLUMNS = ["day", "service", "dimension", "group", "measure", "value"]


class Results:
    """What a run produced: named arrays over named coordinates.

    ``results["counts"]`` is a read-only numpy view of ``/counts`` (int64
    ``[day, service, state]``), without a copy; every path of the HDF5 layout
    (docs/output.md) works the same way. A sweep's results carry a leading
    ``run`` axis on every array.
    """

    __slots__ = ("_core",)

    def __init__(self, core: _core.Results) -> None:
        self._core = core

    # ---- arrays and coordinates ------------------------------------------------

    def __getitem__(self, path: str) -> np.ndarray:
        try:
            return self._core.array(path)
        except IndexError:
            raise KeyError(f"no array {path!r}; arrays: {', '.join(self.array_paths)}") from None

    def __contains__(self, path: str) -> bool:
        return path in self._core.array_paths

    def coordinate(self, path: str) -> np.ndarray | list[str]:
        """A coordinate: string labels as a list, integers as a read-only int64 view."""
        try:
            return self._core.coordinate(path)
        except IndexError:
            raise KeyError(f"no coordinate {path!r}; coordinates: {', '.join(self.coordinate_paths)}") from None

    def dims(self, path: str) -> list[str]:
        """The coordinate paths of an array's axes, slowest first."""
        return list(self._core.dims(path))

    def unit(self, path: str) -> str:
        return self._core.unit(path)

    def description(self, path: str) -> str:
        return self._core.description(path)

    array_paths = property(lambda self: list(self._core.array_paths))
    coordinate_paths = property(lambda self: list(self._core.coordinate_paths))
    attrs = property(lambda self: dict(self._core.attributes), doc="Root attributes (provenance)")

    @property
    def is_sweep(self) -> bool:
        return self._core.attributes.get("layout") == "sweep"

    days = property(lambda self: self._core.coordinate("day"))
    services = property(lambda self: list(self._core.coordinate("service")))
    states = property(lambda self: list(self._core.coordinate("state")))
    counts = property(lambda self: self._core.array("counts"), doc="int64 [(run,) day, service, state]")
    seed = property(lambda self: int(self._core.attributes["seed"]))

    @property
    def segment_dimensions(self) -> list[str]:
        return [p.split("/")[1] for p in self.coordinate_paths if p.startswith("segments/") and p.endswith("/group")]

    def segments(self, dimension: str) -> np.ndarray:
        """int64 [(run,) day, service, group, state] for one segment dimension."""
        return self[f"segments/{dimension}/counts"]

    # ---- tables -------------------------------------------------------------------

    def runs(self) -> Any:
        """For a sweep: one row per run (point, replicate, seed and swept values)."""
        import pandas as pd

        if not self.is_sweep:
            raise ValueError("runs() is for sweep and ensemble results; this is a single run")
        table = {"run": np.asarray(self.coordinate("run"))}
        for name in ("run_point", "run_replicate", "run_seed"):
            table[name.removeprefix("run_")] = np.asarray(self[name])
        for key in self.swept_keys:
            table[key] = np.asarray(self[key])
        return pd.DataFrame(table)

    @property
    def swept_keys(self) -> list[str]:
        text = self._core.attributes.get("swept_keys", "")
        return [k for k in str(text).split("\n") if k]

    def to_dataframe(self, segments: bool = True, metrics: bool = True) -> Any:
        """A tidy pandas table: day, service, dimension, group, measure, value.

        ``measure`` is a state (from ``counts``) or a metric name. The whole
        population has dimension and group ``"all"``; segment tables give
        their dimension and group; per-channel metrics have dimension
        ``"channel"``. Sweeps add ``run`` (and their runs() columns) first.
        """
        import pandas as pd

        frames = []
        frames.append(self._tidy("counts", "all"))
        if segments:
            for dimension in self.segment_dimensions:
                frames.append(self._tidy(f"segments/{dimension}/counts", dimension))
        if metrics:
            for path in self.array_paths:
                if path.startswith("metrics/"):
                    frame = self._tidy(path, "all", measure=path.removeprefix("metrics/"))
                    if frame is not None:
                        frames.append(frame)
        table = pd.concat([f for f in frames if f is not None], ignore_index=True)
        for column in ("service", "dimension", "group", "measure"):
            table[column] = table[column].astype("category")
        if self.is_sweep:
            table = table.merge(self.runs(), on="run", how="left")
        return table

    def _tidy(self, path: str, dimension: str, measure: str | None = None) -> Any:
        import pandas as pd

        dims = [d.rsplit("/", 1)[-1] for d in self.dims(path)]
        lead = ["run"] if self.is_sweep else []
        # Known shapes only: [day, service] (+ group or channel) (+ state).
        body = dims[len(lead):]
        if body[:1] != ["day"]:
            return None
        names = list(dims)
        coords = [np.asarray(self.coordinate(p)) if not isinstance(self.coordinate(p), list) else self.coordinate(p)
                  for p in self.dims(path)]
        index = pd.MultiIndex.from_product(coords, names=names)
        frame = pd.DataFrame({"value": np.asarray(self[path]).ravel()}, index=index).reset_index()
        if "service" not in frame:
            frame["service"] = "all"
        if "state" in frame:
            frame = frame.rename(columns={"state": "measure"})
        else:
            frame["measure"] = measure
        if "group" in frame:
            frame["dimension"] = dimension
        elif "channel" in frame:
            frame = frame.rename(columns={"channel": "group"})
            frame["dimension"] = "channel"
        else:
            frame["dimension"] = dimension
            frame["group"] = "all"
        return frame[lead + TIDY_COLUMNS]

    def summary(self) -> Any:
        """Headline figures per service at the end of the run (the CLI's summary)."""
        import pandas as pd

        if self.is_sweep:
            raise ValueError("summary() is per run; for a sweep use demat.Runs.summary() or demat.analysis")
        rows = []
        for s in self._core.summary()["services"]:
            row = {k: v for k, v in s.items() if k not in ("counts", "take_up_by_capital")}
            for q, value in enumerate(s["take_up_by_capital"], start=1):
                row[f"take_up_Q{q}"] = value
            rows.append(row)
        return pd.DataFrame(rows).set_index("service")

    def non_take_up(self) -> Any:
        """Per service: quarterly and persistent non-take-up, and the day-0 cohort's enrolment.

        Columns ``quarter``, ``persistent``, ``persistent_eligible``,
        ``cohort_members``, ``cohort_enrolment`` and their ``_unaware`` variants
        (definitions: docs/output.md, "Indicators over citizens"). For a sweep,
        one row per (run, service).
        """
        import pandas as pd

        arrays = {
            "quarter": self["non_take_up/quarter"],
            "persistent": self["non_take_up/persistent"],
            "persistent_eligible": self["non_take_up/persistent_eligible"],
            "cohort_members": self["cohort/members"][..., 0],
            "cohort_enrolment": self["cohort/enrolment"][..., 0],
            "cohort_members_unaware": self["cohort/members"][..., 1],
            "cohort_enrolment_unaware": self["cohort/enrolment"][..., 1],
        }
        if self.is_sweep:
            runs = np.asarray(self.coordinate("run"))
            index = pd.MultiIndex.from_product([runs, self.services], names=["run", "service"])
            return pd.DataFrame({k: np.asarray(v).reshape(-1) for k, v in arrays.items()}, index=index)
        return pd.DataFrame({k: np.asarray(v) for k, v in arrays.items()},
                            index=pd.Index(self.services, name="service"))

    def procedures(self) -> Any:
        """Shares of adults who did, gave up, and gave up for good an online procedure in the last recorded year."""
        import pandas as pd

        labels = list(self.coordinate("procedures/indicator"))
        share = np.asarray(self["procedures/share"])
        if self.is_sweep:
            return pd.DataFrame(share, columns=labels, index=pd.Index(np.asarray(self.coordinate("run")), name="run"))
        return pd.Series(share, index=labels, name="share of adults")

    def reasons(self) -> Any:
        """Causes of failed online attempts and of abandonments as a tidy table.

        Columns: day, service, dimension, group, kind (``failures`` or
        ``abandonments``), reason, value. From ``/reasons/failures`` and
        ``/reasons/abandonments`` (dimension and group ``"all"``) and every
        ``/reasons/segments/<dimension>/...``. Reasons in the order of the
        ``reason`` coordinate (docs/output.md, "Reasons"). Summed over
        reasons, failures equal online attempts minus online successes plus
        ``metrics/online_unequipped``, and abandonments ``metrics/abandonments``.
        """
        import pandas as pd

        if "reasons/failures" not in self:
            raise ValueError("this file has no /reasons (written by a demat before failure reasons were recorded)")
        if self.is_sweep:
            raise ValueError("reasons() is per run; select a run's file for a sweep")
        reasons = list(self.coordinate("reason"))
        days = np.asarray(self.coordinate("day"))
        frames = []

        def tidy(array: np.ndarray, dimension: str, groups: list[str], kind: str) -> Any:
            index = pd.MultiIndex.from_product([days, self.services, groups, reasons],
                                               names=["day", "service", "group", "reason"])
            frame = pd.DataFrame({"value": np.asarray(array).reshape(-1)}, index=index).reset_index()
            frame["dimension"], frame["kind"] = dimension, kind
            return frame[["day", "service", "dimension", "group", "kind", "reason", "value"]]

        for kind in ("failures", "abandonments"):
            frames.append(tidy(np.asarray(self[f"reasons/{kind}"])[:, :, None, :], "all", ["all"], kind))
            for dimension in self.segment_dimensions:
                groups = list(self.coordinate(f"reasons/segments/{dimension}/group"))
                frames.append(tidy(self[f"reasons/segments/{dimension}/{kind}"], dimension, groups, kind))
        table = pd.concat(frames, ignore_index=True)
        for column in ("service", "dimension", "group", "kind", "reason"):
            table[column] = table[column].astype("category")
        return table

    def discouraged(self) -> Any:
        """Decisions not to claim and those discouraged by self-efficacy, as a tidy table.

        Columns: day, service, dimension, group, declined, discouraged,
        discouraged_share (discouraged / declined, NaN without a decision).
        From ``/self_efficacy/declines`` (dimension and group ``"all"``) and
        every ``/self_efficacy/segments/<dimension>/declines``. A decision is
        discouraged when the same draw would have been a claim at a neutral
        self-efficacy of 0.5 (docs/model.md 6.14); with
        ``behaviour.self_efficacy_claim = 0`` none is.
        """
        import pandas as pd

        if "self_efficacy/declines" not in self:
            raise ValueError("this file has no /self_efficacy (written by a demat before self-efficacy was recorded)")
        if self.is_sweep:
            raise ValueError("discouraged() is per run; select a run's file for a sweep")
        days = np.asarray(self.coordinate("day"))
        frames = []

        def tidy(array: np.ndarray, dimension: str, groups: list[str]) -> Any:
            values = np.asarray(array)
            index = pd.MultiIndex.from_product([days, self.services, groups], names=["day", "service", "group"])
            frame = pd.DataFrame({"declined": values[..., 0].reshape(-1), "discouraged": values[..., 1].reshape(-1)},
                                 index=index).reset_index()
            frame["dimension"] = dimension
            return frame[["day", "service", "dimension", "group", "declined", "discouraged"]]

        frames.append(tidy(np.asarray(self["self_efficacy/declines"])[:, :, None, :], "all", ["all"]))
        for dimension in self.segment_dimensions:
            groups = list(self.coordinate(f"self_efficacy/segments/{dimension}/group"))
            frames.append(tidy(self[f"self_efficacy/segments/{dimension}/declines"], dimension, groups))
        table = pd.concat(frames, ignore_index=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            table["discouraged_share"] = np.where(table["declined"] > 0,
                                                  table["discouraged"] / table["declined"].where(table["declined"] > 0),
                                                  np.nan)
        for column in ("service", "dimension", "group"):
            table[column] = table[column].astype("category")
        return table

    def control(self) -> Any:
        """Digital control events as a tidy table: day, service, dimension, group, event, value.

        From ``/control/events`` (dimension and group ``"all"``) and every
        ``/control/segments/<dimension>/events``; events in the order of the
        ``control/event`` coordinate (docs/output.md, "Control"). Raises
        ValueError for a run without control (``[control] enabled = false``).
        """
        import pandas as pd

        if "control/events" not in self:
            raise ValueError("this run has no control outputs: its scenario has [control] enabled = false")
        if self.is_sweep:
            raise ValueError("control() is per run; select a run's file for a sweep")
        events = list(self.coordinate("control/event"))
        days = np.asarray(self.coordinate("control/day"))
        frames = []

        def tidy(array: np.ndarray, dimension: str, groups: list[str]) -> Any:
            index = pd.MultiIndex.from_product([days, self.services, groups, events],
                                               names=["day", "service", "group", "event"])
            frame = pd.DataFrame({"value": np.asarray(array).reshape(-1)}, index=index).reset_index()
            frame["dimension"] = dimension
            return frame[["day", "service", "dimension", "group", "event", "value"]]

        frames.append(tidy(np.asarray(self["control/events"])[:, :, None, :], "all", ["all"]))
        for dimension in self.segment_dimensions:
            path = f"control/segments/{dimension}/events"
            frames.append(tidy(self[path], dimension, list(self.coordinate(f"control/segments/{dimension}/group"))))
        table = pd.concat(frames, ignore_index=True)
        for column in ("service", "dimension", "group", "event"):
            table[column] = table[column].astype("category")
        return table

    def control_summary(self) -> dict:
        """The control lines of ``demat run``'s summary, as a dict.

        ``controls``, ``errors_found``, ``suspensions``,
        ``wrongful_suspensions`` (totals over the recorded run and the
        services), ``control_rate_per_1000``, ``over_control_index`` and
        ``wrongful_suspension_per_1000`` (lists for capital Q1..Q5, from
        ``/control/segments/capital_quintile/fairness``), ``precision`` and
        ``random_precision`` (``/control/precision_recall``). Raises
        ValueError for a run without control.
        """
        if "control/events" not in self:
            raise ValueError("this run has no control outputs: its scenario has [control] enabled = false")
        if self.is_sweep:
            raise ValueError("control_summary() is per run; select a run's file for a sweep")
        return dict(self._core.summary()["control"])

    def control_fairness(self) -> Any:
        """The fairness indicators of docs/model.md section 11.6, one row per (dimension, group).

        Columns: the ``control/indicator`` coordinate (recipient_months,
        controls, control_rate_per_1000, over_control_index,
        false_positive_rate, wrongful_suspension_per_1000,
        wrongful_suspension_rate, true_positive_rate,
        equal_opportunity_difference), then the run's precision and recall
        and those of random selection at the same budget (the same on every
        row, for comparison).
        """
        import pandas as pd

        if "control/events" not in self:
            raise ValueError("this run has no control outputs: its scenario has [control] enabled = false")
        indicators = list(self.coordinate("control/indicator"))
        rows = []
        for dimension in self.segment_dimensions:
            table = np.asarray(self[f"control/segments/{dimension}/fairness"])
            for group, values in zip(self.coordinate(f"control/segments/{dimension}/group"), table):
                rows.append({"dimension": dimension, "group": group, **dict(zip(indicators, values))})
        frame = pd.DataFrame(rows).set_index(["dimension", "group"])
        pr = np.asarray(self["control/precision_recall"])
        frame["precision"], frame["recall"] = pr[0, 0], pr[0, 1]
        frame["random_precision"], frame["random_recall"] = pr[1, 0], pr[1, 1]
        return frame

    def trace(self) -> Any:
        """The events of the traced citizens (``demat run --trace ID,...``), one row each.

        Columns ``day`` (recorded day; negative during the warm-up),
        ``citizen``, ``service`` (name), ``event`` (docs/output.md, /trace) and
        ``channel`` (name, or None for an event without one), in the order of
        /trace: by day, then citizen, then as they happened. Raises KeyError
        when the run traced nobody.
        """
        import pandas as pd

        if "trace/day" not in self:
            raise KeyError("no /trace in these results: run with --trace ID,... "
                           "(demat run --trace ID,...)")
        services = list(self.coordinate("service"))
        kinds = list(self.coordinate("trace/kind"))
        channels = list(self.coordinate("channel"))
        channel = np.asarray(self["trace/channel"])
        return pd.DataFrame({
            "day": np.asarray(self["trace/day"]),
            "citizen": np.asarray(self["trace/citizen"]),
            "service": pd.Categorical.from_codes(np.asarray(self["trace/service"]), categories=services),
            "event": pd.Categorical.from_codes(np.asarray(self["trace/event_kind"]), categories=kinds),
            "channel": [channels[c] if c >= 0 else None for c in channel],
        })

    # ---- files ------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> Results:
        """Write the HDF5 layout of docs/output.md (the same as ``demat run``)."""
        self._core.save(os.fspath(path))
        return self

    def to_xarray(self, group: str | None = None) -> Any:
        """An xarray Dataset of the arrays in ``group`` (None: the root), with named dims."""
        import xarray as xr

        prefix = "" if group is None else group.strip("/") + "/"
        data_vars = {}
        coords: dict[str, Any] = {}
        for path in self.array_paths:
            rest = path[len(prefix):] if path.startswith(prefix) else None
            if rest is None or "/" in rest:
                continue
            names = []
            for dim in self.dims(path):
                name = dim.rsplit("/", 1)[-1]
                names.append(name)
                coords.setdefault(name, np.asarray(self.coordinate(dim)))
            data_vars[rest] = (names, np.asarray(self[path]), {"units": self.unit(path),
                                                                "description": self.description(path)})
        return xr.Dataset(data_vars, coords=coords, attrs=self.attrs)

    def __repr__(self) -> str:
        a = self._core.attributes
        kind = f"sweep of {a.get('runs')} runs" if self.is_sweep else f"seed {a.get('seed')}"
        return f"<demat.Results {a.get('scenario_name', '?')!r}: {a.get('recorded_days', '?')} days, {kind}>"


def load(path: str | os.PathLike[str]) -> Results:
    """Read a run or sweep file written by ``demat run``, ``demat sweep`` or ``Results.save``.

    The file is read in a child process with a time limit (a damaged file can
    crash or hang libhdf5) and its layout is checked: anything else than a
    readable demat results file raises :class:`demat.ResultsError` (a
    ``ValueError``) "FILE is not a readable demat results file: ...".
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(path)
    return Results(_core.Results.load(path))
