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
# configuration), and the npm packages of tests/node/package.json (the spamc
# client, Haraka's rspamd plugin) go to $NODE_DIR. rspamd, which
# scripts/bench-http.py runs beside siftd with a private configuration, is
# installed as a package but its system service is neither started nor
# enabled: it would listen on 11333 and 11334, siftd's own ports. Postfix,
# which tests/integration/test_milter.py runs with a private configuration
# directory on a free loopback port, is installed the same way ("No
# configuration" preseeded, its service neither started nor enabled): no
# system MTA is left listening on port 25.
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
zstd:zstd
node:nodejs
npm:npm
rspamd:rspamd
miltertest:miltertest
"
# Packages without a command or .pc file to look for (or whose command is
# in an sbin directory a user's PATH may lack).
HEADER_DEPS="
/usr/include/db.h:libdb-dev
/usr/sbin/postfix:postfix
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
# the npm packages, at the versions tests/node/package.json pins
if ! cmp -s "$ROOT/tests/node/package.json" "$NODE_DIR/package.json" ||
    [ ! -f "$NODE_DIR/node_modules/spamc/package.json" ] ||
    [ ! -f "$NODE_DIR/node_modules/haraka-plugin-rspamd/package.json" ]; then
    unpacked="$unpacked npm:spamc,haraka-plugin-rspamd($NODE_DIR)"
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

# rspamd's and postfix's postinsts start their services (rspamd's fails the
# install when that start fails: the port taken by a siftd, say) unless
# policy-rc.d says no. Docker images have a policy-rc.d that refuses every
# service; elsewhere one that refuses these two is put in place for the
# install and removed after.
POLICY_RC=/usr/sbin/policy-rc.d
policy_rc_ours=""
remove_policy_rc() {
    if [ -n "$policy_rc_ours" ]; then
        $SUDO rm -f "$POLICY_RC"
        policy_rc_ours=""
    fi
}
trap remove_policy_rc EXIT
case " $missing " in
*" rspamd "* | *" postfix "*)
    if [ ! -e "$POLICY_RC" ]; then
        # (its arguments: [--quiet] service action [runlevel])
        # shellcheck disable=SC2016 # the $a is policy-rc.d's
        printf '#!/bin/sh\n# install-deps.sh: no rspamd or postfix service while they install\n%s\n' \
            'for a; do case "$a" in rspamd | rspamd.service | postfix | postfix.service | postfix@*) exit 101 ;; esac; done; exit 0' |
            $SUDO tee "$POLICY_RC" >/dev/null
        $SUDO chmod 755 "$POLICY_RC"
        policy_rc_ours=yes
    fi
    ;;
esac
# postfix asks debconf what kind of mail system this is: none (the tests
# write their own main.cf), so its postinst writes no configuration
case " $missing " in
*" postfix "*)
    echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
    ;;
esac

if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends $missing
fi
remove_policy_rc

# rspamd's and postfix's services: stopped if a policy-rc.d of the machine's
# let them start, and not started at boot either (the tests run their own)
quiet_service() {
    if [ -d /run/systemd/system ]; then
        $SUDO systemctl stop "$1.service" >/dev/null 2>&1 || true
    else
        $SUDO invoke-rc.d --skip-systemd-native "$1" stop >/dev/null 2>&1 || true
    fi
    # systemctl disable works without systemd running (the unit's links)
    if command -v systemctl >/dev/null 2>&1; then
        $SUDO systemctl disable "$1.service" >/dev/null 2>&1 || true
    fi
    $SUDO update-rc.d "$1" disable >/dev/null 2>&1 || true
}
case " $missing " in *" rspamd "*) quiet_service rspamd ;; esac
case " $missing " in *" postfix "*) quiet_service postfix ;; esac

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
install_node_clients() {
    $SUDO rm -rf "$NODE_DIR"
    $SUDO mkdir -p "$NODE_DIR"
    $SUDO cp "$ROOT/tests/node/package.json" "$NODE_DIR/package.json"
    $SUDO npm install --prefix "$NODE_DIR" --no-package-lock --no-audit --no-fund --omit=dev
}

case "$unpacked" in *exim4-daemon-heavy*) install_exim ;; esac
case "$unpacked" in *npm:*) install_node_clients ;; esac
