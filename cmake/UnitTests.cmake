# Registers a unit-test executable with CTest, label `unit`.
#
#   leakbench_unit_tests(<target>)
#
# By default each GoogleTest test is its own CTest test (gtest_discover_tests),
# so `ctest -R` picks one and a failure names it. With
# LEAKBENCH_UNIT_TESTS_PER_BINARY=ON (the asan and tsan presets, and ci/test)
# the executable is one CTest test that runs all of its tests in one
# process: under ASan+UBSan a process costs about 0.12 CPU-s before its
# first test (shadow memory), and
# there are about 860 unit tests. Measured here on logcap_config_test: 71
# tests as separate processes 4.9 CPU-s, in one process 0.5 CPU-s. GoogleTest
# still names each failing test in the output (--output-on-failure). Only
# unit tests are grouped: the process, integration and fault suites wait for
# timelines, and run one test per process so that they wait side by side.
# ci/test turns it on for its release build too (there 863 processes took 70
# CPU-s against 13 for 22); a release build configured by the preset alone
# keeps one CTest test per GoogleTest test.
option(LEAKBENCH_UNIT_TESTS_PER_BINARY "Run each unit-test executable as one CTest test" OFF)

function(leakbench_unit_tests target)
  if(LEAKBENCH_UNIT_TESTS_PER_BINARY)
    # --gtest_brief: the log keeps failures only (GoogleTest 1.11+).
    add_test(NAME ${target} COMMAND ${target} --gtest_brief=1)
    # COST: a whole executable runs longer than most single tests; on a clean
    # clone (no timings yet) ctest starts the costly ones first.
    set_tests_properties(${target} PROPERTIES LABELS unit COST 10)
  else()
    gtest_discover_tests(${target} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
  endif()
endfunction()
