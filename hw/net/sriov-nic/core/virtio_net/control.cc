// sriov-nic core: virtio-net control virtqueue commands.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "control.h"

#include "../virtio/spec.h"

namespace snic::virtio_net {

using port::RxFilter;

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

// A failed read is fatal (kDma); a short one is the driver's mistake.
ControlResult ReadFailed(const Status& s, const char* why) {
  ControlResult r = Err(why);
  if (s.code() == Status::Code::kDma) {
    r.dma = s;
  }
  return r;
}

ControlResult RxMode(uint8_t cmd, virtio::Reader& data, bool trusted,
                     RxFilter& f) {
  uint8_t on = 0;
  if (Status s = data.ReadObj(&on); !s.ok()) {
    return ReadFailed(s, "ctrl RX command without its on/off byte");
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
  ControlResult r = Ok();
  r.filter_changed = true;
  return r;
}

// One struct virtio_net_ctrl_mac: le32 entries, then entries * 6 bytes.
// Entries past the cap are skipped (still consumed) and set overflow.
Status ReadMacList(virtio::Reader& data, RxFilter& f, bool multicast) {
  Le32 n;
  if (Status s = data.ReadObj(&n); !s.ok()) {
    return s;
  }
  const uint64_t entries = n.get();
  if (entries * 6 > data.remaining()) {
    return Status::Short("MAC list longer than its buffer");
  }
  for (uint64_t i = 0; i < entries; ++i) {
    if (i >= RxFilter::kMaxMacEntries) {
      (multicast ? f.multi_overflow : f.uni_overflow) = true;
      return data.Skip((entries - i) * 6);
    }
    eth::MacAddress m;
    if (Status s = data.Read(m.data(), 6); !s.ok()) {
      return s;
    }
    if (multicast) {
      f.AddMulticast(m);
    } else {
      f.AddUnicast(m);
    }
  }
  return Status::Ok();
}

ControlResult Mac(uint8_t cmd, virtio::Reader& data, const ControlContext& ctx,
                  RxFilter& f) {
  if (cmd == kCtrlMacAddrSet) {
    if (!Has(ctx.features, kFCtrlMacAddr)) {
      return Err("MAC_ADDR_SET without VIRTIO_NET_F_CTRL_MAC_ADDR");
    }
    eth::MacAddress m;
    if (data.remaining() != 6) {
      return Err("MAC_ADDR_SET with a bad length");
    }
    if (Status s = data.Read(m.data(), 6); !s.ok()) {
      return ReadFailed(s, "MAC_ADDR_SET with a bad length");
    }
    if (eth::IsMulticast(m) || eth::IsZero(m)) {
      return Err("MAC_ADDR_SET with a multicast or zero address");
    }
    if (m == f.mac()) {
      return Ok();
    }
    if (!ctx.trusted) {
      return Untrusted("MAC_ADDR_SET refused: VF not trusted");
    }
    if (ctx.macs != nullptr && ctx.macs->TakenByOther(ctx.fn, m)) {
      return Err("MAC_ADDR_SET refused: another function uses that MAC");
    }
    ControlResult r = Ok();
    r.mac_changed = true;
    r.filter_changed = true;
    f.set_mac(m);
    return r;
  }
  if (cmd == kCtrlMacTableSet) {
    if (!Has(ctx.features, kFCtrlRx)) {
      return Err("MAC_TABLE_SET without VIRTIO_NET_F_CTRL_RX");
    }
    f.ClearTables();
    Status s = ReadMacList(data, f, false);
    if (s.ok()) s = ReadMacList(data, f, true);
    if (s.ok() && data.remaining() != 0) {
      s = Status::Short("trailing bytes");
    }
    if (!s.ok()) {
      // As QEMU: a malformed table leaves the filter with empty tables.
      f.ClearTables();
      ControlResult r = ReadFailed(s, "MAC_TABLE_SET with malformed tables");
      r.filter_changed = true;
      return r;
    }
    ControlResult r = Ok();
    r.filter_changed = true;
    r.table_overflow = f.uni_overflow || f.multi_overflow;
    return r;
  }
  return Err("unknown ctrl MAC command");
}

ControlResult Vlan(uint8_t cmd, virtio::Reader& data, RxFilter& f) {
  Le16 vid;
  if (data.remaining() != 2) {
    return Err("ctrl VLAN command with a bad length");
  }
  if (Status s = data.ReadObj(&vid); !s.ok()) {
    return ReadFailed(s, "ctrl VLAN command with a bad length");
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
  ControlResult r = Ok();
  r.filter_changed = true;
  return r;
}

// 5.1.6.5.6.1: the offloads must be ones the driver negotiated.
ControlResult GuestOffloads(uint8_t cmd, virtio::Reader& data,
                            uint64_t features) {
  if (cmd != kCtrlGuestOffloadsSet) {
    return Err("unknown ctrl GUEST_OFFLOADS command");
  }
  Le64 v;
  if (data.remaining() != sizeof(v)) {
    return Err("ctrl GUEST_OFFLOADS_SET with a bad length");
  }
  if (Status s = data.ReadObj(&v); !s.ok()) {
    return ReadFailed(s, "ctrl GUEST_OFFLOADS_SET with a bad length");
  }
  const uint64_t want = v.get();
  if (want & ~(features & kGuestOffloadMask)) {
    return Err("ctrl GUEST_OFFLOADS_SET with offloads that were not "
               "negotiated");
  }
  ControlResult r = Ok();
  r.set_guest_offloads = true;
  r.guest_offloads = want;
  return r;
}

// The part of struct virtio_net_rss_config (5.1.6.5.7.1) and
// virtio_net_hash_config (5.1.6.5.6.4) after the command header. Both
// start with hash_types and end with hash_key_length and the key; the
// hash config's 8 reserved bytes sit where RSS has the table fields.
ControlResult Mq(uint8_t cmd, virtio::Reader& data, const ControlContext& ctx) {
  if (cmd == kCtrlMqVqPairsSet) {
    if (!Has(ctx.features, kFMq)) {
      return Err("MQ_VQ_PAIRS_SET without VIRTIO_NET_F_MQ");
    }
    Le16 n;
    if (data.remaining() != sizeof(n)) {
      return Err("MQ_VQ_PAIRS_SET with a bad length");
    }
    if (Status s = data.ReadObj(&n); !s.ok()) {
      return ReadFailed(s, "MQ_VQ_PAIRS_SET with a bad length");
    }
    if (n.get() < kMqPairsMin || n.get() > ctx.max_pairs) {
      return Err("MQ_VQ_PAIRS_SET outside 1..max_virtqueue_pairs");
    }
    ControlResult r = Ok();
    r.mq = ControlResult::Mq::kPairs;
    r.pairs = n.get();
    return r;
  }
  const bool rss = cmd == kCtrlMqRssConfig;
  if (rss && !Has(ctx.features, kFRss)) {
    return Err("MQ_RSS_CONFIG without VIRTIO_NET_F_RSS");
  }
  if (cmd == kCtrlMqHashConfig && !Has(ctx.features, kFHashReport)) {
    return Err("MQ_HASH_CONFIG without VIRTIO_NET_F_HASH_REPORT");
  }
  if (!rss && cmd != kCtrlMqHashConfig) {
    return Err("unknown ctrl MQ command");
  }
  const char* bad = rss ? "MQ_RSS_CONFIG with a bad length"
                        : "MQ_HASH_CONFIG with a bad length";
  RssConfig c;
  Le32 types;
  Le16 mask, unclassified, max_tx;
  Status s = data.ReadObj(&types);
  if (s.ok()) s = data.ReadObj(&mask);
  if (s.ok()) s = data.ReadObj(&unclassified);
  if (!s.ok()) return ReadFailed(s, bad);
  c.hash_types = types.get() & kSupportedHashTypes;
  if (rss) {
    const uint32_t entries = uint32_t{mask.get()} + 1;
    if (entries > kRssMaxTableLen || (entries & (entries - 1)) != 0) {
      return Err("MQ_RSS_CONFIG indirection table length not a power of "
                 "two up to rss_max_indirection_table_length");
    }
    if (unclassified.get() >= ctx.max_pairs) {
      return Err("MQ_RSS_CONFIG unclassified_queue beyond the queue pairs");
    }
    c.steering = true;
    c.table_mask = mask.get();
    c.unclassified = unclassified.get();
    for (uint32_t i = 0; i < entries; ++i) {
      Le16 q;
      if (Status st = data.ReadObj(&q); !st.ok()) return ReadFailed(st, bad);
      if (q.get() >= ctx.max_pairs) {
        return Err("MQ_RSS_CONFIG indirection table names a queue beyond "
                   "the queue pairs");
      }
      c.table[i] = q.get();
    }
    s = data.ReadObj(&max_tx);
    if (!s.ok()) return ReadFailed(s, bad);
    if (max_tx.get() < kMqPairsMin || max_tx.get() > ctx.max_pairs) {
      return Err("MQ_RSS_CONFIG max_tx_vq outside 1..max_virtqueue_pairs");
    }
  } else {
    // The rest of reserved[4].
    if (Status st = data.Skip(4); !st.ok()) return ReadFailed(st, bad);
  }
  uint8_t key_len = 0;
  if (Status st = data.ReadObj(&key_len); !st.ok()) return ReadFailed(st, bad);
  if (key_len > kRssMaxKeySize) {
    return Err("MQ RSS/hash config key longer than rss_max_key_size");
  }
  if (key_len == 0 && c.hash_types != 0) {
    return Err("MQ RSS/hash config with hash types but no key");
  }
  if (data.remaining() == key_len + 1u) {
    // Linux since the split of struct virtio_net_ctrl_rss (6.12 stable
    // included) sends struct_size(trailer, hash_key_data, len): the
    // trailer's padding byte sits between hash_key_length and the key.
    // QEMU reads the key from the padding on; the key is after it.
    if (Status st = data.Skip(1); !st.ok()) return ReadFailed(st, bad);
  }
  if (data.remaining() != key_len) {
    return Err(bad);
  }
  if (Status st = data.Read(c.key.data(), key_len); !st.ok()) {
    return ReadFailed(st, bad);
  }
  c.key_len = key_len;
  ControlResult r = Ok();
  r.mq = rss ? ControlResult::Mq::kRss : ControlResult::Mq::kHash;
  r.pairs = rss ? max_tx.get() : 0;
  r.rss = c;
  return r;
}

}  // namespace

ControlResult ExecuteControl(const CtrlHdr& hdr, virtio::Reader& data,
                             const ControlContext& ctx, RxFilter& filter) {
  switch (hdr.cls) {
    case kCtrlRx:
      if (!Has(ctx.features, kFCtrlRx)) {
        return Err("ctrl RX class without VIRTIO_NET_F_CTRL_RX");
      }
      return RxMode(hdr.cmd, data, ctx.trusted, filter);
    case kCtrlMac:
      return Mac(hdr.cmd, data, ctx, filter);
    case kCtrlVlan:
      if (!Has(ctx.features, kFCtrlVlan)) {
        return Err("ctrl VLAN class without VIRTIO_NET_F_CTRL_VLAN");
      }
      return Vlan(hdr.cmd, data, filter);
    case kCtrlAnnounce: {
      if (!Has(ctx.features, kFGuestAnnounce)) {
        return Err("ctrl ANNOUNCE class without VIRTIO_NET_F_GUEST_ANNOUNCE");
      }
      if (hdr.cmd != kCtrlAnnounceAck) {
        return Err("unknown ctrl ANNOUNCE command");
      }
      ControlResult r = Ok();
      r.announce_acked = true;
      return r;
    }
    case kCtrlGuestOffloads:
      if (!Has(ctx.features, kFCtrlGuestOffloads)) {
        return Err("ctrl GUEST_OFFLOADS class without "
                   "VIRTIO_NET_F_CTRL_GUEST_OFFLOADS");
      }
      return GuestOffloads(hdr.cmd, data, ctx.features);
    case kCtrlMq:
      return Mq(hdr.cmd, data, ctx);
    default:
      return Err("unknown ctrl class");
  }
}

}  // namespace snic::virtio_net
