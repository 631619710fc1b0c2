#!/bin/sh
# Installs the Debian packages mc needs to build and test, when missing.
# As root: apt-get install them. Otherwise: print the one line to run.
PKGS="gcc pkg-config meson ninja-build libncurses-dev libcurl4-openssl-dev libcjson-dev
libsqlite3-dev libyaml-dev libpq-dev libmicrohttpd-dev postgresql tmux python3 time
clang"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
    echo "apt-get install failed:$missing" >&2; exit 1; }
else
  echo "missing packages; run:" >&2
  echo "  sudo apt-get install -y$missing" >&2
  exit 1
fi
