# Hot code: the few libraries and files whose tests compute rather than wait,
# kept optimised in a build that otherwise compiles without optimisation (the
# asan preset).
#
# The ASan+UBSan build compiles at -O0. Its tests mostly wait (for
# rotations, timelines, a fake daemon), and at -O1 the optimiser was half of
# the build: a clean `cmake --build --preset asan` took 666 CPU-s at -O1 and
# 412 at -O0 with the code below at -O1, measured back to back here (clang's
# -ftime-trace put 261 of 550 CPU-s in the libraries' optimiser and code
# generation).
# -O0 costs the sanitizers nothing: they check every load and store there,
# none optimised away. A few tests do compute, and the code they spend their
# time in keeps LEAKBENCH_HOT_CODE_OPT. Measured under ASan: the position
# tests (the resume filter's property tests) 28.0 CPU-s with everything at
# -O0, 13.7 at -O1; the statistics tests 7.4 and 1.2; the Docker tests 11.9 s
# with docker_json.cc at -O0, 4.0 with it at -O1. The whole ASan suite took
# 180 CPU-s all at -O0, 146 with this split, 112 all at -O1.
#
# Only code that no other unit instantiates gains: a template (std::
# nth_element on a vector, nlohmann::json) also instantiated at -O0 elsewhere
# may be linked from that copy.
#
#   LEAKBENCH_HOT_CODE_OPT  the flag for hot code, e.g. -O1 (the asan
#                           preset); empty (the default): the build type's
#                           flags, like every other library.
#
#   leakbench_hot_code(<target>...)          marks whole libraries as hot.
#   leakbench_hot_code(SOURCES <file>...)    marks single source files (of
#                                            the calling directory) as hot;
#                                            CMake compiles each outside the
#                                            target's unity sources.
set(LEAKBENCH_HOT_CODE_OPT "" CACHE STRING
  "Optimisation flag for hot libraries in otherwise unoptimised builds (empty: build type's flags)")

function(leakbench_hot_code)
  cmake_parse_arguments(PARSE_ARGV 0 hot "" "" "SOURCES")
  if(NOT LEAKBENCH_HOT_CODE_OPT)
    return()
  endif()
  foreach(target IN LISTS hot_UNPARSED_ARGUMENTS)
    target_compile_options(${target} PRIVATE ${LEAKBENCH_HOT_CODE_OPT})
  endforeach()
  if(hot_SOURCES)
    set_property(SOURCE ${hot_SOURCES} APPEND PROPERTY COMPILE_OPTIONS ${LEAKBENCH_HOT_CODE_OPT})
  endif()
endfunction()
