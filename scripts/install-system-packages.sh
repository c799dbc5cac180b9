#!/usr/bin/env bash
# Install Debian packages the project needs (e.g. graphviz for `generate-schema`), as root or with sudo.
# Failing to install is reported, not fatal: the tests that need a package skip with the reason.
set -u
[ $# -gt 0 ] || exit 0
if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
  echo "install-system-packages: cannot install $* (not root, no sudo)" >&2; exit 0
fi
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"; } >/tmp/install-system-packages.log 2>&1; then
  echo "install-system-packages: apt-get could not install $* (see /tmp/install-system-packages.log)" >&2
fi
exit 0
