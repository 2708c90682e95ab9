#!/usr/bin/env bash
# Builds demat (default CMake preset: Release, build/) and runs every test:
# the CTest suite (C++ tests, and the Python checks registered in CTest),
# then pytest on tests/python with Debian's interpreter. Exits non-zero if
# the build or any test fails. Extra arguments go to ctest (e.g. -R scenario).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs=$(nproc)
echo "== configure and build (preset default, ${jobs} jobs)"
cmake --preset default
cmake --build --preset default --parallel "${jobs}"
# The engine in WebAssembly for the classroom page (web/dist/engine), which
# the `web` tests run under node against the native build.
echo "== the engine in WebAssembly (scripts/build-web.sh)"
DEMAT_BUILD_JOBS="${jobs}" scripts/build-web.sh

failed=()

echo "== ctest --preset default"
junit="${PWD}/build/ctest-junit.xml"
rm -f "${junit}"
if ! ctest --preset default --parallel "${jobs}" --output-junit "${junit}" "$@"; then
  failed+=(ctest)
fi
# How many Catch2 cases and assertions ran (pytest prints its own count).
if [[ -f "${junit}" ]] && ! /usr/bin/python3 tests/ctest_counts.py "${junit}"; then
  failed+=("ctest entries that ran no test case")
fi

# Debian's interpreter explicitly: it is the one that sees python3-h5py,
# -xarray and the rest; the first python3 on PATH may be another one.
python=/usr/bin/python3
if [[ -d tests/python ]]; then
  if [[ -z "$(find tests/python -name 'test_*.py' -o -name '*_test.py' | head -n 1)" ]]; then
    # Nothing to collect: skip pytest rather than accept its exit code 5,
    # which with test files present means a collection problem.
    echo "== tests/python holds no test files yet; pytest not run"
  else
    echo "== ${python} -m pytest tests/python"
    # -p no:cacheprovider: no .pytest_cache left behind in the source tree.
    set +e
    "${python}" -m pytest -p no:cacheprovider tests/python
    rc=$?
    set -e
    if [[ ${rc} -ne 0 ]]; then
      failed+=("pytest (exit ${rc})")
    fi
  fi
fi

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "== FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "== all tests passed"
