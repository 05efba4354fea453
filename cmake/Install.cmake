# `cmake --install BUILD --prefix P`: leakbench, fake-dockerd and log-capturer
# in P/bin; the scenarios, the report tool and the followers in
# P/share/leakbench (the Go followers in P/libexec/leakbench/go, installed by
# harness/followers/go). leakbench finds them beside itself
# (harness/run/install_layout.h), so an installed leakbench runs from any
# directory without the source or build tree.
install(TARGETS leakbench fake-dockerd log-capturer RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/ DESTINATION ${CMAKE_INSTALL_DATADIR}/leakbench/scenarios
        FILES_MATCHING PATTERN "*.yaml" PATTERN "README.md")
install(PROGRAMS ${PROJECT_SOURCE_DIR}/reports/leakbench-report DESTINATION ${CMAKE_INSTALL_DATADIR}/leakbench/reports)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/reports/leakbench_report DESTINATION ${CMAKE_INSTALL_DATADIR}/leakbench/reports
        PATTERN "__pycache__" EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/harness/followers/shell DESTINATION ${CMAKE_INSTALL_DATADIR}/leakbench/followers
        USE_SOURCE_PERMISSIONS)
