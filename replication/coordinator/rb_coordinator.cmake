# The single definition of rb_coordinator and coordinator_test. Included from
# replication/coordinator/CMakeLists.txt and, until that directory is added, from
# isr/CMakeLists.txt; callers guard with if(NOT TARGET rb_coordinator).
set(RB_COORDINATOR_DIR ${CMAKE_CURRENT_LIST_DIR})
add_library(rb_coordinator
  ${RB_COORDINATOR_DIR}/commands.cc
  ${RB_COORDINATOR_DIR}/coordinator_state.cc
  ${RB_COORDINATOR_DIR}/controller.cc
)
target_link_libraries(rb_coordinator PUBLIC rb_core)

rb_test(coordinator_test
  SOURCES ${RB_COORDINATOR_DIR}/tests/coordinator_test.cc
          ${RB_COORDINATOR_DIR}/tests/controller_test.cc
  LIBS rb_coordinator)
