"""The README's commands, as written, in a fresh clone (issue 12, item 10).

    check_readme.py SOURCE_DIR WORK_FOLDER

Copies the files git tracks (and new files not ignored) of SOURCE_DIR into
WORK_FOLDER/clone: no build/, no results/, nothing a previous build left.
Then runs, in that clone, every ```sh and ```python block of README.md in
order, each in its own `bash -euo pipefail` (the shell blocks) or
`/usr/bin/python3` (the Python ones, with PYTHONPATH=build/python as the
snippet's first line says), with HOME in WORK_FOLDER so that
`cmake --install build --prefix "$HOME/.local"` writes nowhere else. After
the blocks it checks that `pip install .` left no setuptools folder in the
clone or in its build/ (item 14), and that the installed command and package
work from outside the clone.

Left out, each for a reason it prints: the line `./scripts/test.sh` and the
"Building by hand" block (the whole suite, which CI runs anyway: .ci/run),
and the classroom block (emscripten and a server; the `web` label tests
them). Registered in CTest under the `slow` label (`ctest --preset slow`).
It compiles the command, the Python module and then the module again for
pip (CCACHE_* in the environment are passed on). Measured at 2379642 on 2
cores shared with other builds (load 6 to 11): 17 minutes, of which the
quick start 69 s (packages installed, ccache warm for build/), the Python
snippets 26 s and `pip install .` 902 s (its CMake tree in a new folder,
so ccache did not help). Exit code 0 if every block ran, 1 otherwise.
"""
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

# Lines left out of a block, and blocks left out (by their first line).
SKIPPED_LINES = {
    "./scripts/test.sh": "the whole test suite, which CI runs itself (.ci/run)",
}
SKIPPED = {
    "cmake --preset default          # Release build in build/": "builds and runs the whole test suite, as test.sh",
    "./scripts/build-web.sh": "emscripten and a server: the `web` label tests the classroom",
}


def copy_clone(source: Path, clone: Path) -> None:
    files = subprocess.run(["git", "-C", str(source), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        src = source / name.decode()
        if not src.exists():  # deleted in the working tree, not yet in git
            continue
        dst = clone / name.decode()
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)


def main() -> int:
    source, work = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    shutil.rmtree(work, ignore_errors=True)
    clone, home = work / "clone", work / "home"
    home.mkdir(parents=True)
    copy_clone(source, clone)
    readme = (clone / "README.md").read_text()
    blocks = re.findall(r"```(sh|python)\n(.*?)```", readme, flags=re.S)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DEMAT_PYTHONPATH")}
    env.update(HOME=str(home), PATH="/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", CI="true")
    failures = []
    for kind, block in blocks:
        first = block.strip().splitlines()[0]
        reason = next((why for start, why in SKIPPED.items() if first.startswith(start)), None)
        if reason:
            print(f"== skipped: {first}\n   ({reason})", flush=True)
            continue
        lines = []
        for line in block.splitlines():
            if line.strip() in SKIPPED_LINES:
                print(f"== skipped: {line.strip()}\n   ({SKIPPED_LINES[line.strip()]})", flush=True)
            else:
                lines.append(line)
        block = "\n".join(lines) + "\n"
        start = time.monotonic()
        if kind == "sh":
            command = ["bash", "-euo", "pipefail", "-c", block]
            block_env = env
        else:
            command = ["/usr/bin/python3", "-c", block]
            block_env = {**env, "PYTHONPATH": str(clone / "build" / "python")}
        print(f"== {kind}: {first}", flush=True)
        done = subprocess.run(command, cwd=clone, env=block_env, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=3000)
        print(f"   exit {done.returncode} after {time.monotonic() - start:.0f} s", flush=True)
        if done.returncode != 0:
            failures.append(first)
            print(done.stdout[-3000:] + done.stderr[-3000:], flush=True)

    # Item 14: pip's folders are neither in the clone's root nor in the preset's build/.
    setuptools = [p for p in list(clone.iterdir()) + list((clone / "build").iterdir())
                  if p.name.endswith(".egg-info") or p.name in ("build-pip", "bdist.linux-x86_64")
                  or p.name.startswith(("lib.linux", "temp.linux"))]
    if setuptools:
        failures.append("setuptools folders in the clone: " + ", ".join(str(p) for p in setuptools))
    # The installed command and package work from outside the clone, with no PATH or PYTHONPATH set by hand.
    installed = home / ".local" / "bin" / "demat"
    if installed.exists():
        version = subprocess.run([str(installed), "--version"], cwd=home, env=env, capture_output=True, text=True)
        imported = subprocess.run(["/usr/bin/python3", "-c", "import demat, demat.analysis; print(demat.__file__)"],
                                  cwd=home, env=env, capture_output=True, text=True)
        if version.returncode != 0 or imported.returncode != 0 or str(home) not in imported.stdout:
            failures.append("the installed demat: " + version.stderr + imported.stdout + imported.stderr)
    else:
        failures.append("no README block installed the command into ~/.local/bin")

    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        return 1
    print("every README block ran as written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
