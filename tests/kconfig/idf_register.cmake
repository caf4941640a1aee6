# SPDX-License-Identifier: Apache-2.0
# Runs the repository's CMakeLists.txt as ESP-IDF's build does when it reads a
# component's requirements (script mode, ESP_PLATFORM=1, included from a
# function, idf_component_register() a macro that records its arguments and
# returns), with a stand-in idf_component_register(). Fails when the file goes
# on to project() (not allowed in script mode), registers nothing, or names a
# source file or include folder that does not exist, resolved as ESP-IDF
# resolves them (sources against the component's folder, include folders
# against the folder of the file that registers).
#
#   cmake -DCOMPONENT_DIR=<repository> [-DCONFIG_HTTPD_WS_SUPPORT=y] [-DCONFIG_HTTPD_CORO=y] -P idf_register.cmake
if(NOT COMPONENT_DIR)
  message(FATAL_ERROR "idf_register.cmake: set COMPONENT_DIR")
endif()
set(ESP_PLATFORM 1)

macro(idf_component_register)
  cmake_parse_arguments(_reg "" "" "SRCS;INCLUDE_DIRS;PRIV_INCLUDE_DIRS;REQUIRES;PRIV_REQUIRES" ${ARGN})
  set(reg_called 1)
  set(reg_list_dir "${CMAKE_CURRENT_LIST_DIR}")
  return()
endmacro()

function(read_component)
  set(CMAKE_BUILD_EARLY_EXPANSION 1)
  include(${COMPONENT_DIR}/CMakeLists.txt)
  if(NOT reg_called)
    message(FATAL_ERROR "CMakeLists.txt with ESP_PLATFORM set did not call idf_component_register()")
  endif()
  set(missing "")
  foreach(f ${_reg_SRCS})
    get_filename_component(abs "${f}" ABSOLUTE BASE_DIR "${COMPONENT_DIR}")
    if(NOT EXISTS "${abs}")
      list(APPEND missing "${f}")
    endif()
  endforeach()
  foreach(d ${_reg_INCLUDE_DIRS} ${_reg_PRIV_INCLUDE_DIRS})
    get_filename_component(abs "${d}" ABSOLUTE BASE_DIR "${reg_list_dir}")
    if(NOT IS_DIRECTORY "${abs}")
      list(APPEND missing "${d}/")
    endif()
  endforeach()
  foreach(kw SRCS INCLUDE_DIRS PRIV_INCLUDE_DIRS REQUIRES PRIV_REQUIRES)
    message(STATUS "${kw}: ${_reg_${kw}}")
  endforeach()
  if(missing)
    message(FATAL_ERROR "registered but not on disk: ${missing}")
  endif()
  foreach(f ${_reg_SRCS})
    if(f MATCHES "^host/|/host/")
      message(FATAL_ERROR "host stand-in registered: ${f}")
    endif()
  endforeach()
endfunction()

read_component()
