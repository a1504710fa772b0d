# afterwork_add_test(<name> SOURCES <files...> [LIBRARIES <targets...>] [TIMEOUT <seconds>] [GUI])
# One Qt Test executable per unit. Every test gets a TIMEOUT (default 60 s), runs with the
# offscreen platform, and never waits for gdb's stack dump when a test crashes.
function(afterwork_add_test name)
    cmake_parse_arguments(ARG "GUI" "TIMEOUT" "SOURCES;LIBRARIES;LABELS" ${ARGN})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 60)
    endif()
    qt_add_executable(${name} ${ARG_SOURCES})
    set_target_properties(${name} PROPERTIES MACOSX_BUNDLE OFF WIN32_EXECUTABLE OFF)
    target_link_libraries(${name} PRIVATE Qt6::Test ${ARG_LIBRARIES})
    afterwork_target_warnings(${name})
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES
        TIMEOUT ${ARG_TIMEOUT}
        LABELS "${ARG_LABELS}"
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;QTEST_DISABLE_STACK_DUMP=1;QT_LOGGING_RULES=afterwork.*.debug=false")
endfunction()
