"""Builds demat._core with the project's CMake and installs the pure-Python
package (python/demat) with analysis/ as demat.analysis.

    python3 -m venv --system-site-packages .venv
    .venv/bin/pip install --no-build-isolation .

CMake, a C++20 compiler and the libraries of scripts/install-deps.sh must be
installed; the interpreter that runs pip is the one the extension is built for.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
# setuptools' build folders (build_ext's CMake tree among them, 20 MB) and the
# egg-info: outside the clone, neither in the CMake preset's build/ nor at the
# root (issue 12, item 14). One folder per clone in the user's cache, so that
# a second `pip install .` reuses the CMake tree; DEMAT_PIP_BUILD overrides it.
BUILD_BASE = Path(os.environ.get("DEMAT_PIP_BUILD") or
                  Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "demat" /
                  ("pip-build-" + hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]))
BUILD_BASE.mkdir(parents=True, exist_ok=True)  # egg_info writes there before any build step


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        build = Path(self.build_temp).resolve() / "cmake"
        jobs = str(os.cpu_count() or 1)
        subprocess.run(
            ["cmake", "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
             f"-DPython3_EXECUTABLE={sys.executable}", "-DDEMAT_BUILD_TESTS=OFF", "-DDEMAT_BUILD_PYTHON=ON"]
            + (["-G", "Ninja"] if subprocess.run(["which", "ninja"], capture_output=True).returncode == 0 else []),
            check=True)
        subprocess.run(["cmake", "--build", str(build), "--target", "demat_python", "--parallel", jobs], check=True)
        built = next((build / "python" / "demat").glob("_core*.so"))
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        self.copy_file(str(built), str(target))


setup(
    packages=["demat", "demat.analysis"],
    package_dir={"demat": "python/demat", "demat.analysis": "analysis"},
    package_data={"demat": ["py.typed", "*.pyi"]},
    ext_modules=[Extension("demat._core", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    # Not setuptools' default build/: that is the CMake preset's tree, which
    # `pip install .` would fill with its own folders; not the clone's root either.
    options={"build": {"build_base": str(BUILD_BASE)}, "egg_info": {"egg_base": str(BUILD_BASE)}},
)
