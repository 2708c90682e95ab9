"""Scenarios: load a file, build one from a dict, change parameters by dotted key."""

from __future__ import annotations

import numbers
import os
import tomllib
from collections.abc import Mapping
from typing import Any

from . import _core


def _plain(value: Any) -> Any:
    # numpy scalars arrive from sweeps over np.linspace and the like.
    if hasattr(value, "item") and not isinstance(value, (str, bytes, list, dict)):
        return value.item()
    return value


def _scenario_error(key: str, message: str) -> _core.ScenarioError:
    error = _core.ScenarioError(message)
    error.file, error.line, error.key = "", 0, key
    return error


def _checked_value(key: str, value: Any) -> Any:
    # pybind11 would turn None into False and fail on a big int with "Unable
    # to cast": say what was given, and what the key takes.
    if isinstance(value, bool) or isinstance(value, (float, str)):
        return value
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise _scenario_error(key, f"key '{key}': expected an integer within 64 bits, got {value}")
        return value
    shown = "None" if value is None else type(value).__name__
    raise _scenario_error(key, f"key '{key}': expected a bool, an integer, a number or a string, got {shown}")


class Scenario:
    """A validated scenario: every parameter checked against the schema.

    Scenarios are immutable; ``with_changes`` returns a modified copy. A bad
    file, key or value raises :class:`demat.ScenarioError` (a ``ValueError``)
    whose message names the key and what it accepts.
    """

    __slots__ = ("_core",)

    def __init__(self, core: _core.Scenario) -> None:
        if not isinstance(core, _core.Scenario):
            raise TypeError("use Scenario.load(path), Scenario.from_dict(d) or Scenario.from_toml(text)")
        self._core = core

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Scenario:
        """Read a scenario file (TOML); ``base = ...`` is resolved relative to it."""
        return cls(_core.Scenario.load(os.fspath(path)))

    @classmethod
    def from_toml(cls, text: str) -> Scenario:
        """Parse scenario text; a ``base`` path is taken relative to the working directory."""
        return cls(_core.Scenario.parse(text, ""))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Scenario:
        """Build a scenario from nested dicts shaped like a scenario file.

        ``{"name": "x", "days": 365, "services": {"minimum_income": {...}}}``;
        omitted keys take their defaults (``demat.parameter_schema()``).
        """
        if not isinstance(d, Mapping):
            raise TypeError(f"from_dict expects a mapping, got {type(d).__name__}")
        return cls(_core.Scenario.from_dict(dict(d)))

    def to_toml(self) -> str:
        """The fully resolved scenario (every parameter, defaults included) as TOML."""
        return self._core.to_toml()

    def to_dict(self) -> dict[str, Any]:
        """The fully resolved scenario as nested dicts (``from_dict`` reads it back)."""
        return tomllib.loads(self.to_toml())

    def with_changes(self, changes: Mapping[str, Any]) -> Scenario:
        """A validated copy with parameters changed by dotted key.

        ``scenario.with_changes({"services.minimum_income.channels.counter.enabled": False})``.
        ``channels.<channel>.<key>`` changes that channel in every service.
        """
        if not isinstance(changes, Mapping):
            raise TypeError(f"with_changes expects a mapping of dotted keys to values, got {type(changes).__name__}")
        return Scenario(self._core.with_changes([(str(k), _checked_value(str(k), _plain(v))) for k, v in changes.items()]))

    def with_seed(self, seed: int) -> Scenario:
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**63:
            raise ValueError(f"seed must be an integer in [0, 2**63 - 1], got {seed!r}")
        return Scenario(self._core.with_seed(int(seed)))

    name = property(lambda self: self._core.name, doc="Scenario name")
    description = property(lambda self: self._core.description)
    days = property(lambda self: self._core.days, doc="Recorded days")
    warmup_days = property(lambda self: self._core.warmup_days)
    seed = property(lambda self: self._core.seed)
    population_size = property(lambda self: self._core.population_size)
    services = property(lambda self: list(self._core.services), doc="Service names, in order")
    source_path = property(lambda self: self._core.source_path, doc="The file it was read from ('' if none)")
    source_text = property(lambda self: self._core.source_text, doc="The text it was read from")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self.to_toml() == other.to_toml()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"<demat.Scenario {self.name!r}: {self.population_size} citizens, {self.days} days "
            f"(+{self.warmup_days} warm-up), {len(self.services)} services, seed {self.seed}>"
        )


def parameter_schema() -> list[dict[str, str]]:
    """Every scenario key with its type, default, range, unit, description and source."""
    return list(_core.parameter_schema())
