# Install rules: library, public headers, CMake package (find_package(Petal) -> petal::petal), pkg-config.
include(CMakePackageConfigHelpers)
set(PETAL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Petal)

install(TARGETS petal EXPORT PetalTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/petal DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/include/petal/petalconfig.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/petal)
install(EXPORT PetalTargets NAMESPACE petal:: DESTINATION ${PETAL_CMAKE_DIR})

configure_package_config_file(cmake/PetalConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/PetalConfig.cmake
                              INSTALL_DESTINATION ${PETAL_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/PetalConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/PetalConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/PetalConfigVersion.cmake
              cmake/PetalDependencies.cmake
        DESTINATION ${PETAL_CMAKE_DIR})

# A sanitizer build's consumers must be built with the same sanitizers (their runtime has to come first).
set(PETAL_PC_SANITIZE "")
if(PETAL_SANITIZE)
  set(PETAL_PC_SANITIZE "-fsanitize=${PETAL_SANITIZE}")
endif()

# petal.pc finds the install tree from its own location (${pcfiledir}); a prefix fixed at configure time
# (CMAKE_INSTALL_PREFIX) would be wrong after `cmake --install <build> --prefix <elsewhere>`.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(PETAL_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(PETAL_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH _petal_pc_up "/_p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/_p")
  string(REGEX REPLACE "/$" "" _petal_pc_up "${_petal_pc_up}")
  set(PETAL_PC_PREFIX "\${pcfiledir}/${_petal_pc_up}")
  set(PETAL_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(PETAL_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(PETAL_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(cmake/petal.pc.in ${CMAKE_CURRENT_BINARY_DIR}/petal.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/petal.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
