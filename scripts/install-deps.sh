#!/bin/sh
# install-deps.sh - install every build and test dependency of sift with
# apt-get (Debian 12 and derivatives). Idempotent and non-interactive.
#
#   scripts/install-deps.sh              install whatever is missing
#   scripts/install-deps.sh --if-missing the same, but return at once (and
#                                        quietly) when nothing is missing
#   scripts/install-deps.sh --check      exit 1 and list what is missing
#
# Two test tools are not installed as packages of their own: Exim's binary is
# unpacked from exim4-daemon-heavy into $EXIM_DIR (the package would replace
# the machine's MTA, postfix for one; the tests run the binary with a private
# configuration), and the npm client of tests/node/package.json goes to
# $NODE_DIR.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS_DIR=/opt/sift-test
EXIM_DIR=$TOOLS_DIR/exim4
EXIM=$EXIM_DIR/usr/sbin/exim4
NODE_DIR=$TOOLS_DIR/node

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
openssl:openssl
valgrind:valgrind
swaks:swaks
node:nodejs
npm:npm
"
# Packages without a command or .pc file to look for.
HEADER_DEPS="
/usr/include/db.h:libdb-dev
/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a:libclang-rt-14-dev
"

missing=""
add() { case " $missing " in *" $1 "*) ;; *) missing="$missing $1" ;; esac; }
unpacked=""     # the tools above that apt-get does not install directly

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

# Exim: the binary, its libraries, and the user it is compiled to run as
if [ ! -x "$EXIM" ] || ldd "$EXIM" 2>/dev/null | grep -q 'not found' ||
    ! getent passwd Debian-exim >/dev/null; then
    unpacked="$unpacked exim4-daemon-heavy($EXIM)"
fi
# the npm client, at the version tests/node/package.json pins
if ! cmp -s "$ROOT/tests/node/package.json" "$NODE_DIR/package.json" ||
    [ ! -f "$NODE_DIR/node_modules/spamc/package.json" ]; then
    unpacked="$unpacked npm:spamc($NODE_DIR)"
fi

mode=${1:-}
if [ -z "$missing$unpacked" ]; then
    [ "$mode" = "--if-missing" ] || echo "install-deps: everything is installed"
    exit 0
fi
if [ "$mode" = "--check" ]; then
    echo "install-deps: missing:$missing$unpacked"
    exit 1
fi

echo "install-deps: installing:$missing$unpacked"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "install-deps: not root and no sudo: install these by hand:$missing$unpacked" >&2
        exit 1
    }
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends $missing
fi

# exim4-daemon-heavy unpacked into $EXIM_DIR: the libraries its package
# depends on (not exim4-base, which would pull in an MTA), then the files, then
# the system user and group its binary looks up at start (what exim4-base's
# postinst would have made).
install_exim() {
    tmp=$(mktemp -d)
    # as root apt would hand the download to its _apt user, who cannot write here
    (cd "$tmp" && apt-get download -q -o APT::Sandbox::User="$(id -un)" exim4-daemon-heavy)
    deb=$(ls "$tmp"/exim4-daemon-heavy_*.deb)
    libs=""
    for p in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g'); do
        case "$p" in exim4* | debconf*) continue ;; esac
        dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q ' installed$' || libs="$libs $p"
    done
    if [ -n "$libs" ]; then
        # shellcheck disable=SC2086
        $SUDO apt-get install -y -q --no-install-recommends $libs
    fi
    $SUDO rm -rf "$EXIM_DIR"
    $SUDO mkdir -p "$EXIM_DIR"
    $SUDO dpkg-deb -x "$deb" "$EXIM_DIR"
    rm -rf "$tmp"
    getent group Debian-exim >/dev/null || $SUDO groupadd --system Debian-exim
    getent passwd Debian-exim >/dev/null ||
        $SUDO useradd --system --gid Debian-exim --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin Debian-exim
    if ldd "$EXIM" | grep 'not found' >&2; then
        echo "install-deps: $EXIM still lacks libraries" >&2
        exit 1
    fi
}

# the npm packages of tests/node/package.json (exact versions, no lock file)
install_node_spamc() {
    $SUDO rm -rf "$NODE_DIR"
    $SUDO mkdir -p "$NODE_DIR"
    $SUDO cp "$ROOT/tests/node/package.json" "$NODE_DIR/package.json"
    $SUDO npm install --prefix "$NODE_DIR" --no-package-lock --no-audit --no-fund --omit=dev
}

case "$unpacked" in *exim4-daemon-heavy*) install_exim ;; esac
case "$unpacked" in *npm:spamc*) install_node_spamc ;; esac
