"""sriov-nic-ctl: set and show per-VF policy of an sriov-nic PF over QMP.

The host-side control plane of the device (the guest's virtio_net PF driver
has no `ip link set vf`). Mirrors ip-link habits:

  sriov-nic-ctl --qmp SOCK DEV vf N [mac XX:XX:XX:XX:XX:XX] [vlan VID [qos Q]]
                [spoofchk on|off] [trust on|off] [state auto|enable|disable]
                [max-tx-rate MBPS]
  sriov-nic-ctl --qmp SOCK DEV show [vf N]
  sriov-nic-ctl --qmp SOCK DEV stats [vf N | uplink]   (one "counter value" a line)

SOCK is a QMP unix socket (-qmp unix:SOCK,server=on,wait=off). DEV is the
PF's id (-device sriov-nic,id=DEV) or a full QOM path. Each VF is reachable
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


def show(q, dev, only, out):
    path = dev_path(dev)
    total = q.cmd("qom-get", path=path, property="total-vfs")
    num = q.cmd("qom-get", path=path, property="num-vfs")
    mac = q.cmd("qom-get", path=path, property="mac")
    print(f"{dev}: sriov-nic link/ether {mac} total-vfs {total} num-vfs {num}", file=out)
    vfs = range(total) if only is None else [only]
    for n in vfs:
        vpath = f"{path}/vf{n}"
        print(fmt_vf(n, lambda p: q.cmd("qom-get", path=vpath, property=p)), file=out)


def run(q, dev, w, out):
    """Carry out the words w ('show ...', 'stats ...', 'vf N ...') on DEV."""
    if w[0] == "show":
        only = None
        if len(w) == 3 and w[1] == "vf":
            only = vf_number(w[2])
        elif len(w) != 1:
            raise UsageError("usage: DEV show [vf N]")
        show(q, dev, only, out)
        return
    if w[0] == "stats":
        path = dev_path(dev)
        if len(w) == 1:
            st = q.cmd("qom-get", path=path, property="stats")
        elif len(w) == 2 and w[1] == "uplink":
            st = q.cmd("qom-get", path=path, property="uplink-stats")
        elif len(w) == 3 and w[1] == "vf":
            st = q.cmd("qom-get", path=f"{path}/vf{vf_number(w[2])}",
                       property="stats")
        else:
            raise UsageError("usage: DEV stats [vf N | uplink]")
        for k, v in st.items():
            print(f"{k} {v}", file=out)
        return
    if w[0] != "vf" or len(w) < 2:
        raise UsageError("expected 'vf N ...' or 'show'")
    n = vf_number(w[1])
    settings = parse_settings(w[2:])
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
        description="Set and show per-VF policy of an sriov-nic PF over QMP.",
        epilog="examples:\n"
               "  sriov-nic-ctl --qmp /tmp/qmp.sock pf0 vf 0 mac 02:00:00:00:00:10 "
               "vlan 10 spoofchk on trust off state disable max-tx-rate 100\n"
               "  sriov-nic-ctl --qmp /tmp/qmp.sock pf0 show",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--qmp", required=client is None, metavar="SOCK",
                    help="QMP unix socket of the running QEMU")
    ap.add_argument("dev", metavar="DEV", help="PF id or QOM path")
    ap.add_argument("words", nargs="+", metavar="...",
                    help="'vf N SETTING VALUE...', 'show [vf N]' or 'stats [vf N|uplink]'")
    try:
        a = ap.parse_args(argv)
    except _Exit as e:
        return e.status
    q = client
    try:
        if q is None:
            q = snic_qmp.connect(a.qmp)
        run(q, a.dev, a.words, out)
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
