-- SPDX-License-Identifier: Apache-2.0
-- wrk script: POST /upload with a 1 MiB body
wrk.method = "POST"
wrk.path = "/upload"
wrk.body = string.rep("a", 1048576)
wrk.headers["Content-Type"] = "application/octet-stream"
