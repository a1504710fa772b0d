# SPDX-License-Identifier: MIT
# cmake -P driver of the consumer_package test: installs the current Afterwork build into a fresh
# prefix, then configures, builds and runs tests/consumer/project against that prefix only.
#
# Inputs (-D): AFTERWORK_BUILD_DIR, CONSUMER_SOURCE_DIR, WORK_DIR, GENERATOR, CXX_COMPILER; optional:
#              CONFIG (the build type), SANITIZE (comma-separated -fsanitize= list), Qt6_DIR and
#              QCoro6_DIR (to find the very Qt and QCoro that Afterwork was built with).

foreach(input IN ITEMS AFTERWORK_BUILD_DIR CONSUMER_SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER)
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

foreach(expected IN ITEMS
        "include/afterwork/taskengine.h"
        "include/afterwork/detail/work.h"
        "include/afterwork/protocol/wire.h"
        "include/afterwork/eventpublisher.h"
        "include/afterwork/qcoro.h"
        "include/afterwork/client/localsocketsource.h"
        "include/afterwork/http/taskrouter.h")
    if(NOT EXISTS "${prefix}/${expected}")
        message(FATAL_ERROR "consumer test: the install has no ${expected}")
    endif()
endforeach()
file(GLOB_RECURSE config_files "${prefix}/*/AfterworkConfig.cmake")
if(NOT config_files)
    message(FATAL_ERROR "consumer test: the install has no AfterworkConfig.cmake")
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

# Configures, builds and runs the consumer in <WORK_DIR>/<label> with the extra configure arguments.
function(build_and_run label)
    set(consumer_build "${WORK_DIR}/${label}")
    run_step("configure the consumer (${label})"
        "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${consumer_build}" ${common_args} ${ARGN})

    file(STRINGS "${consumer_build}/CMakeCache.txt" afterwork_dir REGEX "^Afterwork_DIR:")
    string(REGEX REPLACE "^Afterwork_DIR:[A-Z]+=" "" afterwork_dir "${afterwork_dir}")
    string(FIND "${afterwork_dir}" "${prefix}/" at)
    if(NOT at EQUAL 0)
        message(FATAL_ERROR "consumer test: found Afterwork in '${afterwork_dir}', not in ${prefix}")
    endif()

    run_step("build the consumer (${label})" "${CMAKE_COMMAND}" --build "${consumer_build}" ${config_args})
    find_program(consumer_${label} afterwork_consumer
        PATHS "${consumer_build}" "${consumer_build}/${CONFIG}" NO_DEFAULT_PATH NO_CACHE REQUIRED)
    run_step("run the consumer (${label})" "${consumer_${label}}")
endfunction()

# An application that embeds only the engine needs QtCore and nothing else: the packages the other
# components use are hidden from find_package().
build_and_run(engine-only -DCONSUMER_ENGINE_ONLY=ON
    -DCMAKE_DISABLE_FIND_PACKAGE_Qt6Network=ON
    -DCMAKE_DISABLE_FIND_PACKAGE_Qt6HttpServer=ON
    -DCMAKE_DISABLE_FIND_PACKAGE_QCoro6=ON)
build_and_run(every-component)
message(STATUS "consumer test: passed")
