"""Issue 12, item 10: `cmake --install` puts the command and the Python
package where a shell and Debian's interpreter find them, without PATH or
PYTHONPATH set by hand."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import demat

BUILD = Path(demat._core.__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("cmake") is None or not (BUILD / "cmake_install.cmake").exists(),
                    reason="no CMake build tree beside this demat package")
def test_cmake_install_gives_a_working_command_and_package(tmp_path):
    prefix = tmp_path / "prefix"
    done = subprocess.run(["cmake", "--install", str(BUILD), "--prefix", str(prefix)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    command = prefix / "bin" / "demat"
    version = subprocess.run([str(command), "--version"], capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert version.returncode == 0 and demat.__version__ in version.stdout
    # The package folder of that prefix, as Debian's interpreter's own scheme names it (the user site for ~/.local).
    site = subprocess.run(["/usr/bin/python3", "-c", "import sysconfig; print(sysconfig.get_path('purelib', "
                           f"'posix_prefix', vars={{'base': {str(prefix)!r}, 'platbase': {str(prefix)!r}}}))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DEMAT_PYTHONPATH")}
    env["PYTHONPATH"] = site  # what the user site or a venv adds by itself
    code = ("import demat, demat.analysis, demat.analysis.figures; print(demat.__file__); "
            "print(demat.Scenario.load(%r).name)" % str(Path(__file__).resolve().parents[2] / "scenarios" / "hybrid.toml"))
    imported = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True, timeout=60, env=env,
                              cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    where, name = imported.stdout.split()
    assert Path(where).resolve().is_relative_to(prefix.resolve()) and name == "hybrid"
    report = subprocess.run(["/usr/bin/python3", "-m", "demat.analysis", "--help"], capture_output=True, text=True,
                            timeout=60, env=env, cwd=tmp_path)
    assert report.returncode == 0 and "report" in report.stdout
