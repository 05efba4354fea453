# Test code is compiled at -O1 in the optimised builds (release): a test's own
# body needs no -O2, and GoogleTest's macros at -O2 cost about twice the
# compile time. The code under test (every library and program) keeps the
# build type's flags, so the release suite still tests -O2 code.
#
# A target is test code when it links GoogleTest itself (test executables and
# the test-support libraries); benchmarks link Google Benchmark, not GoogleTest,
# and keep -O2.
function(leakbench_compile_test_code_at_O1 dir)
  get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY)$")
      continue()
    endif()
    get_target_property(libs ${target} LINK_LIBRARIES)
    if(libs MATCHES "GTest::")
      set_property(TARGET ${target} APPEND PROPERTY COMPILE_OPTIONS
        "$<$<CONFIG:RelWithDebInfo,Release>:-O1>")
    endif()
  endforeach()
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(subdir IN LISTS subdirs)
    leakbench_compile_test_code_at_O1("${subdir}")
  endforeach()
endfunction()

if(LEAKBENCH_BUILD_TESTS)
  leakbench_compile_test_code_at_O1("${PROJECT_SOURCE_DIR}")
endif()
