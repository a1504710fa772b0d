# SPDX-License-Identifier: MIT
# cmake -P driver of the resources_install test: installs the build into a fresh prefix, checks
# that afterwork-monitor and its desktop integration are where desktops look for them, and runs
# the freedesktop validators on the installed desktop entry and metainfo, and on the prefix. Warnings fail as errors
# do: a software centre or a menu may drop an entry over either.
#
# Inputs (-D): AFTERWORK_BUILD_DIR, WORK_DIR (removed first), BINDIR, DATADIR (the install's
#              relative bin/ and share/); optional: CONFIG (the build type).

foreach(input IN ITEMS AFTERWORK_BUILD_DIR WORK_DIR BINDIR DATADIR)
    if(NOT DEFINED ${input} OR "${${input}}" STREQUAL "")
        message(FATAL_ERROR "check-install.cmake: -D${input}=... is required")
    endif()
endforeach()

# What is expected, stated here rather than read from resources/, so that a lost file fails.
set(id org.afterwork.Monitor)
set(icon_sizes 16 24 32 48 64 128 256)

set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

set(config_args "")
if(CONFIG)
    set(config_args --config "${CONFIG}")
endif()
execute_process(
    COMMAND "${CMAKE_COMMAND}" --install "${AFTERWORK_BUILD_DIR}" --prefix "${prefix}" ${config_args}
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "resources test: cmake --install failed (${result}):\n${output}")
endif()

set(failures "")
function(expect_file relative)
    if(NOT EXISTS "${prefix}/${relative}" OR IS_DIRECTORY "${prefix}/${relative}")
        set(failures "${failures}  missing: ${relative}\n" PARENT_SCOPE)
    endif()
endfunction()

set(desktop_entry "${DATADIR}/applications/${id}.desktop")
set(metainfo "${DATADIR}/metainfo/${id}.metainfo.xml")
expect_file("${BINDIR}/afterwork-monitor")
expect_file("${desktop_entry}")
expect_file("${metainfo}")
expect_file("${DATADIR}/icons/hicolor/scalable/apps/${id}.svg")
foreach(size IN LISTS icon_sizes)
    set(png "${DATADIR}/icons/hicolor/${size}x${size}/apps/${id}.png")
    expect_file("${png}")
    if(EXISTS "${prefix}/${png}")
        # A PNG's width and height are the big-endian words at bytes 16 and 20 (its IHDR chunk).
        file(READ "${prefix}/${png}" header LIMIT 24 HEX)
        string(SUBSTRING "${header}" 0 16 signature)
        string(SUBSTRING "${header}" 32 8 width_hex)
        string(SUBSTRING "${header}" 40 8 height_hex)
        math(EXPR width "0x${width_hex}")
        math(EXPR height "0x${height_hex}")
        if(NOT signature STREQUAL "89504e470d0a1a0a" OR NOT width EQUAL size OR NOT height EQUAL size)
            string(APPEND failures "  ${png}: not a ${size}x${size} PNG (${width}x${height})\n")
        endif()
    endif()
endforeach()
if(EXISTS "${prefix}/${desktop_entry}")
    # The validator checks the syntax; these lines tie the entry to the program and its icon.
    file(STRINGS "${prefix}/${desktop_entry}" exec_line REGEX "^Exec=")
    file(STRINGS "${prefix}/${desktop_entry}" icon_line REGEX "^Icon=")
    if(NOT exec_line STREQUAL "Exec=afterwork-monitor")
        string(APPEND failures "  ${desktop_entry}: '${exec_line}', expected Exec=afterwork-monitor\n")
    endif()
    if(NOT icon_line STREQUAL "Icon=${id}")
        string(APPEND failures "  ${desktop_entry}: '${icon_line}', expected Icon=${id}\n")
    endif()
endif()
if(failures)
    message(FATAL_ERROR "resources test: the install in ${prefix} is incomplete:\n${failures}")
endif()

# validate(<program> <Debian package> <regex of a failing line> <arguments...>): runs a validator,
# shows what it said, and fails on a non-zero exit or on any line matching the regex.
function(validate program package failing)
    find_program(validator_${program} NAMES ${program})
    if(NOT validator_${program})
        message(FATAL_ERROR "resources test: ${program} is not installed; install the Debian package "
            "${package} (scripts/install-deps.sh installs it)")
    endif()
    execute_process(COMMAND "${validator_${program}}" ${ARGN}
        RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
    list(JOIN ARGN " " arguments)
    message(STATUS "resources test: ${program} ${arguments}: exit ${result}\n${output}")
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "resources test: ${program} failed (exit ${result})")
    endif()
    string(REGEX MATCH "${failing}" match "${output}")
    if(match)
        message(FATAL_ERROR "resources test: ${program} reported a problem: ${match}")
    endif()
endfunction()

# desktop-file-validate: "<file>: error: ..." and "<file>: warning: ..."; hints are advice.
validate(desktop-file-validate desktop-file-utils "[^\n]*: (error|warning): [^\n]*"
    "${prefix}/${desktop_entry}")
# appstreamcli: one line an issue (indented under a file name by validate-tree), "E:" errors,
# "W:" warnings, "I:" infos, "P:" pedantic.
string(ASCII 27 escape)
validate(appstreamcli appstream "(^|\n)[ \t]*(${escape}\\[[0-9;]*m)?[EW]: [^\n]*"
    validate --no-net "${prefix}/${metainfo}")
# The same over the whole prefix: it also follows the metainfo's launchable to the installed
# desktop entry, so the two must agree on the desktop id.
validate(appstreamcli appstream "(^|\n)[ \t]*(${escape}\\[[0-9;]*m)?[EW]: [^\n]*"
    validate-tree --no-net "${prefix}")
message(STATUS "resources test: passed")
