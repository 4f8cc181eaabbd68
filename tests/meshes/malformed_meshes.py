"""Malformed unstructured-mesh files: each a way a DMPlex HDF5 or gmsh file can be broken that once crashed,
hung or was silently accepted by petal's loader. make_all(folder, data_dir) writes them and returns
{name: (path, fragment)}: the loader must reject the file with an error naming it and saying fragment."""
import os
import shutil

import h5py
import numpy as np

PLEX = "square_plex.h5"   # petal's bundled DMPlex HDF5 mesh (native layout, 289 vertices)
GMSH = "square_hole.msh"  # petal's bundled gmsh 2.2 mesh


def _plex_copy(folder, data_dir, name, edit):
    path = os.path.join(folder, name + ".h5")
    shutil.copy(os.path.join(data_dir, PLEX), path)
    with h5py.File(path, "r+") as f:
        edit(f)
    return path


def _replace(f, path, data):
    attrs = dict(f[path].attrs)
    del f[path]
    f.create_dataset(path, data=data)
    for k, v in attrs.items():
        f[path].attrs[k] = v


def _set_entry(f, path, index, value):
    d = f[path][...]
    d.flat[index] = value
    _replace(f, path, d)


def plex_cases(folder, data_dir):
    nverts = 289
    cases = {
        # a cone names a point that does not exist, or a negative one
        "plex_cone_out_of_range": (lambda f: _set_entry(f, "topology/cells", 0, 10 ** 6), "names point 1000000"),
        "plex_cone_negative": (lambda f: _set_entry(f, "topology/cells", 5, -3), "names point -3"),
        # a cone size that does not add up with the cone list
        "plex_bad_cone_size": (lambda f: _set_entry(f, "topology/cones", 600, 7), "cone sizes in /topology/cones add up to"),
        # fewer vertices than the topology uses
        "plex_too_few_vertices": (lambda f: _replace(f, "geometry/vertices", f["geometry/vertices"][: nverts // 2]), "has 144 rows but the topology has 289 vertices"),
        # five coordinates per vertex
        "plex_five_columns": (lambda f: _replace(f, "geometry/vertices", np.hstack([f["geometry/vertices"][...], np.ones((nverts, 3))])),
                              "5 coordinates per vertex"),
        "plex_nan_coordinate": (lambda f: _set_entry(f, "geometry/vertices", 7, np.nan), "is not finite"),
        # the marker label names a point beyond the mesh
        "plex_label_out_of_range": (lambda f: _set_entry(f, "labels/marker/1/indices", 3, 10 ** 6), "names point"),
        "plex_label_negative": (lambda f: _set_entry(f, "labels/marker/1/indices", 0, -5), "names point"),
        # wrong dataset types and shapes
        "plex_cells_float": (lambda f: _replace(f, "topology/cells", f["topology/cells"][...].astype(np.float64) + 0.5),
                             "must hold integers"),
        "plex_cycle": (lambda f: _set_entry(f, "topology/cells", 0, 0), "reaches back to itself"),
        "plex_bad_orientation": (lambda f: _set_entry(f, "topology/orientation", 0, 40), "outside the range"),
        "plex_no_vertices": (lambda f: f.__delitem__("geometry/vertices"), "no dataset /geometry/vertices"),
    }
    return {name: (_plex_copy(folder, data_dir, name, edit), frag) for name, (edit, frag) in cases.items()}


def _gmsh_text(data_dir):
    with open(os.path.join(data_dir, GMSH)) as f:
        return f.read()


def _section(text, name):
    start = text.index("$" + name + "\n") + len(name) + 2
    return start, text.index("$End" + name, start)


def gmsh_cases(folder, data_dir):
    text = _gmsh_text(data_dir)
    nstart, nend = _section(text, "Nodes")
    node_lines = text[nstart:nend].splitlines()
    nnodes = int(node_lines[0])
    estart, eend = _section(text, "Elements")
    elem_lines = text[estart:eend].splitlines()
    last = elem_lines[-1].split()

    def nodes(lines):
        return text[:nstart] + "\n".join(lines) + "\n" + text[nend:]

    def elems(lines):
        return text[:estart] + "\n".join(lines) + "\n" + text[eend:]

    bad_node = last[:-1] + [str(nnodes + 50)]
    nan_line = node_lines[5].split()
    nan_line[1] = "nan"
    cases = {
        "gmsh_truncated": (text[: len(text) // 2], "larger than the rest of the file"),
        "gmsh_truncated_nodes": (text[: nstart + 40], "larger than the rest of the file"),
        "gmsh_too_few_nodes": (nodes([str(nnodes)] + node_lines[1: nnodes // 2]), "expected an integer (node tag)"),
        "gmsh_negative_count": (nodes(["-4"] + node_lines[1:]), "negative node count"),
        "gmsh_huge_count": (nodes(["2000000000"] + node_lines[1:]), "larger than the rest of the file"),
        "gmsh_unknown_version": (text.replace("2.2 0 8", "7.3 0 8", 1), "format version \"7.3\""),
        "gmsh_unknown_element_type": (elems(elem_lines[:-1] + [" ".join(last[:1] + ["99"] + last[2:])]), "type 99"),
        "gmsh_no_end_nodes": (text.replace("$EndNodes", "$EndNodez", 1), "expected $EndNodes"),
        "gmsh_missing_node": (elems(elem_lines[:-1] + [" ".join(bad_node)]), "names node"),
        "gmsh_nan_coordinate": (nodes(node_lines[:5] + [" ".join(nan_line)] + node_lines[6:]), "must be finite"),
        "gmsh_binary_garbage": (text.replace("2.2 0 8", "2.2 1 8", 1), "byte-order mark"),
    }
    out = {}
    for name, (content, frag) in cases.items():
        path = os.path.join(folder, name + ".msh")
        with open(path, "w") as f:
            f.write(content)
        out[name] = (path, frag)
    return out


def make_all(folder, data_dir):
    os.makedirs(folder, exist_ok=True)
    cases = plex_cases(folder, data_dir)
    cases.update(gmsh_cases(folder, data_dir))
    return cases


if __name__ == "__main__":
    import sys
    for name, (path, frag) in make_all(sys.argv[1], sys.argv[2]).items():
        print(name, path, frag)
