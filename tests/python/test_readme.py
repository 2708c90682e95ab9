"""Issue 12, item 10: the README's commands work as written after the quick
start. The quick start itself (install, build) is what the suite runs in;
the blocks after it run here against this build, in a scratch folder laid out
like a clone (build/ and scenarios/ linked, a small results/hybrid.h5)."""

import os
import re
import subprocess
from pathlib import Path

import pytest

import demat
from conftest import REPO

README = (REPO / "README.md").read_text()
BLOCKS = re.findall(r"```(sh|python)\n(.*?)```", README, flags=re.S)
BUILD = Path(demat._core.__file__).parents[2]


def test_every_shell_line_names_a_command_that_exists():
    known = {"cmake", "ctest", "python3", "/usr/bin/python3", "export", "demat"}
    for kind, block in BLOCKS:
        if kind != "sh":
            continue
        for line in block.strip().splitlines():
            word = line.split()[0]
            if word.startswith(("./", "build/")):
                assert (REPO / word).exists() or word.startswith("build/"), line
            elif word.startswith(".venv/"):
                continue  # made by the line before it
            else:
                assert word in known, line
            if word == "demat":  # bare: only after the block that puts build/bin on PATH
                assert README.index("export PATH=") < README.index(line), line


@pytest.fixture
def clone(tmp_path):
    (tmp_path / "build").symlink_to(BUILD)
    (tmp_path / "scenarios").symlink_to(REPO / "scenarios")
    (tmp_path / "results").mkdir()
    small = tmp_path / "small.toml"
    small.write_text(f'base = "{REPO / "scenarios" / "hybrid.toml"}"\nname = "hybrid"\ndays = 30\nwarmup_days = 10\n'
                     "[population]\nsize = 500\n")
    subprocess.run([str(BUILD / "bin" / "demat"), "run", str(small), "-q", "-o", str(tmp_path / "results" / "hybrid.h5")],
                   check=True, timeout=120)
    return tmp_path


def test_the_commands_after_the_quick_start_run_as_written(clone):
    block = next(b for k, b in BLOCKS if k == "sh" and "export PATH=" in b)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DEMAT_PYTHONPATH")}
    env["PATH"] = "/usr/bin:/bin"  # no demat anywhere but where the block puts it
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=clone, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Usage" in done.stdout or "demat" in done.stdout
    assert (clone / "results" / "report" / "index.html").exists()


def test_the_python_snippet_runs_and_writes_under_results(clone):
    code = next(b for k, b in BLOCKS if k == "python" and "import demat" in b)
    # Smaller, so that the snippet takes seconds: the same calls, the same files.
    code = code.replace('"population.size": 20000', '"population.size": 300, "days": 30, "warmup_days": 5')
    code = code.replace("replicates=10", "replicates=2").replace("threads=2", "threads=1")
    code = code.replace("progress=True", "progress=False")
    done = subprocess.run(["/usr/bin/python3", "-c", code], cwd=clone, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(BUILD / "python")})
    assert done.returncode == 0, done.stderr
    assert (clone / "results" / "online_only.h5").exists() and (clone / "results" / "sweep.h5").exists()
    leftover = sorted(p.name for p in clone.iterdir())
    assert leftover == ["build", "results", "scenarios", "small.toml"], leftover


def test_pip_builds_outside_the_presets_build_tree_and_the_clone():
    # `pip install .` runs setup.py: its build folders and egg-info must land neither in build/ nor in the clone.
    code = ("import os; os.chdir(%r)\nimport warnings; warnings.simplefilter('ignore')\n"
            "from distutils.core import run_setup\nd = run_setup('setup.py', stop_after='config')\n"
            "print(d.get_option_dict('build')['build_base'][1]); print(d.get_option_dict('egg_info')['egg_base'][1])"
            ) % str(REPO)
    done = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    build_base, egg_base = (Path(line) for line in done.stdout.strip().splitlines()[-2:])
    for folder in (build_base, egg_base):
        assert folder.is_absolute() and not folder.resolve().is_relative_to(REPO.resolve()), folder
