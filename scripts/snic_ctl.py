"""sriov-nic-ctl: set and show per-VF policy of an sriov-nic PF over QMP.

The host-side control plane of the device (the guest's virtio_net PF driver
has no `ip link set vf`). Mirrors ip-link habits:

  sriov-nic-ctl [-j] (--qmp SOCK | --libvirt DOMAIN [--connect URI]) DEV COMMAND
  COMMAND:
    vf VFS [mac XX:XX:XX:XX:XX:XX] [vlan VID [qos Q]] [spoofchk on|off]
           [trust on|off] [state auto|enable|disable] [max-tx-rate MBPS]
    show [vf VFS]
    stats [vf VFS | uplink]   (one "counter value" a line; -j: JSON)
  VFS: N, N-M, a comma list of those, or all, for settings as for show
  and stats ("vf 0-3,6 spoofchk off").

SOCK is a QMP unix socket (-qmp unix:SOCK,server=on,wait=off); DOMAIN a
libvirt domain (through `virsh qemu-monitor-command`). DEV is the
PF's id (-device sriov-nic,id=DEV) or a full QOM path. -j prints JSON (as
`ip -j`). Each VF is reachable
as DEV/vfN with QOM properties mac, vlan, qos, spoofchk, trust, link-state,
max-tx-rate and read-only stats, enabled. Errors from QEMU are printed as
QEMU wrote them. Standard library only.

This module is the program; scripts/sriov-nic-ctl runs main().  Other code
(tests/guest/runner.py serves the guest's host_ctl with it) calls
main(argv, out=, err=, client=) in-process: nothing is printed to sys.stdout
or sys.stderr then, and the exit status is returned, never raised.
Exit status: 0 done; 1 QEMU refused, the QMP connection failed or the words
make no sense; 2 bad options (argparse).
"""
import argparse
import json
import sys

import snic_qmp
from snic_qmp import QmpError


class UsageError(Exception):
    """Bad words on the command line (exit status 1, like QEMU errors)."""


class _Exit(Exception):
    def __init__(self, status):
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse that writes to the given streams and never calls sys.exit."""

    def __init__(self, *a, out, err, **kw):
        super().__init__(*a, **kw)
        self._out, self._err = out, err

    def print_help(self, file=None):
        super().print_help(file or self._out)

    def print_usage(self, file=None):
        super().print_usage(file or self._out)

    def exit(self, status=0, message=None):
        if message:
            self._err.write(message)
        raise _Exit(status)

    def error(self, message):
        self.print_usage(self._err)
        self.exit(2, f"{self.prog}: error: {message}\n")


SETTINGS = {
    # word: (QOM property, converter)
    "mac": ("mac", str),
    "vlan": ("vlan", int),
    "qos": ("qos", int),
    "spoofchk": ("spoofchk", "onoff"),
    "trust": ("trust", "onoff"),
    "state": ("link-state", str),
    "max-tx-rate": ("max-tx-rate", int),
    "max_tx_rate": ("max-tx-rate", int),
}


def onoff(word, value):
    if value in ("on", "true", "1", "yes"):
        return True
    if value in ("off", "false", "0", "no"):
        return False
    raise UsageError(f"{word} takes on or off, not '{value}'")


def parse_settings(words):
    out = []
    if not words:
        raise UsageError("nothing to set (try: mac, vlan, qos, "
                         "spoofchk, trust, state, max-tx-rate)")
    i = 0
    while i < len(words):
        w = words[i]
        if w not in SETTINGS:
            raise UsageError(f"unknown setting '{w}'")
        if i + 1 >= len(words):
            raise UsageError(f"'{w}' needs a value")
        prop, conv = SETTINGS[w]
        v = words[i + 1]
        if conv == "onoff":
            v = onoff(w, v)
        elif conv is int:
            try:
                v = int(v, 0)
            except ValueError:
                raise UsageError(f"{w} takes a number, not '{v}'") from None
        out.append((prop, v))
        i += 2
    return out


def vf_number(word):
    try:
        return int(word, 0)
    except ValueError:
        raise UsageError(f"VF number expected, not '{word}'") from None


def vf_list(word, total):
    """VFS ("3", "0-3", "0-3,6", "all") -> VF numbers below total, in order."""
    if word == "all":
        return list(range(total))
    out = []
    for part in word.split(","):
        lo, dash, hi = part.partition("-")
        a = vf_number(lo)
        b = vf_number(hi) if dash else a
        if b < a:
            raise UsageError(f"VF range '{part}' runs backwards")
        for n in range(a, b + 1):
            if n >= total:
                raise UsageError(f"VF {n} does not exist (total-vfs {total})")
            if n not in out:
                out.append(n)
    return out


def dev_path(dev):
    return dev if dev.startswith("/") else f"/machine/peripheral/{dev}"


def fmt_vf(n, get):
    mac = get("mac")
    parts = [f"    vf {n:<3} link/ether {mac}"]
    vlan = get("vlan")
    attrs = []
    if vlan:
        attrs.append(f"vlan {vlan}, qos {get('qos')}")
    attrs.append(f"spoof checking {'on' if get('spoofchk') else 'off'}")
    attrs.append(f"link-state {get('link-state')}")
    attrs.append(f"trust {'on' if get('trust') else 'off'}")
    attrs.append(f"max_tx_rate {get('max-tx-rate')}Mbps")
    if get("netdev"):
        attrs.append(f"netdev {get('netdev')}")
    parts[0] += ", " + ", ".join(attrs)
    if not get("enabled"):
        parts[0] += ", disabled"
    s = get("stats")
    parts.append("        RX: {:>12} {:>10} {:>8}    TX: {:>12} {:>10} {:>8}".format(
        "bytes", "packets", "dropped", "bytes", "packets", "dropped"))
    rx_drop = s.get("rx-dropped", 0)
    tx_drop = s.get("tx-dropped", 0)
    parts.append("            {:>12} {:>10} {:>8}        {:>12} {:>10} {:>8}".format(
        s.get("rx-bytes", 0), s.get("rx-packets", 0), rx_drop,
        s.get("tx-bytes", 0), s.get("tx-packets", 0), tx_drop))
    detail = [f"{k} {v}" for k, v in sorted(s.items())
              if k.startswith("drop-") and v]
    if detail:
        parts.append("        drops: " + ", ".join(detail))
    return "\n".join(parts)


VF_PROPS = ("mac", "vlan", "qos", "spoofchk", "trust", "link-state",
            "max-tx-rate", "enabled", "stats", "netdev")


def vf_json(n, get):
    """One VF as `ip -j link`'s vfinfo_list entries spell it."""
    j = {"vf": n, "address": get("mac"), "vlan_list": [], "spoofchk": get("spoofchk"),
         "link_state": get("link-state"), "trust": get("trust"),
         "rate": {"max_tx": get("max-tx-rate"), "min_tx": 0},
         "enabled": get("enabled"), "stats": get("stats"),
         # A VF bound to a netdev of its own (vf-netdev), else null.
         "netdev": get("netdev") or None}
    if get("vlan"):
        j["vlan_list"] = [{"vlan": get("vlan"), "qos": get("qos")}]
    return j


def show(q, dev, vfs, out, as_json=False):
    path = dev_path(dev)
    total = q.cmd("qom-get", path=path, property="total-vfs")
    num = q.cmd("qom-get", path=path, property="num-vfs")
    mac = q.cmd("qom-get", path=path, property="mac")
    vfs = range(total) if vfs is None else vfs(total)
    if as_json:
        entries = []
        for n in vfs:
            vpath = f"{path}/vf{n}"
            cache = {}

            def get(p, vpath=vpath, cache=cache):
                if p not in cache:
                    cache[p] = q.cmd("qom-get", path=vpath, property=p)
                return cache[p]
            entries.append(vf_json(n, get))
        json.dump([{"ifname": dev, "device": "sriov-nic", "address": mac,
                    "total_vfs": total, "num_vfs": num, "vfinfo_list": entries}],
                  out)
        out.write("\n")
        return
    print(f"{dev}: sriov-nic link/ether {mac} total-vfs {total} num-vfs {num}", file=out)
    for n in vfs:
        vpath = f"{path}/vf{n}"
        print(fmt_vf(n, lambda p: q.cmd("qom-get", path=vpath, property=p)), file=out)


def total_vfs(q, dev):
    return q.cmd("qom-get", path=dev_path(dev), property="total-vfs")


def vfs_of(q, dev, word):
    """VFS of DEV; a single number is used as it is (QEMU says if there is
    no such VF), ranges and "all" are checked against total-vfs."""
    if word.isdigit():
        return [vf_number(word)]
    return vf_list(word, total_vfs(q, dev))


def run(q, dev, w, out, as_json=False):
    """Carry out the words w ('show ...', 'stats ...', 'vf VFS ...') on DEV."""
    if w[0] == "show":
        vfs = None
        if len(w) == 3 and w[1] == "vf":
            vfs = lambda total: vf_list(w[2], total)  # noqa: E731
        elif len(w) != 1:
            raise UsageError("usage: DEV show [vf VFS]")
        show(q, dev, vfs, out, as_json)
        return
    if w[0] == "stats":
        path = dev_path(dev)
        if len(w) == 1:
            st = q.cmd("qom-get", path=path, property="stats")
        elif len(w) == 2 and w[1] == "uplink":
            st = q.cmd("qom-get", path=path, property="uplink-stats")
        elif len(w) == 3 and w[1] == "vf":
            vfs = vfs_of(q, dev, w[2])
            per = {n: q.cmd("qom-get", path=f"{path}/vf{n}", property="stats")
                   for n in vfs}
            if as_json:
                json.dump([{"vf": n, "stats": st} for n, st in per.items()], out)
                out.write("\n")
                return
            for n, st in per.items():
                for k, v in st.items():
                    # One VF: "counter value", as before; several: "vf N ...".
                    prefix = f"vf {n} " if len(vfs) > 1 else ""
                    print(f"{prefix}{k} {v}", file=out)
            return
        else:
            raise UsageError("usage: DEV stats [vf VFS | uplink]")
        if as_json:
            json.dump(st, out)
            out.write("\n")
            return
        for k, v in st.items():
            print(f"{k} {v}", file=out)
        return
    if w[0] != "vf" or len(w) < 2:
        raise UsageError("expected 'vf VFS ...', 'show' or 'stats'")
    settings = parse_settings(w[2:])
    for n in vfs_of(q, dev, w[1]):
        vpath = f"{dev_path(dev)}/vf{n}"
        for prop, value in settings:
            q.cmd("qom-set", path=vpath, property=prop, value=value)


def main(argv=None, out=None, err=None, client=None):
    """The program.  client: a snic_qmp.Qmp to use instead of --qmp's socket
    (it is not closed)."""
    out = out or sys.stdout
    err = err or sys.stderr
    ap = _Parser(
        prog="sriov-nic-ctl", out=out, err=err,
        description="Set and show per-VF policy of an sriov-nic PF over QMP "
                    "(a QEMU monitor socket or a libvirt domain).",
        epilog="commands (VFS: N, N-M, comma lists of those, or all):\n"
               "  vf VFS SETTING VALUE...  set mac, vlan [qos], spoofchk, trust, "
               "state, max-tx-rate\n"
               "  show [vf VFS]            the PF and its VFs, as ip link show\n"
               "  stats [vf VFS | uplink]  counters: one 'counter value' a line\n"
               "\nexamples:\n"
               "  sriov-nic-ctl --qmp /tmp/qmp.sock pf0 vf 0 mac 02:00:00:00:00:10 "
               "vlan 10 qos 3\n"
               "  sriov-nic-ctl --qmp /tmp/qmp.sock pf0 vf 0-3 spoofchk on trust off\n"
               "  sriov-nic-ctl --qmp /tmp/qmp.sock pf0 vf 2 state disable "
               "max-tx-rate 100\n"
               "  sriov-nic-ctl --qmp /tmp/qmp.sock pf0 show\n"
               "  sriov-nic-ctl -j --qmp /tmp/qmp.sock pf0 show vf 1,3\n"
               "  sriov-nic-ctl --qmp /tmp/qmp.sock pf0 stats vf 0\n"
               "  sriov-nic-ctl --qmp /tmp/qmp.sock pf0 stats uplink\n"
               "  sriov-nic-ctl --libvirt guest1 pf0 show\n"
               "\nexit status: 0 done; 1 QEMU refused, the connection failed or "
               "the command\nmakes no sense; 2 bad options.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    where = ap.add_mutually_exclusive_group(required=client is None)
    where.add_argument("--qmp", metavar="SOCK",
                       help="QMP unix socket of the running QEMU")
    where.add_argument("--libvirt", metavar="DOMAIN",
                       help="a libvirt domain (virsh qemu-monitor-command)")
    ap.add_argument("--connect", metavar="URI",
                    help="libvirt URI for --libvirt (virsh -c)")
    ap.add_argument("-j", "--json", action="store_true",
                    help="JSON output for show and stats")
    ap.add_argument("dev", metavar="DEV", help="PF id or QOM path")
    ap.add_argument("words", nargs="+", metavar="COMMAND",
                    help="'vf VFS SETTING VALUE...', 'show [vf VFS]' or "
                         "'stats [vf VFS|uplink]'")
    try:
        a = ap.parse_args(argv)
    except _Exit as e:
        return e.status
    q = client
    try:
        if q is None:
            q = (snic_qmp.connect_libvirt(a.libvirt, uri=a.connect) if a.libvirt
                 else snic_qmp.connect(a.qmp))
        run(q, a.dev, a.words, out, a.json)
        return 0
    except UsageError as e:
        print(f"sriov-nic-ctl: {e}", file=err)
        return 1
    except QmpError as e:
        print(f"sriov-nic-ctl: {e}", file=err)
        return 1
    finally:
        if q is not None and q is not client:
            q.close()
