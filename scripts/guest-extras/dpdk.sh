# Guest image extra "dpdk" (scripts/build-guest.sh, build_extra): DPDK's
# testpmd with its virtio PMD, for tests/guest/scenarios/dpdk-testpmd.sh.
#
#   /usr/bin/dpdk-testpmd                 from bookworm's dpdk-dev
#   /usr/lib/x86_64-linux-gnu/librte_*    every DPDK library it links
#                                         (ldd), at Debian's paths: the
#                                         PMDs among them are symlinks
#                                         into dpdk/pmds-23.0/, as
#                                         installed
#   .../dpdk/pmds-23.0/                   the plugin directory EAL loads
#                                         at start (ldd does not list
#                                         these): the PCI and vdev buses,
#                                         the ring mempool and the virtio
#                                         PMD, plus the PMDs testpmd links
#   the other shared libraries            the host's, at their paths
#
# Nothing of DPDK is installed on the host: bookworm's dpdk-dev depends on
# 200-odd packages (and the mlx5 PMD testpmd links on rdma-core, which
# brings udev), so the .debs are downloaded into $GUEST_CACHE/debs with
# apt-get download (fetch_deb, like the kernels) and unpacked into a
# scratch root, and ldd resolves testpmd's libraries there first. A
# library found in neither place fails the build.
# shellcheck shell=bash

DPDK_VERSION_OF=librte-eal23  # the package whose candidate names the version
# dpdk-dev holds testpmd; the librte-* packages are the libraries testpmd
# links and the plugins below, with their librte-* dependencies (apt-cache
# depends); rdma-core's libibverbs1/ibverbs-providers/libnl-route-3-200
# are for the mlx5 PMD testpmd links.
DPDK_DEBS=(dpdk-dev
           librte-bitratestats23 librte-bpf23 librte-bus-auxiliary23 librte-bus-dpaa23
           librte-bus-pci23 librte-bus-vdev23 librte-cmdline23 librte-common-dpaax23
           librte-common-iavf23 librte-common-mlx5-23 librte-crypto-scheduler23
           librte-cryptodev23 librte-eal23 librte-ethdev23 librte-eventdev23 librte-gro23
           librte-gso23 librte-hash23 librte-ip-frag23 librte-kvargs23 librte-latencystats23
           librte-mbuf23 librte-mempool-dpaa23 librte-mempool-ring23 librte-mempool23
           librte-meter23 librte-metrics23 librte-net-bnxt23 librte-net-bond23
           librte-net-dpaa23 librte-net-i40e23 librte-net-ice23 librte-net-ixgbe23
           librte-net-mlx5-23 librte-net-virtio23 librte-net23 librte-pcapng23 librte-pci23
           librte-pdump23 librte-rcu23 librte-reorder23 librte-ring23 librte-sched23
           librte-security23 librte-telemetry23 librte-timer23
           libibverbs1 ibverbs-providers libnl-route-3-200)
DPDK_LIBDIR=/usr/lib/x86_64-linux-gnu
DPDK_PMDDIR=$DPDK_LIBDIR/dpdk/pmds-23.0
DPDK_PLUGINS=(librte_bus_pci librte_bus_vdev librte_mempool_ring librte_net_virtio)

# "deb NAME VERSION" for each of DPDK_DEBS: bookworm's candidate, or
# without apt lists the version of the .deb already cached.
dpdk_deb_versions() {
    local p v deb
    for p in "${DPDK_DEBS[@]}"; do
        v=$(apt-cache show --no-all-versions "$p" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
        if [ -z "$v" ]; then
            deb=$(ls "$GUEST_CACHE/debs/${p}_"*_amd64.deb 2>/dev/null | tail -n1)
            [ -n "$deb" ] || { echo "no candidate and no cached .deb for $p" >&2; return 1; }
            v=$(dpkg-deb -f "$deb" Version)
        fi
        echo "deb $p $v"
    done
}

extra_inputs() {
    dpdk_deb_versions
    # The host libraries the archive copies (ldd resolves these outside
    # the unpacked .debs).
    pkg_versions libc6 libgcc-s1 libnuma1 libfdt1 libjansson4 libbsd0 libelf1 libpcap0.8 \
        libnl-3-200 libdbus-1-3 libsystemd0
}

# dpdk_copy_lib DEST SCRATCH PATH: PATH (under SCRATCH, or a host path) at
# its guest path under DEST, with the symlinks on the way kept as
# symlinks (the loader takes a PMD linked by testpmd and the same PMD
# loaded from the plugin directory as one object only if both paths lead
# to the same file).
dpdk_copy_lib() {
    local dest=$1 scratch=$2 p=$3 rel next
    while :; do
        case $p in "$scratch"/*) rel=${p#"$scratch"} ;; *) rel=$p ;; esac
        [ -e "$dest$rel" ] || [ -L "$dest$rel" ] && return 0
        mkdir -p "$dest$(dirname "$rel")"
        if [ -L "$p" ] && [ "$p" != "$rel" ]; then
            cp -P "$p" "$dest$rel"
            next=$(readlink "$p")
            case $next in /*) p=$scratch$next ;; *) p=$(dirname "$p")/$next ;; esac
        else
            cp -L "$p" "$dest$rel"
            return 0
        fi
    done
}

# dpdk_host_lib NAME: the host's path of shared library NAME (ldconfig's
# cache).
dpdk_host_lib() {
    local p
    p=$(ldconfig -p | sed -n "s|^[[:space:]]*$1 (libc6,x86-64) => ||p" | head -n1)
    [ -n "$p" ] || die "dpdk: no $1 on the host"
    echo "$p"
}

extra_build() {
    local dest=$1 scratch deb p v lib missing
    # Beside DEST, in build_extra's scratch directory (removed on failure).
    scratch=$(dirname "$dest")/debs
    mkdir -p "$scratch"
    while read -r _ p v; do
        deb=$(fetch_deb dpdk "$p" "$v")
        dpkg-deb -x "$deb" "$scratch"
    done < <(dpdk_deb_versions)
    local path=$scratch$DPDK_LIBDIR:$scratch$DPDK_PMDDIR
    local objs=("$scratch/usr/bin/dpdk-testpmd")
    for p in "${DPDK_PLUGINS[@]}"; do
        objs+=("$scratch$DPDK_PMDDIR/$p.so.23.0")
    done
    mkdir -p "$dest$DPDK_PMDDIR"
    for p in "${objs[@]}"; do
        missing=$(LD_LIBRARY_PATH=$path ldd "$p" | sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p')
        [ -z "$missing" ] || die "dpdk: $p needs $missing, in none of DPDK_DEBS nor on the host"
        dpdk_copy_lib "$dest" "$scratch" "$p"
        for lib in $(LD_LIBRARY_PATH=$path libs_of "$p"); do
            dpdk_copy_lib "$dest" "$scratch" "$lib"
        done
    done
    # glibc dlopens libgcc_s for pthread_cancel (EAL's exit cancels its
    # interrupt thread); ldd does not list it.
    dpdk_copy_lib "$dest" "$scratch" "$(dpdk_host_lib libgcc_s.so.1)"
    # The plugins at their names in the plugin directory (EAL loads
    # *.so.23.0 there), the libdir's symlinks to them as installed.
    for p in "${DPDK_PLUGINS[@]}"; do
        dpdk_copy_lib "$dest" "$scratch" "$scratch$DPDK_LIBDIR/$p.so.23"
    done
    rm -rf "$scratch"
    for p in "${DPDK_PLUGINS[@]}"; do
        [ -f "$dest$DPDK_PMDDIR/$p.so.23.0" ] || die "dpdk: $p missing from $DPDK_PMDDIR"
    done
}
