# Helpers shared by the folders' CMakeLists: warnings, sanitizers, and the libraries that
# are built twice, once in float (heed_<name>) and once in double (heed_<name>_f64).

add_library(heed_options INTERFACE)
target_compile_options(heed_options INTERFACE -Wall -Wextra -Wshadow -Wpedantic -Wnon-virtual-dtor)
if(HEED_WERROR)
  target_compile_options(heed_options INTERFACE -Werror)
endif()
if(HEED_NATIVE)
  target_compile_options(heed_options INTERFACE -march=native)
endif()
if(HEED_SANITIZE)
  target_compile_options(heed_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                -fno-sanitize-recover=undefined)
  target_link_options(heed_options INTERFACE -fsanitize=address,undefined)
endif()

# heed_scalar_library(NAME SOURCES ... [LINK lib ...] [PUBLIC_LINK target ...])
# Builds heed_NAME (float) and heed_NAME_f64 (double, HEED_DOUBLE defined). LINK names other
# heed scalar libraries by their short name; each variant links the variant of the same scalar.
function(heed_scalar_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LINK;PUBLIC_LINK" ${ARGN})
  foreach(suffix "" "_f64")
    set(target heed_${name}${suffix})
    add_library(${target} STATIC ${ARG_SOURCES})
    add_library(heed::${name}${suffix} ALIAS ${target})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_LINK} PRIVATE heed_options)
    foreach(dep ${ARG_LINK})
      target_link_libraries(${target} PUBLIC heed_${dep}${suffix})
    endforeach()
    if(suffix STREQUAL "_f64")
      target_compile_definitions(${target} PUBLIC HEED_DOUBLE)
    endif()
  endforeach()
endfunction()
