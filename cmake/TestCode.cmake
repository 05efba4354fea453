# Test code is compiled with less optimisation than the code under test: a
# test's own body needs none, and GoogleTest's macros are what the compiler
# spends its time on (at -O2 about twice the time of -O1; under ASan+UBSan
# with GCC, -O1 took 47.5 s of CPU on the largest test unit, clang -O0 9.3 s).
# The code under test (every library and program) keeps the build type's
# flags, so each suite still tests the code that ships in that build.
#
#   LEAKBENCH_TEST_CODE_OPT  the flag for test code, e.g. -O0 (the asan
#                            preset); empty: -O1 in optimised builds
#                            (RelWithDebInfo, Release), the build type's
#                            flags otherwise.
#
# A target is test code when it links GoogleTest itself (test executables and
# the test-support libraries); benchmarks link Google Benchmark, not GoogleTest,
# and keep the build type's flags.
set(LEAKBENCH_TEST_CODE_OPT "" CACHE STRING
  "Optimisation flag for test code (empty: -O1 in optimised builds)")

function(leakbench_compile_test_code dir flag)
  get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY)$")
      continue()
    endif()
    get_target_property(libs ${target} LINK_LIBRARIES)
    if(libs MATCHES "GTest::")
      set_property(TARGET ${target} APPEND PROPERTY COMPILE_OPTIONS "${flag}")
    endif()
  endforeach()
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(subdir IN LISTS subdirs)
    leakbench_compile_test_code("${subdir}" "${flag}")
  endforeach()
endfunction()

if(LEAKBENCH_BUILD_TESTS)
  if(LEAKBENCH_TEST_CODE_OPT)
    leakbench_compile_test_code("${PROJECT_SOURCE_DIR}" "${LEAKBENCH_TEST_CODE_OPT}")
  else()
    leakbench_compile_test_code("${PROJECT_SOURCE_DIR}" "$<$<CONFIG:RelWithDebInfo,Release>:-O1>")
  endif()
endif()
