#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs what the headless-browser test (tests/browser) needs, from Debian:
# chromium, chromium-driver (chromedriver) and python3-selenium.
# As root: apt-get update, then apt-get install -y --no-install-recommends of the
# missing ones, saying so. Otherwise: prints the command to run and exits 1.
# Exits 0 at once when all three are installed already.
set -eu
PACKAGES="chromium chromium-driver python3-selenium"

missing=""
for pkg in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done
if [ -z "$missing" ]; then
    echo "browser-deps: already installed: $PACKAGES"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "browser-deps: missing Debian packages:$missing" >&2
    echo "browser-deps: run as root, or: sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "browser-deps: apt-get update"
apt-get update -qq
echo "browser-deps: apt-get install -y --no-install-recommends$missing"
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
echo "browser-deps: installed:$missing"
