#!/usr/bin/env bash
# Installs petal's build and test dependencies from Debian 12 packages. Idempotent: a second run
# installs nothing and takes a second. Needs root (or sudo).
set -euo pipefail
pkgs=(
  build-essential cmake pkg-config git
  petsc-dev libhdf5-openmpi-dev openmpi-bin libopenmpi-dev
  libtrilinos-kokkos-dev libtrilinos-kokkos-kernels-dev
  libgtest-dev
  python3 python3-numpy python3-h5py python3-petsc4py python3-matplotlib
  hdf5-tools gmsh
  libtorch-dev # optional: the DCDM trainer petal-train-dcdm (built when CMake finds libtorch)
  libopenblas0-pthread # OpenBLAS as libblas.so.3: ~30x the reference BLAS's SGEMM, which DCDM's convolutions run on
  coinor-libipopt-dev # optional: IPOPT, the comparison solver of bench/control (AdaSketch Newton)
  slepc-dev # the KKT spectra of AdaSketch Newton at PDE scale (iterative eigenvalue estimates)
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
