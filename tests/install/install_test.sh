#!/usr/bin/env bash
# Install tests (ctest install.*): petal installed with `cmake --install` into a prefix inside the build tree,
# then used the two ways a downstream user would. Nothing outside the build tree is written or read, apart
# from the system packages petal itself depends on.
#
#   install_test.sh tree       --build B --prefix P --libdir L
#       cmake --install B --prefix P (P is emptied first) and check the expected files are there.
#   install_test.sh downstream --prefix P --libdir L --source S --work W --version V --exec-space E
#                              --cmake C --generator G --c-compiler CC --cxx-compiler CXX
#       configure S (tests/install/downstream: find_package(Petal 0.1) + petal::petal) with
#       CMAKE_PREFIX_PATH=P, compile every installed header on its own, build and run the program.
#   install_test.sh pkgconfig  --prefix P --libdir L --work W --version V --exec-space E --mpicc MPICC
#                              --host H
#       `pkg-config --cflags --libs petal` from P: compile and run a C program that includes every installed
#       C header, and load P's libpetal.so into the PETSc-only host H with -dll_append.
set -u
mode=${1:?mode: tree, downstream or pkgconfig}
shift
build= prefix= libdir=lib source= work= version= exec_space=Serial cmake_cmd=cmake generator= cc= cxx= mpicc=mpicc host=
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2 ;; --prefix) prefix=$2 ;; --libdir) libdir=$2 ;; --source) source=$2 ;;
    --work) work=$2 ;; --version) version=$2 ;; --exec-space) exec_space=$2 ;; --cmake) cmake_cmd=$2 ;;
    --generator) generator=$2 ;; --c-compiler) cc=$2 ;; --cxx-compiler) cxx=$2 ;; --mpicc) mpicc=$2 ;;
    --host) host=$2 ;;
    *) echo "install_test.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift 2
done

failures=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect_in TEXT STRING DESCRIPTION
expect_in() { if printf '%s\n' "$1" | grep -qF -- "$2"; then ok "$3"; else fail "$3 (missing '$2')"; fi; }
# run CMD...: echo, run, keep output in $out and status in $rc
run() { echo "+ $*"; out=$("$@" 2>&1); rc=$?; printf '%s\n' "$out"; }
finish() {
  if [ "$failures" = 0 ]; then echo "install.$mode: PASS"; exit 0; fi
  echo "install.$mode: $failures check(s) FAILED"; exit 1
}
# the file ldd resolves for libpetal in BINARY, with LD_LIBRARY_PATH as set by the caller
resolved_petal() { ldd "$1" | awk '/libpetal\.so/ {print $3; exit}'; }
same_file() { [ -n "$1" ] && [ -n "$2" ] && [ "$(realpath "$1")" = "$(realpath "$2")" ]; }
petal_view_line="petal $version (Kokkos execution space: $exec_space)"

case "$mode" in
tree)
  [ -n "$build" ] && [ -n "$prefix" ] || { echo "tree needs --build and --prefix" >&2; exit 2; }
  rm -rf "$prefix"
  run "$cmake_cmd" --install "$build" --prefix "$prefix"
  [ "$rc" = 0 ] && ok "cmake --install succeeded" || fail "cmake --install exited with $rc"
  for f in "$libdir/libpetal.so" include/petal/petal.h include/petal/petalconfig.h \
           "$libdir/cmake/Petal/PetalConfig.cmake" "$libdir/cmake/Petal/PetalConfigVersion.cmake" \
           "$libdir/cmake/Petal/PetalTargets.cmake" "$libdir/cmake/Petal/PetalDependencies.cmake" \
           "$libdir/pkgconfig/petal.pc" share/petal/weights/dcdm_default.h5; do
    [ -e "$prefix/$f" ] && ok "installed $f" || fail "not installed: $f"
  done
  # No installed text file may point back into the build tree (the prefix lies inside it, so lines naming
  # the prefix are fine).
  refs=$(grep -rIhF -- "$build/" "$prefix" | grep -vF -- "$prefix/")
  [ -z "$refs" ] && ok "no installed file refers to the build tree" || fail "installed files refer to the build tree: $refs"
  ;;

downstream)
  rm -rf "$work"
  mkdir -p "$work/headers"
  # One translation unit per installed header: each must compile on its own with the installed package.
  n=0
  for h in "$prefix"/include/petal/*.h "$prefix"/include/petal/*.hpp; do
    [ -e "$h" ] || continue
    b=$(basename "$h")
    printf '#include <petal/%s>\n#include <petal/%s> // include guard\n' "$b" "$b" >"$work/headers/header_${b//./_}.cpp"
    n=$((n + 1))
  done
  echo "checking $n installed headers"
  gen=()
  [ -n "$generator" ] && gen=(-G "$generator")
  run "$cmake_cmd" -S "$source" -B "$work/build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
      ${cc:+-DCMAKE_C_COMPILER="$cc"} ${cxx:+-DCMAKE_CXX_COMPILER="$cxx"} \
      -DPETAL_HEADER_TU_DIR="$work/headers"
  [ "$rc" = 0 ] && ok "downstream configure (find_package(Petal 0.1 REQUIRED))" || fail "downstream configure exited with $rc"
  expect_in "$out" "petal_downstream: Petal $version from $prefix/$libdir/cmake/Petal" "Petal found in the install prefix"
  expect_in "$out" "petal_downstream: $n header translation units" "every installed header is compiled"
  if [ "$rc" = 0 ]; then
    run "$cmake_cmd" --build "$work/build" -j 4
    [ "$rc" = 0 ] && ok "downstream build" || fail "downstream build exited with $rc"
  fi
  exe="$work/build/d"
  if [ -x "$exe" ]; then
    same_file "$(resolved_petal "$exe")" "$prefix/$libdir/libpetal.so" && ok "d resolves libpetal.so in the prefix" \
      || fail "d resolves libpetal.so to '$(resolved_petal "$exe")', not the prefix"
    run "$exe" -petal_view
    [ "$rc" = 0 ] && ok "d ran" || fail "d exited with $rc"
    expect_in "$out" "downstream: petal $version (header $version), Kokkos $exec_space, view extent 4, PETAL_CLASSID registered" "d's output"
    expect_in "$out" "$petal_view_line" "-petal_view in d"
    expect_in "$out" "downstream: PC dcdm default weights $(realpath "$prefix")/share/petal/weights/dcdm_default.h5" \
      "PC dcdm's default weights are the installed copy"
  else
    fail "no downstream program $exe"
  fi
  ;;

pkgconfig)
  rm -rf "$work"
  mkdir -p "$work"
  export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
  run pkg-config --modversion petal
  [ "$out" = "$version" ] && ok "pkg-config --modversion petal is $version" || fail "pkg-config --modversion petal: '$out'"
  pc_libdir=$(pkg-config --variable=libdir petal)
  pc_incdir=$(pkg-config --variable=includedir petal)
  same_file "$pc_libdir" "$prefix/$libdir" && ok "libdir is the install prefix's ($pc_libdir)" || fail "libdir '$pc_libdir' is not $prefix/$libdir"
  same_file "$pc_incdir" "$prefix/include" && ok "includedir is the install prefix's ($pc_incdir)" || fail "includedir '$pc_incdir' is not $prefix/include"
  cflags=$(pkg-config --cflags petal) && libs=$(pkg-config --libs petal) || fail "pkg-config --cflags --libs petal"
  echo "cflags: $cflags"
  echo "libs:   $libs"

  # A C program (petal's C API is plain C) that includes every installed C header.
  src="$work/pc_consumer.c"
  {
    echo "/* generated by tests/install/install_test.sh */"
    for h in "$prefix"/include/petal/*.h; do echo "#include <petal/$(basename "$h")>"; done
    cat <<'EOC'
int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetalInitializePackage());
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "pc_consumer: petal %s, Kokkos %s, PetalMeshLoad event %s\n", PETAL_VERSION_STRING,
                        PetalKokkosExecutionSpaceName(), PETAL_MeshLoad ? "registered" : "MISSING"));
  PetscCall(PetscFinalize());
  return 0;
}
EOC
  } >"$src"
  # shellcheck disable=SC2086 # flags are word lists
  run "$mpicc" $cflags "$src" -o "$work/pc_consumer" $libs
  [ "$rc" = 0 ] && ok "compiled with \$(pkg-config --cflags --libs petal)" || fail "compile exited with $rc"
  if [ -x "$work/pc_consumer" ]; then
    export LD_LIBRARY_PATH="$pc_libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    same_file "$(resolved_petal "$work/pc_consumer")" "$prefix/$libdir/libpetal.so" && ok "pc_consumer resolves libpetal.so in the prefix" \
      || fail "pc_consumer resolves libpetal.so to '$(resolved_petal "$work/pc_consumer")'"
    run "$work/pc_consumer" -petal_view
    [ "$rc" = 0 ] && ok "pc_consumer ran" || fail "pc_consumer exited with $rc"
    expect_in "$out" "pc_consumer: petal $version, Kokkos $exec_space, PetalMeshLoad event registered" "pc_consumer's output"
    expect_in "$out" "$petal_view_line" "-petal_view in pc_consumer"
  fi

  # The installed library is also the plugin: load it into a program that links PETSc only.
  if [ -n "$host" ]; then
    unset LD_LIBRARY_PATH
    run "$host" -dll_append "$pc_libdir/libpetal.so" -petal_view
    [ "$rc" = 0 ] && ok "PETSc-only host ran with the installed plugin" || fail "host exited with $rc"
    expect_in "$out" "$petal_view_line" "installed libpetal.so loaded by -dll_append"
  fi
  ;;

*) echo "install_test.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac
finish
