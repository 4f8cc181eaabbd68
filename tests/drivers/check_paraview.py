"""Opens petal-heat output the way a user does: with ParaView's readers (run by pvbatch).
Usage: pvbatch check_paraview.py FILE.xmf NFRAMES NPOINTS XMIN XMAX YMIN YMAX
Every reader (XDMF, Xdmf3 S/T) must load all frames with the expected points, bounds and a finite u."""
import math
import sys

from paraview.simple import XDMFReader, Xdmf3ReaderS, Xdmf3ReaderT

path = sys.argv[1]
nframes, npoints = int(sys.argv[2]), int(sys.argv[3])
bounds = [float(v) for v in sys.argv[4:8]]
failures = []
for name, make in (("XDMFReader", lambda: XDMFReader(FileNames=[path])),
                   ("Xdmf3ReaderS", lambda: Xdmf3ReaderS(FileName=[path])),
                   ("Xdmf3ReaderT", lambda: Xdmf3ReaderT(FileName=[path]))):
    r = make()
    r.UpdatePipelineInformation()
    times = list(r.TimestepValues or [])
    r.UpdatePipeline(times[-1] if times else 0)
    info = r.GetDataInformation()
    b = info.GetBounds()
    got = [b[0], b[1], b[2], b[3]]
    urange = r.PointData["u"].GetRange() if "u" in r.PointData.keys() else None
    ok = (len(times) == nframes and info.GetNumberOfPoints() == npoints and urange is not None
          and all(math.isfinite(v) for v in urange) and all(abs(g - e) < 1e-6 for g, e in zip(got, bounds)))
    print(f"{name}: frames {len(times)} points {info.GetNumberOfPoints()} bounds {got} u {urange} -> {'ok' if ok else 'FAIL'}")
    if not ok:
        failures.append(name)
sys.exit(1 if failures else 0)
