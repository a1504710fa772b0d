# AFTERWORK_SANITIZE: a ';'-separated list passed to -fsanitize= (for example "address;undefined"
# or "thread"). The presets in CMakePresets.json set it; plain builds leave it empty.
set(AFTERWORK_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address;undefined")
if(AFTERWORK_SANITIZE)
    list(JOIN AFTERWORK_SANITIZE "," _afterwork_sanitizers)
    add_compile_options(-fsanitize=${_afterwork_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=${_afterwork_sanitizers})
endif()
