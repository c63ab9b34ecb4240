# heed as a library (README "Use heed in your project"): the targets users link, the include
# tree they see, and what `cmake --install` puts under the prefix:
#   bin/heed                         the command line
#   include/heed/heed.h, testing.h   the public headers, and the source folders' headers as they are
#   lib/libheed_*.a                  the float libraries and the double builds of autograd and layers
#   lib/cmake/heed/                  heedConfig.cmake, heedConfigVersion.cmake, heedTargets.cmake
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The headers users include, by folder; each folder's headers are installed but these.
set(HEED_PUBLIC_FOLDERS autograd layers data checkpoints train/optim train/eval train/checkpoint train/loop)
set(HEED_PRIVATE_HEADERS ops_internal.h h5_impl.h)  # shared by .cpp files only; h5_impl.h includes HDF5

# build/include/heed: links to the same headers in the installed layout, so that code built in the
# tree and code built against an installed heed include them the same way.
set(heed_include_tree ${PROJECT_BINARY_DIR}/include/heed)
file(MAKE_DIRECTORY ${heed_include_tree}/train)
foreach(path ${HEED_PUBLIC_FOLDERS} include/heed/heed.h include/heed/testing.h)
  string(REPLACE "include/heed/" "" link ${path})
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${path} ${heed_include_tree}/${link} SYMBOLIC)  # replaces an old link
endforeach()

# heed::heed: build, train, save and load models, in float.
add_library(heed_library INTERFACE)
add_library(heed::heed ALIAS heed_library)
set_target_properties(heed_library PROPERTIES EXPORT_NAME heed)
target_link_libraries(heed_library INTERFACE heed_autograd heed_layers heed_data heed_checkpoints heed_optim
                                             heed_eval heed_metrics heed_checkpoint_io heed_loop)
set(heed_exported heed_library heed_autograd heed_layers heed_data heed_checkpoints heed_optim heed_eval
                  heed_metrics heed_json heed_checkpoint_io heed_loop heed_autograd_f64 heed_layers_f64)

# heed::testing: the double-precision autograd and layers (HEED_DOUBLE), <heed/testing.h> and GoogleTest.
find_package(GTest QUIET)
if(TARGET GTest::gtest)
  add_library(heed_testing INTERFACE)
  add_library(heed::testing ALIAS heed_testing)
  set_target_properties(heed_testing PROPERTIES EXPORT_NAME testing)
  target_link_libraries(heed_testing INTERFACE heed_autograd_f64 heed_layers_f64 GTest::gtest)
  list(APPEND heed_exported heed_testing)
else()
  message(STATUS "heed: GoogleTest not found, heed::testing is not built")
endif()

install(TARGETS heed RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ${heed_exported} EXPORT heedTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
foreach(folder ${HEED_PUBLIC_FOLDERS})
  set(excluded)
  foreach(header ${HEED_PRIVATE_HEADERS})
    list(APPEND excluded PATTERN ${header} EXCLUDE)
  endforeach()
  install(DIRECTORY ${folder}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/heed/${folder}
          FILES_MATCHING PATTERN "*.h" ${excluded})
endforeach()
install(FILES include/heed/heed.h include/heed/testing.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/heed)

set(heed_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/heed)
install(EXPORT heedTargets NAMESPACE heed:: DESTINATION ${heed_cmake_dir})
configure_package_config_file(cmake/heedConfig.cmake.in ${PROJECT_BINARY_DIR}/heedConfig.cmake
                              INSTALL_DESTINATION ${heed_cmake_dir})
# 0.x: a new minor version may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/heedConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/heedConfig.cmake ${PROJECT_BINARY_DIR}/heedConfigVersion.cmake
        DESTINATION ${heed_cmake_dir})

# `cpack -G DEB` in the build directory: the same install as a Debian package. A package for other
# machines needs -DHEED_NATIVE=OFF (heed's code is otherwise compiled for this CPU).
set(CPACK_PACKAGE_NAME heed)
set(CPACK_PACKAGE_CONTACT "heed developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Small C++ training framework built around attention")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(heed_deb_depends "libeigen3-dev, libhdf5-dev, zlib1g-dev, libboost-program-options-dev, libgtest-dev, nlohmann-json3-dev, libsentencepiece-dev")
if(HEED_BLAS AND HEED_OPENBLAS_LIBRARY)
  string(APPEND heed_deb_depends ", libopenblas-dev")
endif()
if(HEED_BLAS AND HEED_DNNL_INCLUDE_DIR)
  string(APPEND heed_deb_depends ", libdnnl2")  # loaded by --int8 (autograd/int8_linear.cpp)
endif()
if(HEED_HAVE_CAIRO)  # bin/heed draws with it
  string(APPEND heed_deb_depends ", libcairo2")
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${heed_deb_depends}")
include(CPack)
