"""Opens petal-control's output the way a user does: with each of ParaView's XDMF readers (run by pvbatch).
Usage: pvbatch check_paraview.py FILE.xmf NPOINTS   (NPOINTS 0: any number)
Every reader must find state, control, adjoint and exact_state, finite, with the state in (0, 1.1) and not constant."""
import math
import sys

from paraview.simple import XDMFReader, Xdmf3ReaderS

path, npoints = sys.argv[1], int(sys.argv[2])
failures = []
for name, make in (("XDMFReader", lambda: XDMFReader(FileNames=[path])), ("Xdmf3ReaderS", lambda: Xdmf3ReaderS(FileName=[path]))):
    r = make()
    r.UpdatePipeline(0)
    info = r.GetDataInformation()
    ranges = {f: r.PointData[f].GetRange() for f in ("state", "control", "adjoint", "exact_state") if f in r.PointData.keys()}
    ok = ((npoints == 0 or info.GetNumberOfPoints() == npoints) and len(ranges) == 4
          and all(math.isfinite(v) for rg in ranges.values() for v in rg)
          and ranges["state"][1] > ranges["state"][0] and -1e-6 < ranges["state"][0] and ranges["state"][1] < 1.1)
    print(f"{name}: points {info.GetNumberOfPoints()} fields {ranges} -> {'ok' if ok else 'FAIL'}")
    if not ok:
        failures.append(name)
sys.exit(1 if failures else 0)
