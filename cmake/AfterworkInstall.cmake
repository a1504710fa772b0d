# SPDX-License-Identifier: MIT
#
# Installs Afterwork as a CMake package, so that another project can
#
#   find_package(Afterwork REQUIRED)               # or: COMPONENTS Engine Coro
#   target_link_libraries(app PRIVATE Afterwork::Engine)
#
# Every library registers itself with one call, from any CMakeLists.txt included after this file:
#
#   afterwork_install_library(<target> [OPTIONAL]
#                             [INCLUDE_DIR <dir with an afterwork/ folder of headers>]
#                             [DEPENDENCY "<find_dependency() arguments>"]...)
#
# The target is exported as Afterwork::<its EXPORT_NAME>; INCLUDE_DIR's headers go to
# <prefix>/include; each DEPENDENCY becomes a find_dependency() line in AfterworkConfig.cmake.
# OPTIONAL skips a target that was not created (e.g. Afterwork::Coro without QCoro). The package
# itself is written at the end of the top-level CMakeLists.txt, once every target exists.

include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

option(AFTERWORK_INSTALL "Generate Afterwork's install rules and CMake package" ${PROJECT_IS_TOP_LEVEL})
set(AFTERWORK_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/Afterwork" CACHE STRING
    "Where AfterworkConfig.cmake is installed, relative to the prefix")

function(afterwork_install_library target)
    cmake_parse_arguments(PARSE_ARGV 1 ARG "OPTIONAL" "INCLUDE_DIR" "DEPENDENCY")
    if(ARG_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "afterwork_install_library(${target}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
    endif()
    set_property(GLOBAL APPEND PROPERTY AFTERWORK_PACKAGE_TARGETS ${target})
    set_property(GLOBAL PROPERTY AFTERWORK_PACKAGE_${target}_OPTIONAL ${ARG_OPTIONAL})
    set_property(GLOBAL PROPERTY AFTERWORK_PACKAGE_${target}_INCLUDE_DIR "${ARG_INCLUDE_DIR}")
    # One list element per find_dependency() call; the arguments inside are space-separated.
    set_property(GLOBAL PROPERTY AFTERWORK_PACKAGE_${target}_DEPENDENCIES "${ARG_DEPENDENCY}")
endfunction()

# The libraries of the package. Add yours where you create it, with afterwork_install_library().
afterwork_install_library(afterwork_engine
    INCLUDE_DIR "${PROJECT_SOURCE_DIR}/engine/include"
    DEPENDENCY "Qt6 6.4 COMPONENTS Core Network Concurrent")
afterwork_install_library(afterwork_coro OPTIONAL
    DEPENDENCY "QCoro6 COMPONENTS Core")

function(_afterwork_write_package)
    if(NOT AFTERWORK_INSTALL)
        return()
    endif()
    get_property(targets GLOBAL PROPERTY AFTERWORK_PACKAGE_TARGETS)
    set(exported "")
    set(components "")
    set(dependencies "")
    set(include_dirs "")
    foreach(target IN LISTS targets)
        get_property(optional GLOBAL PROPERTY AFTERWORK_PACKAGE_${target}_OPTIONAL)
        if(NOT TARGET ${target})
            if(optional)
                continue()
            endif()
            message(FATAL_ERROR "afterwork_install_library(${target}): there is no target ${target}")
        endif()
        if(target IN_LIST exported)
            continue()
        endif()
        list(APPEND exported ${target})
        get_target_property(component ${target} EXPORT_NAME)
        if(NOT component)
            set(component ${target})
        endif()
        list(APPEND components ${component})
        get_property(target_dependencies GLOBAL PROPERTY AFTERWORK_PACKAGE_${target}_DEPENDENCIES)
        list(APPEND dependencies ${target_dependencies})
        get_property(include_dir GLOBAL PROPERTY AFTERWORK_PACKAGE_${target}_INCLUDE_DIR)
        if(include_dir)
            list(APPEND include_dirs "${include_dir}")
        endif()
    endforeach()
    list(REMOVE_DUPLICATES dependencies)
    list(REMOVE_DUPLICATES include_dirs)

    install(TARGETS ${exported}
        EXPORT AfterworkTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Afterwork_Development
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Afterwork_Runtime
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT Afterwork_Runtime
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
    foreach(include_dir IN LISTS include_dirs)
        # The trailing slash installs the folder's contents: <dir>/afterwork/x.h -> include/afterwork/x.h
        install(DIRECTORY "${include_dir}/"
            DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
            COMPONENT Afterwork_Development
            FILES_MATCHING PATTERN "*.h")
    endforeach()
    install(EXPORT AfterworkTargets
        NAMESPACE Afterwork::
        FILE AfterworkTargets.cmake
        DESTINATION ${AFTERWORK_INSTALL_CMAKEDIR}
        COMPONENT Afterwork_Development)

    # Variables read by AfterworkConfig.cmake.in.
    list(JOIN components " " AFTERWORK_PACKAGE_COMPONENTS)
    set(AFTERWORK_FIND_DEPENDENCIES "")
    foreach(dependency IN LISTS dependencies)
        string(APPEND AFTERWORK_FIND_DEPENDENCIES "find_dependency(${dependency})\n")
    endforeach()

    set(generated "${PROJECT_BINARY_DIR}/package")
    configure_package_config_file(
        "${PROJECT_SOURCE_DIR}/cmake/AfterworkConfig.cmake.in"
        "${generated}/AfterworkConfig.cmake"
        INSTALL_DESTINATION ${AFTERWORK_INSTALL_CMAKEDIR})
    # 0.x releases are not compatible across minor versions; from 1.0 on, SameMajorVersion.
    write_basic_package_version_file("${generated}/AfterworkConfigVersion.cmake"
        VERSION ${PROJECT_VERSION}
        COMPATIBILITY SameMinorVersion)
    install(FILES "${generated}/AfterworkConfig.cmake" "${generated}/AfterworkConfigVersion.cmake"
        DESTINATION ${AFTERWORK_INSTALL_CMAKEDIR}
        COMPONENT Afterwork_Development)
    message(STATUS "Afterwork package: Afterwork::{${AFTERWORK_PACKAGE_COMPONENTS}}")
endfunction()

# Deferred to the end of the top-level directory, so libraries added after this file are in too.
cmake_language(DEFER DIRECTORY "${PROJECT_SOURCE_DIR}" CALL _afterwork_write_package)
