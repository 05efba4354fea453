# Links with lld when the compiler can use it (Debian's `lld`, which ci/setup
# installs), else with the system's default linker. The output is the same
# program; lld takes less CPU: linking leakbench_fleet_prometheus_test took
# 1.35 CPU-s with GNU ld and 0.50 with lld here, and a build links about
# 50 executables.
#
#   LEAKBENCH_LLD  ON (default): use lld when it works; OFF: the default linker.
option(LEAKBENCH_LLD "Link with lld when the compiler can use it" ON)
if(LEAKBENCH_LLD)
  include(CheckLinkerFlag)
  check_linker_flag(CXX "-fuse-ld=lld" LEAKBENCH_LINKER_LLD_WORKS)
  if(LEAKBENCH_LINKER_LLD_WORKS)
    add_link_options(-fuse-ld=lld)
  else()
    message(STATUS "leakbench: lld not found, linking with the default linker (apt-get install lld)")
  endif()
endif()
