#!/usr/bin/env bash
# Regenerates the fuzz harness's seed files in tests/fuzz/corpus/ (small on purpose: every mutant is loaded, so
# small seeds mean more inputs per second). Needs a build (petal-mesh) and Debian's gmsh and python3-petsc4py.
#   tests/fuzz/make_corpus.sh build
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
out=$root/tests/fuzz/corpus
mesh=$build/drivers/mesh/petal-mesh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
"$mesh" obstacles -n 12,10 -sphere 0.5,0.5,0.2 -coefficient_random 1,3 -seed 1 -o "$out/voxel_obstacles.h5" >/dev/null
"$mesh" box -dim 3 -n 4,3,3 -dirichlet_walls -o "$out/voxel_box3d.h5" >/dev/null
"$mesh" plexbox -faces 3,3 -simplex -o "$out/plex_v1.h5" >/dev/null
"$mesh" plexbox -faces 2,2 -o "$out/plex_v2.h5" -dm_plex_view_hdf5_storage_version 2.0.0 >/dev/null
/usr/bin/python3 - "$out/plex_xdmf.h5" <<'PY'
import sys
from petsc4py import PETSc
dm = PETSc.DMPlex().createBoxMesh([3, 2], simplex=False)
dm.setName("plex")
v = PETSc.Viewer().createHDF5(sys.argv[1], "w")
v.pushFormat(PETSc.Viewer.Format.HDF5_XDMF)
dm.view(v)
v.destroy()
PY
relax=$build/drivers/relax/petal-relax
heat=$build/drivers/heat/petal-heat
(cd "$tmp" && "$relax" -relax_sequence synthetic -relax_synthetic_m 4 -relax_instances 3 -relax_write_file "$out/sequence_synthetic.h5" >/dev/null)
(cd "$tmp" && "$relax" -relax_sequence heat -relax_heat_nx 6 -relax_instances 3 -relax_write_file "$out/sequence_heat.h5" >/dev/null)
for learner in fixed tsallis tsallis_cb chebcb; do
  (cd "$tmp" && "$heat" -heat_nx 8 -heat_steps 6 -heat_output none -heat_quiet -heat_calibration_samples 0 \
     -pc_banditsor_learner $learner -pc_banditsor_omega_n 5 -pc_banditsor_state "$out/state_$learner.h5" >/dev/null)
done
ot=$build/drivers/ot/petal-ot
(cd "$tmp" && "$ot" -ot_generate assignment -ot_generate_n 12 -ot_generate_dim 2 -ot_save_problem "$out/ot_points.h5" -ot_eta 10 >/dev/null)
"$mesh" box -n 6,5 -o "$tmp/grid.h5" >/dev/null
/usr/bin/python3 - "$tmp/grid.h5" "$out/ot_voxel.h5" <<'PY'
import shutil, sys
import h5py, numpy as np
shutil.copy(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:  # two histograms on the grid's cells (C order, x fastest)
    y, x = np.mgrid[0:5, 0:6]
    f.create_dataset("ot/source", data=(1.0 + x).astype(np.float64) / (1.0 + x).sum())
    f.create_dataset("ot/target", data=(1.0 + y).astype(np.float64) / (1.0 + y).sum())
PY
sed 's/^lc = 0.1;/lc = 0.35;/' "$root/meshes/data/square_hole.geo" > "$tmp/coarse.geo"
gmsh -2 -format msh22 "$tmp/coarse.geo" -o "$out/gmsh22_ascii.msh" >/dev/null
gmsh -2 -format msh22 -bin "$tmp/coarse.geo" -o "$out/gmsh22_binary.msh" >/dev/null
gmsh -2 -format msh41 "$tmp/coarse.geo" -o "$out/gmsh41_ascii.msh" >/dev/null
gmsh -2 -format msh41 -bin "$tmp/coarse.geo" -o "$out/gmsh41_binary.msh" >/dev/null
# DCDM weights (preconditioners/dcdm/README.md): a small custom net (2 channels, one fine pair) so that mutations
# reach the attributes and every conv group, not only the kernel values; with a training record.
/usr/bin/python3 - "$out/dcdm_weights_small.h5" <<'PY'
import sys
import h5py, numpy as np
rng = np.random.default_rng(7)
with h5py.File(sys.argv[1], "w") as f:
    f.attrs["petal_format"] = "petal-dcdm-weights"
    f.attrs["petal_format_version"] = np.int64(1)
    g = f.create_group("dcdm")
    for k, v in dict(channels=2, fine_pairs=1, coarse_pairs=0, up_pairs=0, kernel=3).items():
        g.attrs[k] = np.int64(v)
    g.attrs["arch"] = "custom"
    g.attrs["input_norm"] = "l2"
    g.attrs["trained_N"] = np.int64(8)
    g.attrs["train_matrix"] = "neumann-box"
    g.attrs["final_loss"] = 0.5
    for i, (k, cin, cout) in enumerate([(3, 1, 2), (3, 2, 2), (3, 2, 2), (1, 2, 1)]):
        c = g.create_group(f"conv{i:02d}")
        c.create_dataset("kernel", data=rng.normal(0, 0.3, (k, k, k, cin, cout)).astype(np.float32))
        c.create_dataset("bias", data=rng.normal(0, 0.1, cout).astype(np.float32))
PY
ls -l "$out"
