"""Checks that long-running tools make before computing: an output location
that cannot be written must fail in the first second, not after hours."""

from __future__ import annotations

import os
from pathlib import Path


def check_writable_folder(folder: str | os.PathLike[str], what: str) -> None:
    """Raise SystemExit (exit 2, as argparse does) unless ``folder`` is an existing, writable folder."""
    path = Path(folder)
    if not path.exists():
        raise SystemExit(f"error: {what} {path}: no such folder (create it first)")
    if not path.is_dir():
        raise SystemExit(f"error: {what} {path}: not a folder")
    probe = path / f".demat-probe-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise SystemExit(f"error: {what} {path}: cannot write in it ({e.strerror})") from None


def check_writable_file(file: str | os.PathLike[str], what: str, must_exist: bool = False) -> None:
    """Raise SystemExit unless ``file`` can be written (its folder too, for the temporary copy)."""
    path = Path(file)
    if must_exist and not path.is_file():
        raise SystemExit(f"error: {what} {path}: no such file")
    if path.exists() and not path.is_file():
        raise SystemExit(f"error: {what} {path}: not a regular file")
    if path.exists() and not os.access(path, os.W_OK):
        raise SystemExit(f"error: {what} {path}: not writable")
    check_writable_folder(path.parent if str(path.parent) else ".", f"the folder of {what}")
