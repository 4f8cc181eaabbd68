#!/usr/bin/env bash
# The main job: set up, build, and run petal-heat on the bundled default mesh (the "Learning to Relax"
# heat setting on the unit square, 100 intervals, 1000 Crank-Nicolson steps). Output goes to out/.
# Extra arguments are passed to petal-heat (e.g. -ksp_view, -log_view, -heat_steps 5000).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PETAL_BUILD_DIR:-$root/build}
"$root/scripts/build.sh"
mkdir -p "$root/out"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
cd "$root/out"
exec mpiexec -n "${PETAL_NP:-1}" "$build/drivers/heat/petal-heat" -heat_mesh "$root/meshes/data/heat2d_100.h5" \
  -heat_preset ltr -heat_steps 1000 -heat_output heat.h5 -json heat.json "$@"
