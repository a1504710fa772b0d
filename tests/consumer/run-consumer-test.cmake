# SPDX-License-Identifier: MIT
# cmake -P driver of the consumer_package test: installs the current Afterwork build into a fresh
# prefix, checks that the files docs/building.md lists are there, then configures, builds and runs
# tests/consumer/project against that prefix only, and a copy of examples/embedding as a project
# of its own.
#
# Inputs (-D): AFTERWORK_BUILD_DIR, CONSUMER_SOURCE_DIR, WORK_DIR, GENERATOR, CXX_COMPILER, BINDIR,
#              LIBDIR, CMAKEDIR (the install's relative bin/, lib/ and package folders); optional:
#              EXAMPLE_SOURCE_DIR (examples/embedding), PROGRAMS and LIBRARIES (comma-separated:
#              the programs and static libraries, by file name, the install must have), CONFIG
#              (the build type), SANITIZE (comma-separated -fsanitize= list), Qt6_DIR and
#              QCoro6_DIR (to find the very Qt and QCoro that Afterwork was built with).

foreach(input IN ITEMS AFTERWORK_BUILD_DIR CONSUMER_SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER BINDIR LIBDIR CMAKEDIR)
    if(NOT DEFINED ${input} OR "${${input}}" STREQUAL "")
        message(FATAL_ERROR "run-consumer-test.cmake: -D${input}=... is required")
    endif()
endforeach()

set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(run_step what)
    message(STATUS "consumer test: ${what}")
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE result COMMAND_ECHO STDOUT)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "consumer test: '${what}' failed (${result})")
    endif()
endfunction()

set(config_args "")
if(CONFIG)
    set(config_args --config "${CONFIG}")
endif()

run_step("install Afterwork into ${prefix}"
    "${CMAKE_COMMAND}" --install "${AFTERWORK_BUILD_DIR}" --prefix "${prefix}" ${config_args})

# What docs/building.md says is installed, stated here so that a lost file fails.
string(REPLACE "," ";" programs "${PROGRAMS}")
string(REPLACE "," ";" libraries "${LIBRARIES}")
set(expected_files
    "include/afterwork/taskengine.h"
    "include/afterwork/detail/work.h"
    "include/afterwork/protocol/wire.h"
    "include/afterwork/eventpublisher.h"
    "include/afterwork/qcoro.h"
    "include/afterwork/client/localsocketsource.h"
    "include/afterwork/http/taskrouter.h"
    "include/afterwork/http/taskmetrics.h"
    "${CMAKEDIR}/AfterworkConfig.cmake"
    "${CMAKEDIR}/AfterworkConfigVersion.cmake"
    "${CMAKEDIR}/AfterworkEngineTargets.cmake")
foreach(library IN LISTS libraries)
    list(APPEND expected_files "${LIBDIR}/${library}")
endforeach()
foreach(program IN LISTS programs)
    list(APPEND expected_files "${BINDIR}/${program}")
endforeach()
set(missing "")
foreach(expected IN LISTS expected_files)
    if(NOT EXISTS "${prefix}/${expected}")
        string(APPEND missing "  ${expected}\n")
    endif()
endforeach()
if(missing)
    message(FATAL_ERROR "consumer test: the install in ${prefix} lacks:\n${missing}")
endif()

# The consumer finds Afterwork in the fresh prefix and nowhere else (no package registry).
set(common_args
    -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_PREFIX_PATH=${prefix}"
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
if(CONFIG)
    list(APPEND common_args "-DCMAKE_BUILD_TYPE=${CONFIG}")
endif()
foreach(package_dir IN ITEMS Qt6_DIR QCoro6_DIR)
    if(${package_dir})
        list(APPEND common_args "-D${package_dir}=${${package_dir}}")
    endif()
endforeach()
if(SANITIZE)
    # Afterwork's static library was built with sanitizers: its consumer must link their runtimes.
    list(APPEND common_args
        "-DCMAKE_CXX_FLAGS=-fsanitize=${SANITIZE} -fno-omit-frame-pointer"
        "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=${SANITIZE}")
endif()

# Configures and builds <source> in <WORK_DIR>/<label> with the extra configure arguments, checks
# that it found Afterwork in the prefix, and sets <out_var> to its program <program>.
function(configure_and_build label source program out_var)
    set(build "${WORK_DIR}/${label}")
    run_step("configure ${label}" "${CMAKE_COMMAND}" -S "${source}" -B "${build}" ${common_args} ${ARGN})

    file(STRINGS "${build}/CMakeCache.txt" afterwork_dir REGEX "^Afterwork_DIR:")
    string(REGEX REPLACE "^Afterwork_DIR:[A-Z]+=" "" afterwork_dir "${afterwork_dir}")
    string(FIND "${afterwork_dir}" "${prefix}/" at)
    if(NOT at EQUAL 0)
        message(FATAL_ERROR "consumer test: ${label} found Afterwork in '${afterwork_dir}', not in ${prefix}")
    endif()

    run_step("build ${label}" "${CMAKE_COMMAND}" --build "${build}" ${config_args})
    find_program(program_${label} ${program} PATHS "${build}" "${build}/${CONFIG}" NO_DEFAULT_PATH NO_CACHE REQUIRED)
    set(${out_var} "${program_${label}}" PARENT_SCOPE)
endfunction()

# An application that embeds only the engine needs QtCore and nothing else: the packages the other
# components use are hidden from find_package().
configure_and_build(engine-only "${CONSUMER_SOURCE_DIR}" afterwork_consumer consumer -DCONSUMER_ENGINE_ONLY=ON
    -DCMAKE_DISABLE_FIND_PACKAGE_Qt6Network=ON
    -DCMAKE_DISABLE_FIND_PACKAGE_Qt6HttpServer=ON
    -DCMAKE_DISABLE_FIND_PACKAGE_QCoro6=ON)
run_step("run the consumer (engine-only)" "${consumer}")
configure_and_build(every-component "${CONSUMER_SOURCE_DIR}" afterwork_consumer consumer)
run_step("run the consumer (every-component)" "${consumer}")

# examples/embedding, copied out of the tree as a user would, is a project of its own: it builds
# against the prefix alone (with QCoro, its coroutine too) and runs to its end.
if(EXAMPLE_SOURCE_DIR)
    set(example_source "${WORK_DIR}/embedding-source")
    file(COPY "${EXAMPLE_SOURCE_DIR}/" DESTINATION "${example_source}")
    configure_and_build(embedding-example "${example_source}" afterwork-embedding example
        -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)

    # Nothing of the tree: no include folder of a library's sources on any compile line.
    cmake_path(GET EXAMPLE_SOURCE_DIR PARENT_PATH examples_dir)
    cmake_path(GET examples_dir PARENT_PATH tree)
    set(compile_commands "${WORK_DIR}/embedding-example/compile_commands.json")
    if(EXISTS "${compile_commands}")
        file(READ "${compile_commands}" commands)
        foreach(library_dir IN ITEMS protocol engine stream coro client http)
            string(FIND "${commands}" "${tree}/${library_dir}/include" at)
            if(NOT at EQUAL -1)
                message(FATAL_ERROR "consumer test: the example's copy compiles with ${tree}/${library_dir}/include")
            endif()
        endforeach()
    endif()

    message(STATUS "consumer test: run the example")
    execute_process(COMMAND "${example}" RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
    message(STATUS "consumer test: the example exited with ${result}:\n${output}")
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "consumer test: the example's copy failed (${result})")
    endif()
    # Its last lines, and a line of the coroutine's task (whichever way it ends) when QCoro is there.
    set(expected_lines "shutdown: finished=" "scheduling after shutdown fails:" "charge_card")
    if(QCoro6_DIR)
        list(APPEND expected_lines "fetch_rates")
    endif()
    foreach(expected IN LISTS expected_lines)
        string(FIND "${output}" "${expected}" at)
        if(at EQUAL -1)
            message(FATAL_ERROR "consumer test: the example's output lacks '${expected}'")
        endif()
    endforeach()
endif()
message(STATUS "consumer test: passed")
