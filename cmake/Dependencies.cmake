# Every dependency comes from a Debian package (ci/setup installs them);
# nothing is vendored or downloaded at build time.
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED)            # Asio and Beast are header-only
find_package(CLI11 CONFIG REQUIRED)
find_package(nlohmann_json 3.10 CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
if(LEAKBENCH_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(LEAKBENCH_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()

# yaml-cpp 0.7 on Debian exports a plain `yaml-cpp` target; give it one name.
if(TARGET yaml-cpp AND NOT TARGET yaml-cpp::yaml-cpp)
  add_library(yaml-cpp::yaml-cpp ALIAS yaml-cpp)
endif()

# The engine (core/): libcurl for the Docker API and Loki, prometheus-cpp for
# /metrics, spdlog for its own log.
find_package(CURL REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
