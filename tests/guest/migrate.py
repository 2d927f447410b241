"""Migrating a test guest from one QEMU process to another (host side).

A scenario with "# host-control: yes" asks for a migration from the guest
with `host_migrate [ARGS...]` (tests/guest/lib.sh); the runner
(tests/guest/runner.py) hands the request to migrate() here, which

  1. starts a destination QEMU: the same command line (the scenario's
     "# qemu:" lines with the NAME=VALUE overrides of the request), its own
     QMP and control sockets, the verdict serial port appended to the same
     file, and -incoming defer;
  2. sets the return-path capability on both sides (a refused stream fails
     the migration on the source, which keeps running) and lets the source
     send as fast as the host can;
  3. migrates, over a unix socket (default) or through a file
     ("file": the source saves the VM to a file and stops, the destination
     restores it);
  4. on success makes the destination the machine the guest runs in and
     quits the source; on failure kills the destination.

The request's reply (key=value lines, then its exit status) reaches the
guest on the control port of whichever QEMU it runs in afterwards:
  status=completed|failed    total_ms= downtime_ms= setup_ms=
  transferred_mb=            ram_mbps= (source's query-migrate)
  source=running|...         the source's run state after a failure
  error=TEXT                 the source's error-desc
  dest_error=TEXT            a line the destination printed (repeated)
  corrupt_error=TEXT         ... when it was given a corrupted file
Exit status: 0 the guest now runs on the destination; 1 the migration
failed and the guest still runs on the source; 2 a bad request.

Request arguments:
  unix | file      transport (default unix)
  corrupt-ring     file only: first offer the destination a copy of the
                   file with one ring index corrupted (corrupt_ring_index),
                   expect it to refuse, then restore the real file
  NAME=VALUE       a scenario variable for the destination's command line
                   (e.g. TOTAL_VFS=4 for a destination that must refuse)
"""

import os
import struct
import time

import snic_qmp

MIGRATION_TIMEOUT = 300.0
# The source sends as fast as it can: on one host the socket is the limit.
MAX_BANDWIDTH = 10 << 30


class BadRequest(Exception):
    pass


def parse_request(words):
    """-> dict(transport=, corrupt=, sets={})"""
    req = {"transport": "unix", "corrupt": False, "sets": {}}
    for w in words:
        name, eq, value = w.partition("=")
        if eq:
            if not name.isidentifier():
                raise BadRequest(f"bad variable '{w}'")
            req["sets"][name] = value
        elif w in ("unix", "file"):
            req["transport"] = w
        elif w == "corrupt-ring":
            req["corrupt"] = True
        else:
            raise BadRequest(f"unknown argument '{w}' (unix, file, "
                             "corrupt-ring, NAME=VALUE)")
    if req["corrupt"] and req["transport"] != "file":
        raise BadRequest("corrupt-ring needs the file transport")
    return req


# ---- the core's state inside a migration stream --------------------------
# Layout: hw/net/sriov-nic/core/migration/device_state.cc (version 4).  The
# glue puts it in the sriov-nic section as a big-endian u32 length and the
# bytes (VMSTATE_VBUFFER_ALLOC_UINT32); it starts with "SNIC", version 4,
# personality 1 and ends with "END!".
CORE_HEAD = b"SNIC\x04\x00\x00\x00\x01"
CORE_END = b"END!"
NUM_PORT_COUNTERS = 25    # port/stats.h PortStats
NUM_UPLINK_COUNTERS = 12  # port/stats.h UplinkStats
VF_POLICY_BYTES = 16      # mac 6, vlan 2, qos, spoofchk, trust, link-state, rate 4
QUEUE_BYTES = 37          # virtio/state_codec.cc, one queue


def find_core_state(data):
    """(offset, length) of the core's state in a migration stream."""
    at = 0
    found = []
    while True:
        at = data.find(CORE_HEAD, at)
        if at < 0:
            break
        if at >= 4:
            n = struct.unpack(">I", data[at - 4:at])[0]
            if n >= 64 and data[at + n - 4:at + n] == CORE_END:
                found.append((at, n))
        at += 1
    if len(found) != 1:
        raise ValueError(f"{len(found)} sriov-nic core states in the stream "
                         "(want exactly one)")
    return found[0]


def pf_queue_offsets(blob):
    """Offsets of the PF's queues' records in a core state blob."""
    u16 = lambda o: struct.unpack_from("<H", blob, o)[0]  # noqa: E731
    total_vfs = u16(9)
    # magic, version, personality, total-vfs, queue-size, mtu, offloads,
    # queue-pairs, packed, MAC; the VF netdevs (count, VF numbers);
    # num_vfs, per link (uplink, VF netdevs) its link and counters; VF
    # policies
    vf_netdevs = u16(25)
    o = 25 + 2 + 2 * vf_netdevs + 2
    o += (1 + vf_netdevs) * (1 + 8 * NUM_UPLINK_COUNTERS) + VF_POLICY_BYTES * total_vfs
    o += 3 + 6 + 2                       # enabled, bus master, link, mac, flags
    for _ in range(2):                   # unicast, multicast tables
        o += 2 + 6 * u16(o)
    o += 8 * 64 + 8 * NUM_PORT_COUNTERS  # VLAN bitmap, counters
    o += 2 + 8                           # needs_reset, announce, guest_offloads
    o += 2 + 1 + 4                       # queue pairs on, steering, hash types
    o += 2 + 2 * (u16(o) + 1) + 2        # table mask, unclassified, table
    o += 1 + blob[o]                     # key length, key
    o += 4 + 4 + 8 + 2 + 1 + 1 + 2 + 1   # transport registers
    nq = u16(o)
    o += 2
    if not 3 <= nq <= 33 or o + nq * QUEUE_BYTES > len(blob):
        raise ValueError(f"PF queue count {nq} at {o - 2}: layout not understood")
    return [o + i * QUEUE_BYTES for i in range(nq)]


def corrupt_ring_index(src, dst):
    """Copy migration stream src to dst with the PF's first queue's
    last_avail_idx moved past what the device can have in flight (an
    enabled queue: used_idx + size + 1; a disabled one: 1).  Returns a
    description of the change."""
    with open(src, "rb") as f:
        data = bytearray(f.read())
    at, n = find_core_state(data)
    blob = data[at:at + n]
    q = pf_queue_offsets(blob)[0]
    size, _vec, enabled = struct.unpack_from("<HHB", blob, q)
    last_avail_at = q + 2 + 2 + 1 + 24
    last_avail, used = struct.unpack_from("<HH", blob, last_avail_at)
    bad = (used + size + 1) & 0xFFFF if enabled else 1
    struct.pack_into("<H", data, at + last_avail_at, bad)
    with open(dst, "wb") as f:
        f.write(data)
    return (f"PF queue 0 (size {size}, enabled {enabled}): last_avail_idx "
            f"{last_avail} -> {bad} (used_idx {used})")


# ---- driving the two QEMUs ----------------------------------------------

def _wait_migration(q, done=("completed", "failed", "cancelled"),
                    timeout=MIGRATION_TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        info = q.cmd("query-migrate")
        if info.get("status") in done:
            return info
        if time.monotonic() > deadline:
            return dict(info, status="failed",
                        **{"error-desc": f"not finished after {timeout:.0f}s"})
        time.sleep(0.05)


def _wait_running(q, proc, timeout=60.0):
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if q.cmd("query-status").get("status") == "running":
            return True
        time.sleep(0.05)
    return False


def _stats_lines(info):
    ram = info.get("ram", {})
    lines = [f"status={info.get('status')}"]
    for key, name in (("total-time", "total_ms"), ("downtime", "downtime_ms"),
                      ("setup-time", "setup_ms")):
        if key in info:
            lines.append(f"{name}={info[key]}")
    if "transferred" in ram:
        lines.append(f"transferred_mb={ram['transferred'] / 1e6:.1f}")
    if "mbps" in ram:
        lines.append(f"ram_mbps={ram['mbps']:.0f}")
    if info.get("error-desc"):
        lines.append(f"error={info['error-desc']}")
    return lines


class _Dest:
    """One destination QEMU: its process, sockets and the lines it printed."""

    def __init__(self, machine, sets, tag):
        self.machine = machine
        self.qemu = machine.spawn_destination(sets, tag)
        self.qmp = None

    def connect(self, return_path):
        self.qmp = snic_qmp.connect(self.qemu.qmp_path, timeout=30, wait=30)
        self.qmp.cmd("migrate-set-capabilities", capabilities=[
            {"capability": "return-path", "state": return_path}])
        return self.qmp

    def errors(self):
        return [l for l in self.qemu.output if l.strip()][-10:]

    def kill(self):
        if self.qmp is not None:
            try:
                self.qmp.cmd("quit")
            except snic_qmp.QmpError:
                pass  # it has exited already
            self.qmp.close()
            self.qmp = None
        self.machine.stop(self.qemu)


def migrate(machine, words):
    """Serve one host_migrate request: (exit status, output lines)."""
    try:
        req = parse_request(words)
    except BadRequest as e:
        return 2, [f"host_migrate: {e}"]
    machine.log(f"migration requested: {' '.join(words) or '(defaults)'}")
    src = machine.current
    with snic_qmp.connect(src.qmp_path, timeout=30, wait=10) as sq:
        # A refused stream fails a socket migration on the source, which
        # keeps running; a file has no way back.
        sq.cmd("migrate-set-capabilities", capabilities=[
            {"capability": "return-path", "state": req["transport"] == "unix"}])
        sq.cmd("migrate-set-parameters", **{"max-bandwidth": MAX_BANDWIDTH})
        if req["transport"] == "unix":
            return _migrate_unix(machine, sq, src, req)
        return _migrate_file(machine, sq, src, req)


def _fail(machine, sq, dest, lines):
    """The migration failed: the destination goes, the source stays."""
    if dest is not None:
        time.sleep(0.5)  # let it print why
        lines += [f"dest_error={l}" for l in dest.errors()]
        dest.kill()
    # QEMU sets the failed status before it restarts the source's vCPUs.
    status = None
    deadline = time.monotonic() + 10
    try:
        while status != "running" and time.monotonic() < deadline:
            status = sq.cmd("query-status").get("status")
            if status != "running":
                time.sleep(0.1)
        lines.append(f"source={status}")
    except snic_qmp.QmpError as e:
        lines.append(f"source=unreachable ({e.desc})")
    machine.log("migration failed; the guest stays on the source: "
                + "; ".join(lines))
    return 1, lines


def _switch(machine, sq, src, dest, lines):
    """The destination runs: the guest lives there from now on."""
    dest.qmp.close()
    dest.qmp = None
    machine.make_current(dest.qemu)
    try:
        sq.cmd("quit")
    except snic_qmp.QmpError:
        pass
    machine.stop(src, grace=10)
    machine.log("migration completed: " + "; ".join(lines))
    return 0, lines


def _migrate_unix(machine, sq, src, req):
    dest = _Dest(machine, req["sets"], "dst")
    sock = dest.qemu.base + ".mig"
    try:
        dq = dest.connect(True)
        if os.path.exists(sock):
            os.unlink(sock)
        dq.cmd("migrate-incoming", uri=f"unix:{sock}")
    except snic_qmp.QmpError as e:
        return _fail(machine, sq, dest, ["status=failed",
                                         f"error=destination: {e.desc}"])
    sq.cmd("migrate", uri=f"unix:{sock}")
    info = _wait_migration(sq)
    lines = _stats_lines(info)
    if info.get("status") != "completed" or not _wait_running(dq, dest.qemu.proc):
        if info.get("status") == "completed":
            lines = ["status=failed", "error=the destination does not run"]
        return _fail(machine, sq, dest, lines)
    return _switch(machine, sq, src, dest, lines)


def _migrate_file(machine, sq, src, req):
    path = src.base + ".state"
    sq.cmd("migrate", uri=f"file:{path}")
    info = _wait_migration(sq)
    lines = _stats_lines(info)
    if info.get("status") != "completed":
        sq.cmd("cont")
        return _fail(machine, sq, None, lines)
    lines.append(f"file_mb={os.path.getsize(path) / 1e6:.1f}")
    if req["corrupt"]:
        bad = path + ".corrupt"
        try:
            what = corrupt_ring_index(path, bad)
        except (ValueError, struct.error) as e:
            sq.cmd("cont")
            return 1, lines + [f"error=cannot corrupt the file: {e}"]
        lines.append(f"corrupted={what}")
        d = _Dest(machine, req["sets"], "bad")
        try:
            d.connect(False).cmd("migrate-incoming", uri=f"file:{bad}",
                            **{"exit-on-error": False})
            dinfo = _wait_migration(d.qmp)
            lines.append(f"corrupt_status={dinfo.get('status')}")
        except snic_qmp.QmpError as e:
            lines.append(f"corrupt_status=failed ({e.desc})")
        time.sleep(0.5)
        lines += [f"corrupt_error={l}" for l in d.errors()]
        d.kill()
    dest = _Dest(machine, req["sets"], "dst")
    try:
        dq = dest.connect(False)
        dq.cmd("migrate-incoming", uri=f"file:{path}")
        dinfo = _wait_migration(dq)
    except snic_qmp.QmpError as e:
        dinfo = {"status": "failed", "error-desc": e.desc}
    if dinfo.get("status") != "completed" or not _wait_running(dq, dest.qemu.proc):
        sq.cmd("cont")
        lines += ["restore=failed", f"error={dinfo.get('error-desc', '?')}"]
        return _fail(machine, sq, dest, lines)
    lines.append("restore=completed")
    return _switch(machine, sq, src, dest, lines)
