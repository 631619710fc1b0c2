#!/bin/sh
# Installs the Debian packages mc needs, when missing.
#   sh tools/deps.sh build   what building mc needs (make, make demo, make install)
#   sh tools/deps.sh test    that plus what the tests need (make test, bench, fuzz)
# With no argument: test. As root: apt-get install them. Otherwise: print the
# one line to run.
BUILD_PKGS="gcc pkg-config meson ninja-build libncurses-dev libcurl4-openssl-dev libcjson-dev
libsqlite3-dev libyaml-dev libpq-dev libmicrohttpd-dev"
TEST_PKGS="postgresql tmux python3 time clang zsh"
case "${1:-test}" in
build) PKGS=$BUILD_PKGS ;;
test) PKGS="$BUILD_PKGS $TEST_PKGS" ;;
list-build) echo $BUILD_PKGS; exit 0 ;;
list-test) echo $BUILD_PKGS $TEST_PKGS; exit 0 ;;
*) echo "usage: sh tools/deps.sh [build|test|list-build|list-test]" >&2; exit 2 ;;
esac
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
