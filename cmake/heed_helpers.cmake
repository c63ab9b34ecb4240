# Helpers shared by the folders' CMakeLists: warnings, sanitizers, include directories, and the
# libraries that are built twice, once in float (heed_<name>) and once in double (heed_<name>_f64).

add_library(heed_options INTERFACE)
target_compile_options(heed_options INTERFACE -Wall -Wextra -Wshadow -Wpedantic -Wnon-virtual-dtor)
if(HEED_WERROR)
  target_compile_options(heed_options INTERFACE -Werror)
endif()
# The default build runs on any x86-64-v3 CPU (AVX2 and FMA: Haswell, Zen and later) and picks
# AVX-512 at run time for heed's own hot loops (autograd/cpu_kernels.h); HEED_NATIVE builds for
# this machine's CPU only.
if(HEED_NATIVE)
  target_compile_options(heed_options INTERFACE -march=native)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  target_compile_options(heed_options INTERFACE -march=x86-64-v3)
endif()
if(HEED_SANITIZE)
  target_compile_options(heed_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                -fno-sanitize-recover=undefined)
  target_link_options(heed_options INTERFACE -fsanitize=address,undefined)
endif()

# heed_library_setup(TARGET EXPORT_NAME): what every heed library shares. Includes are rooted at
# the repository ("autograd/tensor.h"); build/include/heed mirrors the installed include/heed
# (cmake/heed_install.cmake), so <heed/heed.h> and <heed/autograd/tensor.h> work in the tree as
# they do installed. heed's warnings and -march stay its own: they are not passed to users.
function(heed_library_setup target export_name)
  target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
                                              $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
                                              $<INSTALL_INTERFACE:include> $<INSTALL_INTERFACE:include/heed>)
  target_link_libraries(${target} PRIVATE $<BUILD_INTERFACE:heed_options>)
  target_compile_features(${target} PUBLIC cxx_std_20)  # heed's headers need it
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
endfunction()

# heed_scalar_library(NAME SOURCES ... [LINK lib ...] [PUBLIC_LINK target ...])
# Builds heed_NAME (float) and heed_NAME_f64 (double, HEED_DOUBLE defined). LINK names other
# heed scalar libraries by their short name; each variant links the variant of the same scalar.
function(heed_scalar_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LINK;PUBLIC_LINK" ${ARGN})
  foreach(suffix "" "_f64")
    set(target heed_${name}${suffix})
    add_library(${target} STATIC ${ARG_SOURCES})
    add_library(heed::${name}${suffix} ALIAS ${target})
    heed_library_setup(${target} ${name}${suffix})
    target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_LINK})
    foreach(dep ${ARG_LINK})
      target_link_libraries(${target} PUBLIC heed_${dep}${suffix})
    endforeach()
    if(suffix STREQUAL "_f64")
      target_compile_definitions(${target} PUBLIC HEED_DOUBLE)
    endif()
  endforeach()
endfunction()
