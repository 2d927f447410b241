#!/bin/sh
# Fails if any core source includes a QEMU header. The core talks to QEMU
# only through include/sriov_nic/sriov_nic.h; QEMU's headers do not compile
# as C++20 and would tie the core to one QEMU version.
#   check-no-qemu-headers.sh CORE_DIR [STAMP]
dir=${1:?usage: check-no-qemu-headers.sh CORE_DIR [STAMP]}
bad=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](qemu/|hw/|qom/|qapi/|net/|sysemu/|system/|exec/|migration/|block/|chardev/|trace|standard-headers/|linux-headers/|osdep\.h|config-host\.h)' \
      "$dir" --include='*.cc' --include='*.h' --include='*.hh' --include='*.cpp' 2>/dev/null)
if [ -n "$bad" ]; then
    echo "error: the sriov-nic core must not include QEMU headers:" >&2
    echo "$bad" >&2
    exit 1
fi
[ -n "$2" ] && : > "$2"
exit 0
