# Installs Afterwork::Engine (and Afterwork::Coro) as a CMake package: find_package(Afterwork).
# Filled in by the packaging work.
