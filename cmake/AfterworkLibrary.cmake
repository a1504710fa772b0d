# SPDX-License-Identifier: MIT
#
# How every Afterwork library and program is declared, and the CMake package they install as.
#
#   afterwork_add_library(<Component> [HEADER_ONLY]
#                         [SOURCES <files>...]
#                         [PUBLIC <targets>...] [PRIVATE <targets>...]
#                         [FIND_DEPENDENCY "<find_dependency() arguments>"]...)
#
# creates the target afterwork_<component> (lower case), its alias Afterwork::<Component>, the
# archive libafterwork-<component>.a, the include folder <dir>/include (when it exists; installed
# to <prefix>/include), the warnings, and registers the component with the package. Each
# FIND_DEPENDENCY becomes a find_dependency() line that AfterworkConfig.cmake runs only when the
# component (or one that links it) is asked for, so `find_package(Afterwork COMPONENTS Engine)`
# needs nothing but QtCore. Components must be declared after those they link.
#
#   afterwork_add_program(<target> SOURCES <files>... [LIBRARIES <targets>...])
#
# creates an installed program with the same warnings.
#
#   afterwork_target_warnings(<target>)
#
# adds the warnings every target of the tree is compiled with.

include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

option(AFTERWORK_INSTALL "Generate Afterwork's install rules and CMake package" ${PROJECT_IS_TOP_LEVEL})
set(AFTERWORK_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/Afterwork" CACHE STRING
    "Where AfterworkConfig.cmake is installed, relative to the prefix")

function(afterwork_target_warnings target)
    if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        target_compile_options(${target} PRIVATE -Wall -Wextra)
    endif()
endfunction()

function(afterwork_add_library component)
    cmake_parse_arguments(PARSE_ARGV 1 ARG "HEADER_ONLY" "" "SOURCES;PUBLIC;PRIVATE;FIND_DEPENDENCY")
    if(ARG_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "afterwork_add_library(${component}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
    endif()
    string(TOLOWER "${component}" lower)
    set(target afterwork_${lower})
    set(include_dir "${CMAKE_CURRENT_SOURCE_DIR}/include")

    if(ARG_HEADER_ONLY)
        add_library(${target} INTERFACE)
        foreach(header IN LISTS ARG_SOURCES)
            # An interface's sources are read by its users' builds: absolute, build tree only.
            cmake_path(ABSOLUTE_PATH header BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
            target_sources(${target} INTERFACE "$<BUILD_INTERFACE:${header}>")
        endforeach()
        target_link_libraries(${target} INTERFACE ${ARG_PUBLIC})
        if(EXISTS "${include_dir}")
            target_include_directories(${target} INTERFACE
                "$<BUILD_INTERFACE:${include_dir}>"
                "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")
        endif()
    else()
        qt_add_library(${target} STATIC ${ARG_SOURCES})
        set_target_properties(${target} PROPERTIES
            OUTPUT_NAME afterwork-${lower}
            POSITION_INDEPENDENT_CODE ON)
        target_compile_features(${target} PUBLIC cxx_std_20)
        target_link_libraries(${target} PUBLIC ${ARG_PUBLIC} PRIVATE ${ARG_PRIVATE})
        if(EXISTS "${include_dir}")
            target_include_directories(${target} PUBLIC
                "$<BUILD_INTERFACE:${include_dir}>"
                "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")
        endif()
        afterwork_target_warnings(${target})
    endif()
    add_library(Afterwork::${component} ALIAS ${target})
    set_target_properties(${target} PROPERTIES EXPORT_NAME ${component})

    # Which other components this one links, so that the package loads them first.
    set(requires "")
    foreach(library IN LISTS ARG_PUBLIC ARG_PRIVATE)
        if(library MATCHES "^Afterwork::(.+)$")
            list(APPEND requires ${CMAKE_MATCH_1})
        endif()
    endforeach()

    set_property(GLOBAL APPEND PROPERTY AFTERWORK_COMPONENTS ${component})
    set_property(GLOBAL PROPERTY AFTERWORK_COMPONENT_${component}_REQUIRES "${requires}")
    set_property(GLOBAL PROPERTY AFTERWORK_COMPONENT_${component}_DEPENDENCIES "${ARG_FIND_DEPENDENCY}")

    if(AFTERWORK_INSTALL)
        install(TARGETS ${target}
            EXPORT Afterwork${component}Targets
            ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Afterwork_Development
            INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
        if(EXISTS "${include_dir}")
            # The trailing slash installs the folder's contents: <dir>/afterwork/x.h -> include/afterwork/x.h
            install(DIRECTORY "${include_dir}/"
                DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
                COMPONENT Afterwork_Development
                FILES_MATCHING PATTERN "*.h")
        endif()
        install(EXPORT Afterwork${component}Targets
            NAMESPACE Afterwork::
            FILE Afterwork${component}Targets.cmake
            DESTINATION ${AFTERWORK_INSTALL_CMAKEDIR}
            COMPONENT Afterwork_Development)
    endif()
endfunction()

function(afterwork_add_program target)
    cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "SOURCES;LIBRARIES")
    if(ARG_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "afterwork_add_program(${target}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
    endif()
    qt_add_executable(${target} ${ARG_SOURCES})
    set_target_properties(${target} PROPERTIES MACOSX_BUNDLE OFF WIN32_EXECUTABLE OFF)
    target_link_libraries(${target} PRIVATE ${ARG_LIBRARIES})
    afterwork_target_warnings(${target})
    if(AFTERWORK_INSTALL)
        install(TARGETS ${target} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT Afterwork_Runtime)
    endif()
endfunction()

# Writes AfterworkConfig.cmake: for each component asked for (and each it links), its
# find_dependency() lines, then its targets file.
function(_afterwork_write_package)
    if(NOT AFTERWORK_INSTALL)
        return()
    endif()
    get_property(components GLOBAL PROPERTY AFTERWORK_COMPONENTS)
    set(AFTERWORK_PACKAGE_COMPONENTS "${components}")
    list(JOIN components " " AFTERWORK_PACKAGE_COMPONENTS_LISTED)
    set(AFTERWORK_COMPONENT_REQUIRES "")
    set(AFTERWORK_COMPONENT_CODE "")
    foreach(component IN LISTS components)
        get_property(requires GLOBAL PROPERTY AFTERWORK_COMPONENT_${component}_REQUIRES)
        string(APPEND AFTERWORK_COMPONENT_REQUIRES "set(_afterwork_requires_${component} ${requires})\n")
    endforeach()
    foreach(component IN LISTS components)
        get_property(dependencies GLOBAL PROPERTY AFTERWORK_COMPONENT_${component}_DEPENDENCIES)
        string(APPEND AFTERWORK_COMPONENT_CODE "if(${component} IN_LIST _afterwork_load)\n")
        foreach(dependency IN LISTS dependencies)
            string(APPEND AFTERWORK_COMPONENT_CODE "    find_dependency(${dependency})\n")
        endforeach()
        string(APPEND AFTERWORK_COMPONENT_CODE
            "    include(\"\${CMAKE_CURRENT_LIST_DIR}/Afterwork${component}Targets.cmake\")\n"
            "    set(Afterwork_${component}_FOUND TRUE)\n"
            "endif()\n")
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
    message(STATUS "Afterwork package components: ${AFTERWORK_PACKAGE_COMPONENTS_LISTED}")
endfunction()

# Deferred to the end of the top-level directory, so libraries added after this file are in too.
cmake_language(DEFER DIRECTORY "${PROJECT_SOURCE_DIR}" CALL _afterwork_write_package)
