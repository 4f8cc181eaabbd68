"""Opens petal-poisson's output the way a user does: with each of ParaView's XDMF readers (run by pvbatch).
Usage: pvbatch check_paraview.py FILE.xmf NPOINTS XMAX
Every reader must find the four fields (pressure, residual, rhs, cell_type) on NPOINTS points, finite, with the
cell centres spanning (h/2, XMAX) in x, and cell_type in {0, 1, 2}."""
import math
import sys

from paraview.simple import XDMFReader, Xdmf3ReaderS

path, npoints, xmax = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
failures = []
for name, make in (("XDMFReader", lambda: XDMFReader(FileNames=[path])), ("Xdmf3ReaderS", lambda: Xdmf3ReaderS(FileName=[path]))):
    r = make()
    r.UpdatePipeline(0)
    info = r.GetDataInformation()
    b = info.GetBounds()
    ranges = {f: r.PointData[f].GetRange() for f in ("pressure", "residual", "rhs", "cell_type") if f in r.PointData.keys()}
    ok = (info.GetNumberOfPoints() == npoints and len(ranges) == 4 and all(math.isfinite(v) for rg in ranges.values() for v in rg)
          and abs(b[1] - xmax) < 1e-9 and b[0] > 0 and ranges["cell_type"][0] >= 0 and ranges["cell_type"][1] <= 2
          and ranges["pressure"][1] > ranges["pressure"][0])
    print(f"{name}: points {info.GetNumberOfPoints()} bounds {b} fields {ranges} -> {'ok' if ok else 'FAIL'}")
    if not ok:
        failures.append(name)
sys.exit(1 if failures else 0)
