// sriov-nic core: the state every port has, in the migration stream.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "port.h"

#include <bitset>
#include <cstring>
#include <string>

#include "../migration/stream.h"

namespace snic::port {

namespace {

// PortStats in the stream: its counters in declaration order.
constexpr size_t kNumCounters = sizeof(PortStats) / sizeof(uint64_t);
static_assert(sizeof(PortStats) == kNumCounters * sizeof(uint64_t));

enum FilterFlag : uint16_t {
  kPromisc = 1 << 0,
  kAllmulti = 1 << 1,
  kAlluni = 1 << 2,
  kNomulti = 1 << 3,
  kNouni = 1 << 4,
  kNobcast = 1 << 5,
  kProgrammable = 1 << 6,
  kVlanFiltering = 1 << 7,
  kUniOverflow = 1 << 8,
  kMultiOverflow = 1 << 9,
  kAllFlags = (1 << 10) - 1,
};

void EncodeMacs(migration::Encoder& e, const std::vector<MacAddress>& t) {
  e.U16(static_cast<uint16_t>(t.size()));
  for (const MacAddress& m : t) e.Bytes(m.data(), m.size());
}

std::vector<MacAddress> DecodeMacs(migration::Decoder& d, const char* what) {
  const uint16_t n = d.U16(what);
  std::vector<MacAddress> t;
  if (n > RxFilter::kMaxMacEntries) {
    d.Fail(what, "has " + std::to_string(n) + " entries, more than " +
                     std::to_string(RxFilter::kMaxMacEntries));
    return t;
  }
  for (uint16_t i = 0; i < n && d.ok(); ++i) {
    MacAddress m;
    d.Bytes(what, m.data(), m.size());
    t.push_back(m);
  }
  return t;
}

}  // namespace

void Port::EncodeCommon(migration::Encoder& e) const {
  e.Bool(state_.enabled);
  e.Bool(state_.bus_master);
  e.Bool(state_.link_up);
  const RxFilter& f = state_.filter;
  e.Bytes(f.mac().data(), 6);
  e.U16(static_cast<uint16_t>(
      (f.promisc ? kPromisc : 0) | (f.allmulti ? kAllmulti : 0) |
      (f.alluni ? kAlluni : 0) | (f.nomulti ? kNomulti : 0) |
      (f.nouni ? kNouni : 0) | (f.nobcast ? kNobcast : 0) |
      (f.programmable ? kProgrammable : 0) |
      (f.vlan_filtering ? kVlanFiltering : 0) |
      (f.uni_overflow ? kUniOverflow : 0) |
      (f.multi_overflow ? kMultiOverflow : 0)));
  EncodeMacs(e, f.unicast());
  EncodeMacs(e, f.multicast());
  for (size_t w = 0; w < 4096; w += 64) {
    uint64_t bits = 0;
    for (size_t b = 0; b < 64; ++b) {
      if (f.vlans().test(w + b)) bits |= uint64_t{1} << b;
    }
    e.U64(bits);
  }
  uint64_t c[kNumCounters];
  std::memcpy(c, &stats_, sizeof(c));
  for (uint64_t v : c) e.U64(v);
}

void Port::DecodeCommon(migration::Decoder& d, CommonImage* c) {
  c->enabled = d.Bool("enabled");
  c->bus_master = d.Bool("bus_master");
  c->link_up = d.Bool("link_up");
  MacAddress mac;
  d.Bytes("mac", mac.data(), mac.size());
  if (d.ok() && eth::IsMulticast(mac)) {
    d.Fail("mac", "is a multicast address: " + eth::FormatMac(mac));
  }
  const uint16_t flags = d.U16("rx filter flags");
  if (d.ok() && (flags & ~kAllFlags) != 0) {
    d.Fail("rx filter flags", "has undefined bits");
  }
  RxFilter& f = c->filter;
  f.Reset(mac);
  f.promisc = flags & kPromisc;
  f.allmulti = flags & kAllmulti;
  f.alluni = flags & kAlluni;
  f.nomulti = flags & kNomulti;
  f.nouni = flags & kNouni;
  f.nobcast = flags & kNobcast;
  f.programmable = flags & kProgrammable;
  f.vlan_filtering = flags & kVlanFiltering;
  const std::vector<MacAddress> uni = DecodeMacs(d, "unicast table");
  const std::vector<MacAddress> multi = DecodeMacs(d, "multicast table");
  std::bitset<4096> vlans;
  for (size_t w = 0; w < 4096; w += 64) {
    const uint64_t bits = d.U64("vlan filter");
    for (size_t b = 0; b < 64; ++b) {
      if (bits & (uint64_t{1} << b)) vlans.set(w + b);
    }
  }
  if (d.ok()) {
    f.SetTables(uni, multi, vlans);
  }
  f.uni_overflow = flags & kUniOverflow;
  f.multi_overflow = flags & kMultiOverflow;
  uint64_t ctr[kNumCounters];
  for (uint64_t& v : ctr) v = d.U64("counters");
  std::memcpy(&c->stats, ctr, sizeof(ctr));
}

void Port::CommitCommon(const CommonImage& c) {
  state_.enabled = c.enabled;
  state_.bus_master = c.bus_master;
  state_.link_up = c.link_up;
  state_.filter = c.filter;
  stats_ = c.stats;
}

}  // namespace snic::port
