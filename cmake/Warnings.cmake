# Warning flags live on an INTERFACE target that each of our targets links
# privately, so nothing leaks into dependencies or consumers.
add_library(leakbench_warnings INTERFACE)
add_library(leakbench::warnings ALIAS leakbench_warnings)
target_compile_options(leakbench_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough
  $<$<BOOL:${LEAKBENCH_WERROR}>:-Werror>)
option(LEAKBENCH_WERROR "Treat warnings as errors" OFF)
