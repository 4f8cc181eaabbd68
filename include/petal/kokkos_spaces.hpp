#pragma once
// The Kokkos execution and memory spaces petal's kernels run in, without PETSc: kernels in learned/ (which
// is built without PETSc's include paths) include this header; the Vec/Mat bridge (kokkos_bridge.hpp) adds
// the PETSc side on top of it.
#include <Kokkos_Core.hpp>
#include <type_traits>

namespace petal {
using ExecSpace = Kokkos::DefaultExecutionSpace;
using MemSpace  = ExecSpace::memory_space;
using Device    = Kokkos::Device<ExecSpace, MemSpace>;

// A host array seen as a View without copying (the boundary to host-only code such as PETSc's arrays).
template <class T>
using HostUnmanaged = Kokkos::View<T *, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

// True when kernels run on host memory, so host arrays can be aliased instead of mirrored.
constexpr bool kMemSpaceIsHost = std::is_same<MemSpace, Kokkos::HostSpace>::value;
} // namespace petal
