#!/usr/bin/env bash
# Installs everything demat needs to build, test and analyse, from the
# compiler up, from Debian 12 (bookworm) packages only.
#
#   scripts/install-deps.sh           install what is missing (as root, or via sudo)
#   scripts/install-deps.sh --check   report what is missing; exit 1 if anything is
#   scripts/install-deps.sh --list    print the package list, one per line
#
# Idempotent: when every package is already installed it does no apt work at
# all, so CI re-runs on a provisioned machine cost a single dpkg-query.
set -euo pipefail

# Kept as one explicit list, not "whatever the CMake files happen to find",
# because a fresh minbase root has nothing: not even a compiler, git or CA
# certificates.
PACKAGES=(
  # toolchain and build system
  build-essential      # g++, gcc (FindHDF5 needs the C compiler too), make, libc headers
  cmake                # 3.25: CMakePresets.json version 6
  ninja-build          # the presets' generator
  pkg-config
  git                  # fresh clones, and bench/bench.sh records the commit
  ca-certificates
  # C++ libraries (all header/dev packages the top-level CMakeLists.txt finds)
  libboost-graph-dev   # compressed sparse row graph for the social network
  libtbb-dev           # oneTBB: the parallel executor
  libhdf5-dev          # HDF5 C API + high-level (dimension scales)
  hdf5-tools           # h5dump / h5ls, used to inspect output files
  libtomlplusplus-dev  # scenario files
  libcli11-dev         # the demat command line
  zlib1g-dev           # CRC-32 of checkpoint sections (also pulled in by libhdf5-dev)
  catch2               # v2, C++ tests
  librandom123-dev     # Philox counter-based RNG (header-only)
  pybind11-dev         # the Python module
  # Python: Debian's interpreter and scientific stack (PyPI is not reachable)
  python3
  python3-dev
  python3-venv
  python3-pip
  python3-numpy
  python3-h5py
  python3-pandas
  python3-xarray
  python3-h5netcdf     # xarray engine for the HDF5 output's named dimensions
  python3-scipy
  python3-matplotlib
  python3-pytest
  # ensembles and sweeps on a cluster (docs/cluster.md); the engine does not use them
  python3-distributed  # Dask: demat sweep --scheduler, executor= in Python
  python3-mpi4py       # MPI: mpirun -n N python3 -m demat.sweep
  openmpi-bin          # mpirun
  # the engine in WebAssembly for the classroom page (scripts/build-web.sh) and its tests under node
  emscripten           # 3.1.6 with Debian's clang and binaryen
  nodejs               # runs emscripten's tools and the `web` tests
  npm                  # the page's JavaScript dependencies (web/package-lock.json)
  # tools used by the scripts themselves
  time                 # GNU /usr/bin/time -v: peak memory in bench/bench.sh
)

mode=install
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  --list) printf '%s\n' "${PACKAGES[@]}"; exit 0 ;;
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "install-deps.sh: unknown argument '$1' (expected --check, --list or --help)" >&2; exit 2 ;;
esac

missing=()
for pkg in "${PACKAGES[@]}"; do
  # "install ok installed" is the only state in which the files are really
  # there; "deinstall ok config-files" (removed, not purged) must count as missing.
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  # A Node.js from another source (e.g. NodeSource's nodejs, which provides
  # and conflicts with Debian's npm) already gives the npm command.
  if [[ "$pkg" == npm && "$status" != "install ok installed" ]] && command -v npm >/dev/null 2>&1; then
    continue
  fi
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "install-deps: ${#missing[@]} of ${#PACKAGES[@]} packages missing: ${missing[*]}"
if [[ "$mode" == check ]]; then
  exit 1
fi

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  # A person at a terminal may be asked for a password; without a terminal
  # (CI) -n makes sudo fail at once instead of waiting for one.
  if [[ -t 0 ]]; then as_root=(sudo); else as_root=(sudo -n); fi
else
  echo "install-deps: not root and sudo is not installed; run this script as root" >&2
  exit 1
fi

apt_opts=(
  -q
  -o Dpkg::Use-Pty=0
  # Another apt run (unattended upgrades, a parallel job) holds the lock
  # for a while; wait for it rather than fail.
  -o DPkg::Lock::Timeout=600
)

"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y \
  --no-install-recommends "${missing[@]}"

# Verify instead of trusting apt's exit code alone: a package held back or
# half-configured would otherwise surface later as a confusing CMake error.
still_missing=()
for pkg in "${missing[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || still_missing+=("$pkg")
done
if [[ ${#still_missing[@]} -gt 0 ]]; then
  echo "install-deps: still not installed after apt-get: ${still_missing[*]}" >&2
  exit 1
fi
echo "install-deps: installed ${#missing[@]} packages"
