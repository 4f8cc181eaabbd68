# Finds everything petal links against. Included by the build and by the installed PetalConfig.cmake,
# because the exported petal::petal target refers to PkgConfig::PETSc, Kokkos::kokkos, HDF5::HDF5, MPI.
include(CMakeFindDependencyMacro)

# petal::petal's interface needs C (PETSc, MPI::MPI_C, HDF5::HDF5) and C++ (Kokkos). FindMPI and FindHDF5 only
# work for enabled languages, so a consumer with project(x LANGUAGES CXX) failed here with "MPI component 'C'
# was requested, but language C is not enabled" (and FindHDF5's try_compile of a .c file). Enable what is
# missing; like any enable_language, this needs find_package(Petal) to be called at file scope.
get_property(_petal_langs GLOBAL PROPERTY ENABLED_LANGUAGES)
foreach(_petal_l IN ITEMS C CXX)
  if(NOT _petal_l IN_LIST _petal_langs)
    enable_language(${_petal_l})
  endif()
endforeach()

find_dependency(MPI COMPONENTS C CXX)

# PETSc ships no CMake package; pkg-config is PETSc's own recommendation (share/petsc/CMakeLists.txt).
find_dependency(PkgConfig)
pkg_check_modules(PETSc REQUIRED IMPORTED_TARGET GLOBAL PETSc>=3.18)

# petscviewerhdf5.h includes <hdf5.h>, but PETSc.pc does not carry the parallel HDF5 include path.
set(HDF5_PREFER_PARALLEL TRUE)
find_dependency(HDF5 COMPONENTS C)

find_dependency(Kokkos)
# Debian's Trilinos packaging points Kokkos::kokkos at a folder that does not exist (/usr/lib/include);
# point it at the real one. A no-op for an upstream Kokkos (e.g. Kokkos 4 built for CUDA).
if(TARGET Kokkos::kokkos)
  get_target_property(_petal_kinc Kokkos::kokkos INTERFACE_INCLUDE_DIRECTORIES)
  set(_petal_kinc_ok TRUE)
  foreach(_d IN LISTS _petal_kinc)
    if(NOT _d MATCHES "^\\$<" AND NOT EXISTS "${_d}")
      set(_petal_kinc_ok FALSE)
    endif()
  endforeach()
  if(NOT _petal_kinc_ok AND Kokkos_INCLUDE_DIRS)
    get_filename_component(_petal_kreal "${Kokkos_INCLUDE_DIRS}" REALPATH)
    set_property(TARGET Kokkos::kokkos PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${_petal_kreal}")
  endif()
endif()

# Kokkos Kernels: upstream exports Kokkos::kokkoskernels; Debian's Trilinos packaging only a library list.
find_dependency(KokkosKernels)
if(NOT TARGET petal_kokkoskernels)
  add_library(petal_kokkoskernels INTERFACE IMPORTED GLOBAL)
  if(TARGET Kokkos::kokkoskernels)
    target_link_libraries(petal_kokkoskernels INTERFACE Kokkos::kokkoskernels)
  else()
    set(_petal_kk_libs)
    foreach(_l IN LISTS KokkosKernels_LIBRARIES)
      if(TARGET ${_l})
        list(APPEND _petal_kk_libs ${_l})
      else()
        find_library(_petal_kk_${_l} NAMES ${_l} trilinos_${_l} HINTS ${KokkosKernels_LIBRARY_DIRS})
        if(_petal_kk_${_l})
          list(APPEND _petal_kk_libs ${_petal_kk_${_l}})
        endif()
      endif()
    endforeach()
    target_link_libraries(petal_kokkoskernels INTERFACE ${_petal_kk_libs} Kokkos::kokkos)
    if(KokkosKernels_INCLUDE_DIRS)
      get_filename_component(_petal_kkinc "${KokkosKernels_INCLUDE_DIRS}" REALPATH)
      if(EXISTS "${_petal_kkinc}")
        target_include_directories(petal_kokkoskernels INTERFACE "${_petal_kkinc}")
      endif()
    endif()
  endif()
endif()

# SLEPc (optional): Krylov eigensolvers for the KKT spectra of AdaSketch-Newton at PDE scale
# (solvers/adasketch/sketch/kkt_spectra_iterative.cpp). Without it only the dense path is available.
pkg_check_modules(SLEPc IMPORTED_TARGET GLOBAL slepc>=3.18)
