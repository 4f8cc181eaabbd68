# libtorch (optional): only the DCDM trainer petal-train-dcdm, its forward benchmark and their tests use it
# (drivers/dcdm_train/, tests/dcdm_train/). libpetal never links it, so a petal built without libtorch is the
# same library.
#   PETAL_WITH_TORCH=AUTO (default): build the trainer when find_package(Torch) succeeds, say so when not.
#   PETAL_WITH_TORCH=ON: libtorch is required (configure fails without it).  OFF: never look for it.
# Sets PETAL_HAVE_TORCH and, when found, the imported target `torch` (visible to every subdirectory).
set(PETAL_WITH_TORCH AUTO CACHE STRING "Build the libtorch DCDM trainer: AUTO (when found), ON (required), OFF")
set_property(CACHE PETAL_WITH_TORCH PROPERTY STRINGS AUTO ON OFF)
string(TOUPPER "${PETAL_WITH_TORCH}" _petal_torch_mode)
if(NOT _petal_torch_mode MATCHES "^(AUTO|ON|OFF|TRUE|FALSE|YES|NO|1|0)$")
  message(FATAL_ERROR "PETAL_WITH_TORCH must be AUTO, ON or OFF, got '${PETAL_WITH_TORCH}'")
endif()

set(PETAL_HAVE_TORCH FALSE)
if(NOT _petal_torch_mode MATCHES "^(OFF|FALSE|NO|0)$")
  # Debian's libtorch-dev installs its package configuration outside CMake's default search path.
  list(APPEND CMAKE_PREFIX_PATH /usr/lib/x86_64-linux-gnu/cmake/Torch)
  if(_petal_torch_mode STREQUAL "AUTO")
    find_package(Torch QUIET)
  else()
    find_package(Torch REQUIRED)
  endif()
  if(Torch_FOUND AND TARGET torch)
    set(PETAL_HAVE_TORCH TRUE)
    message(STATUS "petal: libtorch ${Torch_VERSION} found: building petal-train-dcdm and its tests")
  endif()
endif()
if(NOT PETAL_HAVE_TORCH)
  message(STATUS "petal: libtorch not used (PETAL_WITH_TORCH=${PETAL_WITH_TORCH}): petal-train-dcdm and its "
                 "tests are not built (Debian: apt-get install libtorch-dev)")
endif()
