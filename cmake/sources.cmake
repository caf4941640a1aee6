# SPDX-License-Identifier: Apache-2.0
# The portable core: plain C11, the same files on every platform. One list for
# every build that needs it: CMakeLists.txt (the host library), the ESP-IDF
# component (cmake/idf_component.cmake) and scripts/footprint.sh (which reads
# this file). Paths are relative to the repository root. CONFIG_HTTPD_WS_SUPPORT
# must be set (the option, or ESP-IDF's Kconfig variable) before inclusion.
set(HTTPD_CORE_SOURCES
  src/server.c
  src/conn.c
  src/session.c
  src/loop.c
  src/workq.c
  src/parse.c
  src/router.c
  src/uri_match.c
  src/query.c
  src/request.c
  src/response.c
)
if(CONFIG_HTTPD_WS_SUPPORT)
  list(APPEND HTTPD_CORE_SOURCES src/ws.c src/ws_codec.c)
endif()
