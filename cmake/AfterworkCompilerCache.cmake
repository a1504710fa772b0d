# Compiles through ccache when it is installed (scripts/packages/common.txt lists it), so that a
# second build of the same sources, in CI or after switching branches, reuses the objects of the
# first. AFTERWORK_CCACHE=OFF, or a launcher of one's own in CMAKE_CXX_COMPILER_LAUNCHER, turns
# this off. docs/building.md, "Build time".
option(AFTERWORK_CCACHE "Compile through ccache when it is found" ON)
if(AFTERWORK_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    find_program(AFTERWORK_CCACHE_PROGRAM ccache)
    if(AFTERWORK_CCACHE_PROGRAM)
        set(CMAKE_CXX_COMPILER_LAUNCHER "${AFTERWORK_CCACHE_PROGRAM}")
    endif()
endif()
