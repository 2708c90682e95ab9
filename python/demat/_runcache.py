"""What long analyses keep of their runs, on disk as each run ends.

The calibration, the validation, the sensitivity analysis and the drift
table of docs/model.md run hundreds of simulations for a few numbers each. A
``RunCache`` appends those numbers to a JSON-lines file as every run
finishes (flushed and synced), keyed by what determines them: the resolved
scenario, the seed, demat's version and the name of the measure. An
interruption (Ctrl-C, a crash, a lost cluster) thus loses at most the runs in
progress, and the same command run again reads the finished runs back and
computes only the others (issue 12, item 9). A line cut by the interruption
is ignored, and its run is computed again. The key also holds a fingerprint
of the compiled engine, so that a rebuilt engine never reads numbers of the
previous one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ._core import __version__
from ._distributed import map_runs


@functools.lru_cache(maxsize=1)
def _engine() -> str:
    """A fingerprint of the compiled engine: a rebuilt engine that draws or counts differently must not read the
    numbers of the previous one (the version string does not change with every commit)."""
    from . import _core

    with open(_core.__file__, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


class RunCache:
    """Measures of finished runs, in memory and, with ``path``, in a JSON-lines file.

    ``what`` names the measure (and its version): two analyses sharing a file,
    or a measure whose definition changed, never read each other's numbers.
    """

    def __init__(self, path: Path | str | None, what: str, log: Callable[[str], None] | None = None):
        self.path = None if path is None else Path(path)
        self.what = what
        self.log = log or (lambda _s: None)
        self.known: dict[str, Any] = {}
        if self.path is not None and self.path.exists():
            data = self.path.read_bytes()
            for line in data.decode("utf-8", errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                    self.known[entry["key"]] = entry["values"]
                except (ValueError, KeyError, TypeError):
                    continue  # cut by an interruption: that run is computed again
            if data and not data.endswith(b"\n"):
                with open(self.path, "a", encoding="utf-8") as out:  # end the cut line before adding to it
                    out.write("\n")

    def key(self, scenario: Any, seed: int) -> str:
        text = getattr(scenario, "to_toml")()
        return hashlib.sha256(f"{self.what}\ndemat {__version__} {_engine()}\nseed {int(seed)}\n{text}"
                              .encode()).hexdigest()

    def _keep(self, key: str, values: Any) -> None:
        self.known[key] = values
        if self.path is None:
            return
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"key": key, "values": values}) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def map(self, scenarios: Sequence[Any], seeds: Sequence[int], measure: Callable[[Any], Any], executor: Any = None,
            workers: int | None = None, label: str = "runs", progress: bool = False) -> list[Any]:
        """``measure(results)`` of every (scenario, seed), in order: from the file when it holds the run, else
        computed (on ``executor``, as demat.map_runs) and written as each run ends. ``measure`` must return
        JSON data (lists of floats, dicts...). A run's results are dropped once measured, so that memory does
        not grow with the number of runs."""
        keys = [self.key(sc, s) for sc, s in zip(scenarios, seeds)]
        missing = list(dict.fromkeys(i for i, k in enumerate(keys) if k not in self.known))
        first = {}
        for i in missing:
            first.setdefault(keys[i], i)
        todo = list(first.values())
        if self.path is not None:
            self.log(f"  {label}: {len(keys) - len([i for i in missing])} of {len(keys)} runs read from {self.path}, "
                     f"{len(todo)} to compute")
        if todo:
            map_runs([scenarios[i] for i in todo], [seeds[i] for i in todo], executor, workers=workers,
                     progress=progress, label=label, keep=False,
                     on_done=lambda j, r: self._keep(keys[todo[j]], measure(r)))
        return [self.known[k] for k in keys]
