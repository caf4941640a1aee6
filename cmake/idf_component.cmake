# SPDX-License-Identifier: Apache-2.0
#
# The repository as an ESP-IDF component. ESP-IDF's build includes the top-level
# CMakeLists.txt with ESP_PLATFORM set; that file includes this one and returns
# before project(). ESP-IDF reads it twice: once in script mode for the
# requirements alone (CMAKE_BUILD_EARLY_EXPANSION: idf_component_register()
# returns at once there), then to build. Nothing here may sit in a function:
# idf_component_register() must be called from the component's own scope.
#
# What is built: the portable core, the lwIP port (src/port/lwip/) with
# src/port/esp-idf/ in place of its thread.c and clock.c (FreeRTOS tasks that
# honour the server's priority, stack size and core; esp_timer's clock). Not
# host/: ESP-IDF provides esp_err.h, esp_log.h, sdkconfig.h and http_parser.h
# itself, and the host stand-ins would shadow them.
#
# The CONFIG_HTTPD_* values come from the Kconfig at the repository root: the
# C sources see them through sdkconfig.h (include/esp_http_server.h includes
# it), this file through the CONFIG_ variables ESP-IDF sets in CMake.
#
# No ESP-IDF toolchain is available to this project's CI: this file is checked
# only by reading it as ESP-IDF reads a component's requirements, with a
# stand-in idf_component_register() (tests/kconfig/idf_register.cmake, the
# idf_component_* tests).

get_filename_component(HTTPD_IDF_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

# The portable core, the same list the host build uses.
include(${CMAKE_CURRENT_LIST_DIR}/sources.cmake)
set(HTTPD_IDF_SOURCES ${HTTPD_CORE_SOURCES})

# Handler coroutines (our HTTPD_CORO option): neither the assembly switch nor
# ucontext exists for the ESP32's cores, so each coroutine is a thread
# (src/coro_thread.c), as HTTPD_CORO_SWITCH=thread builds them on a host.
set(HTTPD_IDF_DEFINITIONS "")
if(CONFIG_HTTPD_CORO)
  list(APPEND HTTPD_IDF_SOURCES src/coro_thread.c)
  list(APPEND HTTPD_IDF_DEFINITIONS HTTPD_CORO=1 HTTPD_CORO_THREAD=1)
endif()

# The platform: every file of the lwIP port but its threads and clock, which
# src/port/esp-idf/ replaces. Globbed, so files added to either folder come in
# (after `idf.py reconfigure`; CONFIGURE_DEPENDS is refused in script mode).
if(CMAKE_SCRIPT_MODE_FILE)
  set(HTTPD_IDF_GLOB_FLAGS "")
else()
  set(HTTPD_IDF_GLOB_FLAGS CONFIGURE_DEPENDS)
endif()
file(GLOB HTTPD_IDF_LWIP_SOURCES ${HTTPD_IDF_GLOB_FLAGS} RELATIVE ${HTTPD_IDF_ROOT}
     ${HTTPD_IDF_ROOT}/src/port/lwip/*.c)
list(REMOVE_ITEM HTTPD_IDF_LWIP_SOURCES src/port/lwip/thread.c src/port/lwip/clock.c)
file(GLOB HTTPD_IDF_PORT_SOURCES ${HTTPD_IDF_GLOB_FLAGS} RELATIVE ${HTTPD_IDF_ROOT}
     ${HTTPD_IDF_ROOT}/src/port/esp-idf/*.c)
list(SORT HTTPD_IDF_LWIP_SOURCES)
list(SORT HTTPD_IDF_PORT_SOURCES)
list(APPEND HTTPD_IDF_SOURCES ${HTTPD_IDF_LWIP_SOURCES} ${HTTPD_IDF_PORT_SOURCES})

# Requirements. Public: http_parser (esp_http_server.h includes http_parser.h,
# as upstream's does), lwip (<net/if.h> of ESP-IDF's C library includes lwIP's
# headers) and esp_event (upstream's component requires it publicly, so
# firmware written for upstream may rely on reaching it through this one).
# Private: esp_timer (the clock), pthread and freertos (the tasks).
#
# Include folders are given whole: ESP-IDF resolves relative ones against the
# folder of the file that calls idf_component_register() (this one, cmake/),
# sources against the component's folder.
idf_component_register(
  SRCS ${HTTPD_IDF_SOURCES}
  INCLUDE_DIRS ${HTTPD_IDF_ROOT}/include
  PRIV_INCLUDE_DIRS ${HTTPD_IDF_ROOT}/src ${HTTPD_IDF_ROOT}/src/port/esp-idf ${HTTPD_IDF_ROOT}/src/port/lwip
  REQUIRES http_parser lwip esp_event
  PRIV_REQUIRES esp_timer pthread freertos)

# Definitions that are ours and not in sdkconfig.h.
if(HTTPD_IDF_DEFINITIONS)
  target_compile_definitions(${COMPONENT_LIB} PRIVATE ${HTTPD_IDF_DEFINITIONS})
endif()
