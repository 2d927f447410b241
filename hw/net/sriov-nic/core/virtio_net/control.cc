// sriov-nic core: virtio-net control virtqueue commands.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "control.h"

#include "../virtio/spec.h"

namespace snic::net {

namespace {

bool Has(uint64_t features, unsigned bit) {
  return features & virtio::Bit(bit);
}

ControlResult Err(const char* why) {
  ControlResult r;
  r.error = why;
  return r;
}

ControlResult Ok() {
  ControlResult r;
  r.ack = kCtrlOk;
  return r;
}

ControlResult Untrusted(const char* why) {
  ControlResult r = Err(why);
  r.refused_untrusted = true;
  return r;
}

ControlResult RxMode(uint8_t cmd, virtio::Reader& data, bool trusted,
                     RxFilter& f) {
  uint8_t on = 0;
  if (!data.ReadObj(&on)) {
    return Err("ctrl RX command without its on/off byte");
  }
  const bool v = on != 0;
  if (v && !trusted &&
      (cmd == kCtrlRxPromisc || cmd == kCtrlRxAllmulti ||
       cmd == kCtrlRxAlluni)) {
    return Untrusted("PROMISC/ALLMULTI/ALLUNI refused: VF not trusted");
  }
  switch (cmd) {
    case kCtrlRxPromisc:
      f.promisc = v;
      break;
    case kCtrlRxAllmulti:
      f.allmulti = v;
      break;
    case kCtrlRxAlluni:
      f.alluni = v;
      break;
    case kCtrlRxNomulti:
      f.nomulti = v;
      break;
    case kCtrlRxNouni:
      f.nouni = v;
      break;
    case kCtrlRxNobcast:
      f.nobcast = v;
      break;
    default:
      return Err("unknown ctrl RX command");
  }
  return Ok();
}

// One struct virtio_net_ctrl_mac: le32 entries, then entries * 6 bytes.
// Entries past the cap are skipped (still consumed) and set overflow.
bool ReadMacList(virtio::Reader& data, RxFilter& f, bool multicast) {
  Le32 n;
  if (!data.ReadObj(&n)) {
    return false;
  }
  const uint64_t entries = n.get();
  if (entries * 6 > data.remaining()) {
    return false;
  }
  for (uint64_t i = 0; i < entries; ++i) {
    MacAddress m;
    if (i >= RxFilter::kMaxMacEntries) {
      (multicast ? f.multi_overflow : f.uni_overflow) = true;
      return data.Skip((entries - i) * 6);
    }
    if (!data.Read(m.data(), 6)) {
      return false;
    }
    if (multicast) {
      f.AddMulticast(m);
    } else {
      f.AddUnicast(m);
    }
  }
  return true;
}

ControlResult Mac(uint8_t cmd, virtio::Reader& data, uint64_t features,
                  bool trusted, RxFilter& f) {
  if (cmd == kCtrlMacAddrSet) {
    if (!Has(features, kFCtrlMacAddr)) {
      return Err("MAC_ADDR_SET without VIRTIO_NET_F_CTRL_MAC_ADDR");
    }
    MacAddress m;
    if (data.remaining() != 6 || !data.Read(m.data(), 6)) {
      return Err("MAC_ADDR_SET with a bad length");
    }
    if (IsMulticast(m.data())) {
      return Err("MAC_ADDR_SET with a multicast address");
    }
    if (!trusted && m != f.mac()) {
      return Untrusted("MAC_ADDR_SET refused: VF not trusted");
    }
    ControlResult r = Ok();
    r.mac_changed = m != f.mac();
    f.set_mac(m);
    return r;
  }
  if (cmd == kCtrlMacTableSet) {
    if (!Has(features, kFCtrlRx)) {
      return Err("MAC_TABLE_SET without VIRTIO_NET_F_CTRL_RX");
    }
    f.ClearTables();
    if (!ReadMacList(data, f, false) || !ReadMacList(data, f, true) ||
        data.remaining() != 0) {
      // As QEMU: a malformed table leaves the filter with empty tables.
      f.ClearTables();
      return Err("MAC_TABLE_SET with malformed tables");
    }
    return Ok();
  }
  return Err("unknown ctrl MAC command");
}

ControlResult Vlan(uint8_t cmd, virtio::Reader& data, RxFilter& f) {
  Le16 vid;
  if (data.remaining() != 2 || !data.ReadObj(&vid)) {
    return Err("ctrl VLAN command with a bad length");
  }
  if (vid.get() >= 4096) {
    return Err("ctrl VLAN id out of range");
  }
  if (cmd == kCtrlVlanAdd) {
    f.SetVlan(vid.get(), true);
  } else if (cmd == kCtrlVlanDel) {
    f.SetVlan(vid.get(), false);
  } else {
    return Err("unknown ctrl VLAN command");
  }
  return Ok();
}

}  // namespace

ControlResult ExecuteControl(const CtrlHdr& hdr, virtio::Reader& data,
                             uint64_t features, bool trusted,
                             RxFilter& filter) {
  switch (hdr.cls) {
    case kCtrlRx:
      if (!Has(features, kFCtrlRx)) {
        return Err("ctrl RX class without VIRTIO_NET_F_CTRL_RX");
      }
      return RxMode(hdr.cmd, data, trusted, filter);
    case kCtrlMac:
      return Mac(hdr.cmd, data, features, trusted, filter);
    case kCtrlVlan:
      if (!Has(features, kFCtrlVlan)) {
        return Err("ctrl VLAN class without VIRTIO_NET_F_CTRL_VLAN");
      }
      return Vlan(hdr.cmd, data, filter);
    case kCtrlAnnounce:
      if (hdr.cmd != kCtrlAnnounceAck) {
        return Err("unknown ctrl ANNOUNCE command");
      }
      {
        ControlResult r = Ok();
        r.announce_acked = true;
        return r;
      }
    default:
      return Err("unknown ctrl class");
  }
}

}  // namespace snic::net
