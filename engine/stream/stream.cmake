# The lifecycle event stream's publisher (docs/protocol.md): part of Afterwork::Engine.
target_sources(afterwork_engine PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/../include/afterwork/eventpublisher.h
    ${CMAKE_CURRENT_LIST_DIR}/../include/afterwork/protocol.h
    ${CMAKE_CURRENT_LIST_DIR}/eventpublisher.cpp
    ${CMAKE_CURRENT_LIST_DIR}/eventpublisher_p.h
    ${CMAKE_CURRENT_LIST_DIR}/jsonwriter.cpp
    ${CMAKE_CURRENT_LIST_DIR}/protocol.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rawwriter.h
    ${CMAKE_CURRENT_LIST_DIR}/socketfile.cpp
    ${CMAKE_CURRENT_LIST_DIR}/socketfile.h
    ${CMAKE_CURRENT_LIST_DIR}/subscriber.cpp
    ${CMAKE_CURRENT_LIST_DIR}/subscriber.h
)
