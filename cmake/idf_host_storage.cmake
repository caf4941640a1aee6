# SPDX-License-Identifier: Apache-2.0
# ESP-IDF host environment, storage (host/idf/vfs*.c): the link options that
# make an application's own file calls reach the host folders its mounts map
# to (esp_spiffs.h, esp_vfs_fat.h, esp_littlefs.h, esp_vfs_semihost.h).
# Each wrapped name is a symbol glibc's headers (2.33 and later, 64-bit) make
# of a call: plain, with _FILE_OFFSET_BITS=64, with _FORTIFY_SOURCE.
# esp_idf_host passes them on to whatever links it:
#   target_link_options(esp_idf_host INTERFACE ${IDF_HOST_LINK_OPTIONS})
# and the same words belong in the Libs of its pkg-config file
# (IDF_HOST_LINK_FLAGS, one string).
set(IDF_HOST_WRAPPED_CALLS
  fopen fopen64 freopen freopen64
  open open64 __open_2 __open64_2 creat creat64
  stat stat64 lstat lstat64 access
  unlink remove rename mkdir rmdir opendir readdir readdir64 closedir
  truncate truncate64 utime chmod)
set(IDF_HOST_LINK_FLAGS "")
foreach(call IN LISTS IDF_HOST_WRAPPED_CALLS)
  string(APPEND IDF_HOST_LINK_FLAGS ",--wrap=${call}")
endforeach()
# --undefined pulls the wrappers in even when the application itself makes
# none of these calls, so that its mounts work (they check for them).
string(PREPEND IDF_HOST_LINK_FLAGS "-Wl,--undefined=idf_host__vfs_wrapped")
set(IDF_HOST_LINK_OPTIONS "${IDF_HOST_LINK_FLAGS}")
