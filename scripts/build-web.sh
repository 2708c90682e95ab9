#!/usr/bin/env bash
# Builds demat's engine in WebAssembly (bindings/wasm) with Debian's
# emscripten into web/dist/engine/demat_engine.{js,wasm}.
#
#   scripts/build-web.sh [BUILD_DIR]     default: build-wasm
#
# Exit 2 when emscripten is missing (scripts/install-deps.sh installs it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-wasm}
if ! command -v emcmake >/dev/null || ! command -v node >/dev/null; then
  echo "build-web.sh: emscripten and node are needed (scripts/install-deps.sh installs them)" >&2
  exit 2
fi
# Debian's emscripten runs its JavaScript tools (acorn) from Debian's
# node_modules folder, which a node not from Debian does not search.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [[ ! -f $build/build.ninja ]]; then
  emcmake cmake -S "$root/bindings/wasm" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DDEMAT_SOURCE_DIR="$root" -DDEMAT_WEB_OUTPUT="$root/web/dist/engine" "${launcher[@]}"
fi
cmake --build "$build" --parallel "${DEMAT_BUILD_JOBS:-2}"
echo "build-web.sh: $root/web/dist/engine/demat_engine.js and demat_engine.wasm"
