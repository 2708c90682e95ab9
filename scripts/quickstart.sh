#!/usr/bin/env bash
# Quick start: from a bare Debian 12 machine to a first simulation.
#
#   ./scripts/quickstart.sh [extra options for `demat run`, e.g. --population 20000]
#
# Installs the dependencies (as root, or through sudo), builds the `demat`
# command with the default CMake preset (Release, build/), then runs the
# default scenario, which prints a summary and writes results/hybrid.h5.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh

echo "== configure and build (preset default, $(nproc) jobs)"
cmake --preset default
# Only the command itself: the test suite is built by scripts/test.sh, and
# leaving it out here keeps a first start short on a small machine.
# The Python module too, so that the README's Python and report commands
# work right after this script.
cmake --build --preset default --target demat demat_python --parallel "$(nproc)"

mkdir -p results
echo "== build/bin/demat run scenarios/hybrid.toml -o results/hybrid.h5 $*"
build/bin/demat run scenarios/hybrid.toml -o results/hybrid.h5 "$@"
echo "== results written to results/hybrid.h5"
echo "== to type \`demat\` and \`import demat\` as the README does, in this shell:"
echo "   export PATH=\"\$PWD/build/bin:\$PATH\" PYTHONPATH=\"\$PWD/build/python\""
