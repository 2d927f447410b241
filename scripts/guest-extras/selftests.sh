# Guest image extra "selftests" (scripts/build-guest.sh, build_extra): the
# kernel's own NIC driver selftests (tools/testing/selftests/drivers/net:
# ping.py, stats.py, queues.py, hw/csum.py and its net/lib/csum program)
# with what they run on, for
# tests/guest/scenarios/kernel-selftests.sh.
#
#   /opt/linux/...           the selftest files of Debian's linux-source-6.12
#                            (bookworm-backports, the version of the 6.12
#                            guest kernel), at their source-tree paths: the
#                            selftest lib finds the ynl library
#                            (tools/net/ynl/lib) and the netlink specs
#                            (Documentation/netlink/specs) relative to itself
#   /usr/bin/python3.11      the host's (bookworm) interpreter, with only the
#                            stdlib modules the selftests import (their
#                            import closure, computed below) as sourceless
#                            .pyc, and PyYAML (pure Python part)
#   /usr/bin/bash, ping, socat   what the selftests run (remote_netns runs
#                            `ip netns exec NS bash -c ...`; ping.py needs
#                            iputils ping for -W0.5 and socat for test_tcp)
#
# busybox sh, the guest's /bin/sh, runs its own applets (ip, ping, ...)
# before anything on PATH, and Python's subprocess runs shell=True commands
# with /bin/sh: sitecustomize.py (below) makes shell=True use bash, so the
# selftests' `ip -j ...` and `ping -W0.5` reach iproute2 and iputils.
# shellcheck shell=bash

SELFTESTS_SRC_PKG=linux-source-6.12
SELFTESTS_SRC_SUITE=bookworm-backports
# What the archive takes from the source tree (paths under linux-source-6.12/).
SELFTESTS_SRC_PATHS=(tools/testing/selftests/drivers/net/ping.py
                     tools/testing/selftests/drivers/net/stats.py
                     tools/testing/selftests/drivers/net/queues.py
                     tools/testing/selftests/drivers/net/lib/py
                     tools/testing/selftests/drivers/net/hw/csum.py
                     tools/testing/selftests/drivers/net/hw/lib/py
                     tools/testing/selftests/net/lib/py
                     tools/net/ynl/lib
                     Documentation/netlink/specs/ethtool.yaml
                     Documentation/netlink/specs/netdev.yaml
                     Documentation/netlink/specs/rt_link.yaml)
# Built here (gcc) from the source tree: hw/csum.py's sender and receiver.
SELFTESTS_SRC_BUILD=(tools/testing/selftests/net/lib/csum.c
                     tools/testing/selftests/kselftest.h)
# Every module the selftest files import from the stdlib (grep '^import\|^from'
# in the paths above), plus what the interpreter needs to start; the archive
# holds their import closure.
SELFTESTS_PY_MODULES="site encodings encodings.aliases encodings.utf_8 encodings.ascii
    encodings.latin_1 builtins collections enum errno functools glob importlib
    importlib.util inspect ipaddress json os pathlib random re socket string
    struct subprocess sys time traceback uuid yaml"
SELFTESTS_PY=/usr/bin/python3.11
SELFTESTS_PROGRAMS=(/usr/bin/bash /usr/bin/ping /usr/bin/socat)

# The linux-source-6.12 version: bookworm-backports' candidate (the suite
# of the 6.12 guest kernel); without apt lists, the .deb already cached.
selftests_src_version() {
    local v deb
    v=$(apt-cache show --no-all-versions "$SELFTESTS_SRC_PKG/$SELFTESTS_SRC_SUITE" 2>/dev/null |
        sed -n 's/^Version: //p' | head -n1)
    if [ -z "$v" ]; then
        deb=$(ls "$GUEST_CACHE/debs/${SELFTESTS_SRC_PKG}_"*_all.deb 2>/dev/null | tail -n1)
        [ -n "$deb" ] || return 1
        v=$(dpkg-deb -f "$deb" Version)
    fi
    echo "$v"
}

extra_inputs() {
    local v
    v=$(selftests_src_version) ||
        die "cannot resolve $SELFTESTS_SRC_PKG/$SELFTESTS_SRC_SUITE (apt-get update? bookworm-backports in sources?)"
    echo "src $SELFTESTS_SRC_PKG $v"
    pkg_versions python3.11-minimal libpython3.11-minimal libpython3.11-stdlib \
        python3-yaml bash iputils-ping socat gcc-12 libc6-dev linux-libc-dev
}

extra_build() {
    local dest=$1 v deb src tmp f
    v=$(selftests_src_version) || die "cannot resolve $SELFTESTS_SRC_PKG"
    deb=$GUEST_CACHE/debs/${SELFTESTS_SRC_PKG}_${v//:/%3a}_all.deb
    if [ ! -f "$deb" ]; then
        step "[extra selftests] apt-get download $SELFTESTS_SRC_PKG=$v"
        (cd "$GUEST_CACHE/debs" &&
         run apt-get download -q -o APT::Sandbox::User=root "$SELFTESTS_SRC_PKG=$v" >&2)
        [ -f "$deb" ] || die "apt-get download $SELFTESTS_SRC_PKG=$v did not produce $deb"
    fi
    # Drop superseded source packages (150 MB each).
    find "$GUEST_CACHE/debs" -name "${SELFTESTS_SRC_PKG}_*_all.deb" ! -name "$(basename "$deb")" -delete

    tmp=$(mktemp -d "$GUEST_CACHE/tmp.selftests-src.XXXXXX")
    step "[extra selftests] extracting the selftests from $(basename "$deb")"
    # The .deb holds usr/src/linux-source-6.12.tar.xz; take only our paths.
    if ! dpkg-deb --fsys-tarfile "$deb" |
         tar -xO "./usr/src/$SELFTESTS_SRC_PKG.tar.xz" |
         xz -dc | tar -x -C "$tmp" \
             "${SELFTESTS_SRC_PATHS[@]/#/$SELFTESTS_SRC_PKG/}" \
             "${SELFTESTS_SRC_BUILD[@]/#/$SELFTESTS_SRC_PKG/}"; then
        rm -rf "$tmp"
        die "extracting ${SELFTESTS_SRC_PATHS[*]} from $deb failed"
    fi
    src=$tmp/$SELFTESTS_SRC_PKG
    mkdir -p "$dest/opt/linux"
    for f in "${SELFTESTS_SRC_PATHS[@]}"; do
        mkdir -p "$dest/opt/linux/$(dirname "$f")"
        cp -r "$src/$f" "$dest/opt/linux/$f"
    done
    # Linux 6.12's hw/csum.py uses cfg.remote_ifname, which NetDrvEpEnv
    # only sets from Linux 6.15 on (upstream "selftests: drv-net: resolve
    # remote interface name"): every csum.py case stops with an
    # AttributeError. Here it comes from the configuration (REMOTE_IFNAME,
    # which the scenario sets to the remote VF's name).
    cat >> "$dest/opt/linux/tools/testing/selftests/drivers/net/lib/py/env.py" <<'EOF'


# Added by sriov-nic's scripts/guest-extras/selftests.sh (not in Linux):
# the remote interface's name for hw/csum.py, from REMOTE_IFNAME.
_snic_ep_init = NetDrvEpEnv.__init__


def _snic_ep_init_remote_ifname(self, *args, **kwargs):
    _snic_ep_init(self, *args, **kwargs)
    if not hasattr(self, "remote_ifname") and "REMOTE_IFNAME" in self.env:
        self.remote_ifname = self.env["REMOTE_IFNAME"]


NetDrvEpEnv.__init__ = _snic_ep_init_remote_ifname
EOF
    # As tools/testing/selftests/net/lib/Makefile builds it (the host's
    # libc and UAPI headers; the guest has the host's libc).
    if ! gcc -Wall -O2 -I"$src/tools/testing/selftests" \
           -o "$dest/opt/linux/tools/testing/selftests/net/lib/csum" \
           "$src/tools/testing/selftests/net/lib/csum.c"; then
        rm -rf "$tmp"
        die "building selftests/net/lib/csum failed"
    fi
    rm -rf "$tmp"
    # Only Python and the specs are used (ynl's C library is not).
    find "$dest/opt/linux" -type f ! -name '*.py' ! -name '*.yaml' ! -name csum -delete

    copy_program "$dest" "$SELFTESTS_PY" "${SELFTESTS_PROGRAMS[@]}"
    ln -s python3.11 "$dest/usr/bin/python3"

    # The stdlib modules: the import closure of SELFTESTS_PY_MODULES in the
    # host interpreter (-S -I: no site-packages, no environment), written as
    # sourceless .pyc at their paths. PyYAML without its C extension (the
    # selftests' yaml.safe_load is the pure-Python loader anyway).
    local files
    files=$("$SELFTESTS_PY" -S -I -c '
import sys
sys.path.append("/usr/lib/python3/dist-packages")
for m in sys.argv[1:]:
    __import__(m)
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if f:
        print(f)
' $SELFTESTS_PY_MODULES) || die "$SELFTESTS_PY cannot import: $SELFTESTS_PY_MODULES"
    for f in $files; do
        case $f in
            /usr/lib/python3.11/*|/usr/lib/python3/dist-packages/yaml/*) ;;
            *) die "unexpected module file $f" ;;
        esac
        case $f in */yaml/cyaml.py|*/_yaml*.so) continue ;; esac
        mkdir -p "$dest$(dirname "$f")"
        cp "$f" "$dest$f"
        case $f in *.so) copy_program "$dest" "$f" ;; esac
    done
    # sys.prefix / exec_prefix landmarks (Modules/getpath.py: os.py(c) and
    # lib-dynload).
    mkdir -p "$dest/usr/lib/python3.11/lib-dynload"
    cat > "$dest/usr/lib/python3.11/sitecustomize.py" <<'EOF'
# sriov-nic guest image (scripts/guest-extras/selftests.sh): the guest's
# /bin/sh is busybox, which runs its own applets (ip, ping, ...) before
# PATH; shell=True commands run with bash instead, so the kernel selftests'
# `ip -j`, `ping -W0.5` reach iproute2 and iputils.
import subprocess

class _BashPopen(subprocess.Popen):
    def __init__(self, args, *rest, shell=False, executable=None, **kw):
        if shell and executable is None:
            executable = "/usr/bin/bash"
        super().__init__(args, *rest, shell=shell, executable=executable, **kw)

subprocess.Popen = _BashPopen
EOF
    "$SELFTESTS_PY" -I -m compileall -q -b -s "$dest" -p / \
        "$dest/usr/lib/python3.11" "$dest/usr/lib/python3/dist-packages" ||
        die "compileall failed"
    find "$dest/usr/lib/python3.11" "$dest/usr/lib/python3/dist-packages" \
        -name '*.py' -delete
    find "$dest/usr/lib/python3.11" "$dest/usr/lib/python3/dist-packages" \
        -name __pycache__ -type d -prune -exec rm -rf {} +
    # The libraries the base image already has (the same host files, see
    # GUEST_BINARIES in build-guest.sh) need not be unpacked twice.
    for f in $(for g in "${GUEST_BINARIES[@]}"; do libs_of "$g"; done | sort -u); do
        rm -f "$dest$f"
    done
}
