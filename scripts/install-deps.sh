#!/bin/sh
# install-deps.sh - install every build and test dependency of sift with
# apt-get (Debian 12 and derivatives). Idempotent and non-interactive.
#
#   scripts/install-deps.sh              install whatever is missing
#   scripts/install-deps.sh --if-missing the same, but return at once (and
#                                        quietly) when nothing is missing
#   scripts/install-deps.sh --check      exit 1 and list what is missing
set -eu

# Libraries found through pkg-config, with the Debian package for each.
PKGCONFIG_DEPS="
libevent:libevent-dev
libssl:libssl-dev
libhs:libhyperscan-dev
libsodium:libsodium-dev
yaml-0.1:libyaml-dev
zlib:zlib1g-dev
libzstd:libzstd-dev
hiredis:libhiredis-dev
check:check
libidn2:libidn2-dev
libpcre2-8:libpcre2-dev
"
# Commands, with the package that provides each.
COMMAND_DEPS="
cc:gcc
make:make
pkg-config:pkg-config
clang:clang
clang-format:clang-format
python3:python3
curl:curl
spamc:spamc
spamassassin:spamassassin
valgrind:valgrind
"
# Packages without a command or .pc file to look for.
HEADER_DEPS="
/usr/include/db.h:libdb-dev
/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a:libclang-rt-14-dev
"

missing=""
add() { case " $missing " in *" $1 "*) ;; *) missing="$missing $1" ;; esac; }

for d in $PKGCONFIG_DEPS; do
    mod=${d%%:*}; pkg=${d#*:}
    command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$mod" 2>/dev/null || add "$pkg"
done
for d in $COMMAND_DEPS; do
    cmd=${d%%:*}; pkg=${d#*:}
    command -v "$cmd" >/dev/null 2>&1 || add "$pkg"
done
for d in $HEADER_DEPS; do
    f=${d%%:*}; pkg=${d#*:}
    # the fuzzer runtime lives in a versioned directory: any version will do
    case "$f" in
    *libclang_rt.fuzzer*) ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a \
        >/dev/null 2>&1 || add "$pkg" ;;
    *) [ -e "$f" ] || add "$pkg" ;;
    esac
done

mode=${1:-}
if [ -z "$missing" ]; then
    [ "$mode" = "--if-missing" ] || echo "install-deps: everything is installed"
    exit 0
fi
if [ "$mode" = "--check" ]; then
    echo "install-deps: missing:$missing"
    exit 1
fi

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "install-deps: not root and no sudo: install these by hand:$missing" >&2
        exit 1
    }
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
