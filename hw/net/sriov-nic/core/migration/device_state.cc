// sriov-nic core: the device's migration state (Device::SaveState and
// Device::LoadState), and the run state around it.
//
// The stream, version 4, in order (stream.h: little-endian, fixed width):
//   magic "SNIC" (u32 0x43494e53), version (u32)
//   configuration: personality (u8, 1 = virtio-net, 2 = ixgbe), total-vfs
//     (u16),
//     queue-size (u16), mtu (u16), offloads (u8), queue-pairs (u16), packed
//     (u8), PF MAC (6 bytes), VFs with a netdev of their own (u16 count,
//     then each VF number, u16); the destination's must be the same
//   device: NumVFs (u16), uplink link (u8), uplink counters (12 x u64);
//     per VF netdev link: its link (u8) and counters (12 x u64)
//   per VF: policy: MAC (6), vlan (u16), qos (u8), spoofchk (u8),
//     trust (u8), link-state (u8), max-tx-rate (u32): the host's, or with
//     ixgbe the guest PF driver's as the device last applied it
//   per function (PF, then each VF): the port (the personality's
//     Port::Encode), its rate limiter (rate u32, tokens i64, last_ns u64),
//     starved (u8)
//   ixgbe only: the chip (ixgbe::Nic::Encode: PF register file, EEPROM,
//     mailboxes, pools, VF register files, 128 TX and 128 RX queues)
//   end marker (u32 0x21444e45, "END!")
// Not in it, by design: TX holds and frames waiting in the netdev. A held
// frame is still in the guest's TX ring (Port::Quiesce gives it back), so
// after a load every lane is retried and holds start afresh; QEMU's own
// packet queues are not migrated.
//
// Loading is all or nothing: the whole stream is decoded and checked
// first (every value a running device could not have is refused with a
// message naming the field), then applied. The ixgbe chip is checked by
// decoding it into a scratch Nic; once the whole stream is good, the same
// bytes are decoded into the device's own.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../device/device.h"
#include "../ixgbe/function.h"
#include "../vswitch/forwarder.h"
#include "../vswitch/switch.h"
#include "stream.h"

namespace snic::device {

using migration::Decoder;
using migration::Encoder;
using migration::Scope;

namespace {

constexpr uint32_t kMagic = 0x43494e53;  // "SNIC"
constexpr uint32_t kEnd = 0x21444e45;    // "END!"
// 2: offloads; 3: queue pairs, RSS, packed rings; 4: VF netdevs.
constexpr uint32_t kVersion = 4;
constexpr uint8_t kPersonalityVirtioNet = 1;
constexpr uint8_t kPersonalityIxgbe = 2;

uint8_t PersonalityCode(Personality p) {
  return p == Personality::kIxgbe ? kPersonalityIxgbe : kPersonalityVirtioNet;
}

const char* PersonalityName(uint8_t code) {
  switch (code) {
    case kPersonalityVirtioNet:
      return "virtio-net";
    case kPersonalityIxgbe:
      return "ixgbe";
    default:
      return "unknown";
  }
}

std::string FnName(FnId fn) {
  return fn == kPfFn ? std::string("PF")
                     : "VF " + std::to_string(fn - 1);
}

void EncodeUplinkStats(Encoder& e, const port::UplinkStats& s) {
  for (uint64_t v : {s.rx_frames, s.rx_bytes, s.rx_dropped_malformed,
                     s.rx_unclaimed, s.rx_dropped_no_buffers, s.rx_holds,
                     s.tx_frames, s.tx_bytes, s.tx_queued,
                     s.tx_dropped_link_down, s.tx_purged, s.tx_segmented}) {
    e.U64(v);
  }
}

void DecodeUplinkStats(Decoder& d, port::UplinkStats* s) {
  for (uint64_t* v :
       {&s->rx_frames, &s->rx_bytes, &s->rx_dropped_malformed,
        &s->rx_unclaimed, &s->rx_dropped_no_buffers, &s->rx_holds,
        &s->tx_frames, &s->tx_bytes, &s->tx_queued, &s->tx_dropped_link_down,
        &s->tx_purged, &s->tx_segmented}) {
    *v = d.U64("uplink counters");
  }
}

void EncodePolicy(Encoder& e, const policy::PortPolicy& p) {
  e.Bytes(p.mac.data(), 6);
  e.U16(p.vlan);
  e.U8(p.qos);
  e.Bool(p.spoofchk);
  e.Bool(p.trust);
  e.U8(static_cast<uint8_t>(p.link_state));
  e.U32(p.max_tx_rate);
}

// @guest: the ixgbe PF driver's policy, which the host's rules (a unicast,
// non-zero MAC; qos only with a vlan) do not bind: only the ranges of the
// registers it comes from are checked.
void DecodePolicy(Decoder& d, policy::PortPolicy* p, bool guest) {
  d.Bytes("mac", p->mac.data(), 6);
  p->vlan = d.U16("vlan");
  p->qos = d.U8("qos");
  p->spoofchk = d.Bool("spoofchk");
  p->trust = d.Bool("trust");
  p->link_state = static_cast<policy::LinkState>(d.U8("link-state"));
  p->max_tx_rate = d.U32("max-tx-rate");
  if (!d.ok()) {
    return;
  }
  if (!guest) {
    d.Check(policy::Validate(*p));
  } else if (p->vlan > 4095) {
    d.Fail("vlan", "is " + std::to_string(p->vlan) + ", more than 4095");
  } else if (p->qos > policy::kMaxQos) {
    d.Fail("qos", "is " + std::to_string(p->qos) + ", more than 7");
  } else if (p->link_state != policy::LinkState::kAuto &&
             p->link_state != policy::LinkState::kEnable &&
             p->link_state != policy::LinkState::kDisable) {
    d.Fail("link-state", "is not auto, enable or disable");
  } else if (p->max_tx_rate > policy::kMaxTxRateMbps) {
    d.Fail("max-tx-rate", "is " + std::to_string(p->max_tx_rate) +
                              ", more than " +
                              std::to_string(policy::kMaxTxRateMbps));
  }
}

// Configuration mismatches are the user's, not the stream's: say which
// property to fix on the destination.
void ExpectSame(Decoder& d, const char* property, uint64_t stream,
                uint64_t here) {
  if (d.ok() && stream != here) {
    d.Fail(property, "differs: the source has " + std::to_string(stream) +
                         ", this device " + std::to_string(here) +
                         " (start the destination with the same " +
                         property + ")");
  }
}

}  // namespace

void Device::SaveState(std::vector<uint8_t>* out) {
  Entry e(*this);
  Encoder enc;
  enc.U32(kMagic);
  enc.U32(kVersion);
  enc.U8(PersonalityCode(cfg_.personality));
  enc.U16(cfg_.total_vfs);
  enc.U16(cfg_.queue_size);
  enc.U16(cfg_.mtu);
  enc.Bool(cfg_.offloads);
  enc.U16(cfg_.queue_pairs);
  enc.Bool(cfg_.packed);
  enc.Bytes(cfg_.pf_mac.data(), 6);
  enc.U16(static_cast<uint16_t>(cfg_.vf_netdevs.size()));
  for (uint16_t vf : cfg_.vf_netdevs) {
    enc.U16(vf);
  }
  enc.U16(num_vfs_);
  for (const Uplink& up : links_) {
    enc.Bool(up.link_up);
    EncodeUplinkStats(enc, up.stats);
  }
  for (const policy::PortPolicy& p : vf_policy_) {
    EncodePolicy(enc, p);
  }
  for (const auto& p : ports_) {
    p->Quiesce();
    p->Encode(enc);
    const policy::TokenBucket::State b = sched_.bucket(p->fn()).Export();
    enc.U32(b.rate);
    enc.I64(b.tokens);
    enc.U64(b.last_ns);
    enc.Bool(sched_.starved(p->fn()));
  }
  if (ixgbe_) {
    ixgbe_->Encode(enc);  // quiesced with the ports
  }
  enc.U32(kEnd);
  *out = enc.bytes();
}

Status Device::LoadState(const uint8_t* data, size_t len) {
  Decoder d(data, len);
  if (d.U32("magic") != kMagic && d.ok()) {
    d.Fail("magic", "is not an sriov-nic state");
  }
  const uint32_t version = d.U32("version");
  if (d.ok() && version != kVersion) {
    d.Fail("version", "is " + std::to_string(version) +
                          ", this QEMU reads version " +
                          std::to_string(kVersion));
  }
  {
    Scope s(d, "configuration");
    const uint8_t personality = d.U8("personality");
    const uint8_t mine = PersonalityCode(cfg_.personality);
    if (d.ok() && personality != mine) {
      d.Fail("personality",
             "is " + std::to_string(personality) + " (" +
                 PersonalityName(personality) + "), this device is " +
                 PersonalityName(mine) + " (" + std::to_string(mine) + ")");
    }
    ExpectSame(d, "total-vfs", d.U16("total-vfs"), cfg_.total_vfs);
    ExpectSame(d, "queue-size", d.U16("queue-size"), cfg_.queue_size);
    ExpectSame(d, "mtu", d.U16("mtu"), cfg_.mtu);
    ExpectSame(d, "offloads", d.Bool("offloads") ? 1 : 0,
               cfg_.offloads ? 1 : 0);
    ExpectSame(d, "queue-pairs", d.U16("queue-pairs"), cfg_.queue_pairs);
    ExpectSame(d, "packed", d.Bool("packed") ? 1 : 0, cfg_.packed ? 1 : 0);
    MacAddress mac;
    d.Bytes("mac", mac.data(), 6);
    if (d.ok() && mac != cfg_.pf_mac) {
      d.Fail("mac", "differs: the source's PF has " + eth::FormatMac(mac) +
                        ", this one " + eth::FormatMac(cfg_.pf_mac) +
                        " (start the destination with the same mac)");
    }
    const uint16_t n = d.U16("vf-netdev count");
    if (d.ok() && n != cfg_.vf_netdevs.size()) {
      d.Fail("vf-netdev", "differs: the source binds " + std::to_string(n) +
                              " VFs to netdevs of their own, this device " +
                              std::to_string(cfg_.vf_netdevs.size()) +
                              " (start the destination with the same "
                              "vf-netdev)");
    }
    for (size_t k = 0; k < n && d.ok(); ++k) {
      ExpectSame(d, "vf-netdev", d.U16("vf-netdev VF"), cfg_.vf_netdevs[k]);
    }
  }
  const uint16_t num_vfs = d.U16("NumVFs");
  if (d.ok() && num_vfs > cfg_.total_vfs) {
    d.Fail("NumVFs", "is " + std::to_string(num_vfs) + ", more than TotalVFs " +
                         std::to_string(cfg_.total_vfs));
  }
  std::vector<bool> link_up(links_.size());
  std::vector<port::UplinkStats> link_stats(links_.size());
  for (size_t k = 0; k < links_.size() && d.ok(); ++k) {
    Scope s(d, k == kUplink ? std::string("uplink")
                            : "VF " + std::to_string(links_[k].fn - 1) +
                                  "'s netdev");
    link_up[k] = d.Bool("uplink link");
    DecodeUplinkStats(d, &link_stats[k]);
  }

  const bool guest_policy = cfg_.personality == Personality::kIxgbe;
  std::vector<policy::PortPolicy> policies(cfg_.total_vfs);
  for (uint16_t vf = 0; vf < cfg_.total_vfs && d.ok(); ++vf) {
    Scope s(d, "VF " + std::to_string(vf) + " policy");
    DecodePolicy(d, &policies[vf], guest_policy);
    if (guest_policy) {
      continue;  // (the guest may give two VFs one MAC, as on hardware)
    }
    for (uint16_t other = 0; other < vf && d.ok(); ++other) {
      if (policies[other].mac == policies[vf].mac) {
        d.Fail("mac", "is VF " + std::to_string(other) + "'s too");
      }
    }
    if (d.ok() && policies[vf].mac == cfg_.pf_mac) {
      d.Fail("mac", "is the PF's");
    }
  }

  std::vector<std::unique_ptr<port::PortImage>> images;
  std::vector<policy::TokenBucket::State> buckets(ports_.size());
  std::vector<bool> starved(ports_.size(), false);
  for (const auto& p : ports_) {
    if (!d.ok()) break;
    const FnId fn = p->fn();
    Scope s(d, "fn " + std::to_string(fn) + " (" + FnName(fn) + ")");
    images.push_back(p->Decode(d));
    const port::CommonImage& c = images.back()->common;
    if (!d.ok()) break;
    const bool want_enabled = fn == kPfFn || fn - 1u < num_vfs;
    if (c.enabled != want_enabled) {
      d.Fail("enabled", std::string("is ") + (c.enabled ? "1" : "0") +
                            " with NumVFs " + std::to_string(num_vfs));
    }
    bool want_link = link_up[link_of_[fn]];
    if (fn != kPfFn) {
      switch (policies[fn - 1].link_state) {
        case policy::LinkState::kEnable:
          want_link = true;
          break;
        case policy::LinkState::kDisable:
          want_link = false;
          break;
        case policy::LinkState::kAuto:
          break;
      }
    }
    // (ixgbe: the link follows the guest's policy, derived again from the
    // chip after the load.)
    if (d.ok() && !guest_policy && c.link_up != want_link) {
      d.Fail("link_up", std::string("is ") + (c.link_up ? "1" : "0") +
                            ", its link-state and its netdev's link say " +
                            (want_link ? "1" : "0"));
    }
    policy::TokenBucket::State& b = buckets[fn];
    b.rate = d.U32("rate limit");
    b.tokens = d.I64("rate limit tokens");
    b.last_ns = d.U64("rate limit clock");
    starved[fn] = d.Bool("starved");
    if (!d.ok()) break;
    const uint32_t want_rate = fn == kPfFn ? 0 : policies[fn - 1].max_tx_rate;
    if (!guest_policy && b.rate != want_rate) {
      d.Fail("rate limit", "is " + std::to_string(b.rate) +
                               " Mbit/s, the policy says " +
                               std::to_string(want_rate));
    } else if (!policy::TokenBucket::Valid(b, MaxFrameForRate())) {
      d.Fail("rate limit tokens", "are out of range");
    }
  }
  // ixgbe: the chip, checked by decoding it into a scratch Nic.
  size_t nic_begin = 0;
  size_t nic_end = 0;
  if (ixgbe_ && d.ok()) {
    Scope s(d, "ixgbe");
    nic_begin = len - d.remaining();
    uint8_t mac[6];
    std::memcpy(mac, cfg_.pf_mac.data(), sizeof(mac));
    ixgbe::Nic scratch(host_, cfg_.total_vfs, mac);
    scratch.Decode(d);
    nic_end = len - d.remaining();
    uint64_t spoof_drops = 0;
    for (size_t k = 1; k < images.size(); ++k) {
      spoof_drops += images[k]->common.stats.tx_drop_spoof;
    }
    if (d.ok() && scratch.ssvpc_reported() > spoof_drops) {
      d.Fail("ssvpc baseline", "is more than the VFs' spoof drops");
    }
  }
  if (d.U32("end marker") != kEnd && d.ok()) {
    d.Fail("end marker", "is missing");
  }
  if (d.ok() && d.remaining() != 0) {
    d.Fail("end marker", "is followed by " + std::to_string(d.remaining()) +
                             " bytes");
  }
  if (!d.ok()) {
    return d.status();
  }
  Entry e(*this);
  if (e.nested()) {
    return Status::Invalid(std::string("the device is busy"));
  }
  // Apply.
  for (const auto& p : ports_) {
    const FnId fn = p->fn();
    p->Commit(*images[fn]);
    if (fn != kPfFn) {
      p->SetPolicy(policies[fn - 1]);
    }
    sched_.Forget(fn);
    sched_.bucket(fn).Import(buckets[fn], MaxFrameForRate());
    if (starved[fn]) sched_.Starve(fn);
  }
  vf_policy_ = policies;
  num_vfs_ = num_vfs;
  if (ixgbe_) {
    Decoder chip(data + nic_begin, nic_end - nic_begin);
    ixgbe_->Decode(chip);  // cannot fail: the scratch Nic took these bytes
    ixgbe_->Sync();        // ready, filter and policy from the registers
    FollowGuestVfPolicy(/*force=*/true);
  }
  for (const auto& p : ports_) {
    if (p->running()) {
      // Whatever the rings hold is looked at again (held frames too).
      sched_.Kick(p->fn(), ~0u);
    }
  }
  for (size_t k = 0; k < links_.size(); ++k) {
    Uplink& up = links_[k];
    up.link_up = link_up[k];
    up.stats = link_stats[k];
    up.busy = false;
    up.queued = 0;
    up.rx_hold.Clear();
  }
  RebuildActive();
  stale_ = true;
  deadline_dirty_ = true;
  armed_deadline_ = kNever;
  effects_.ScheduleRun();
  return Status::Ok();
}

void Device::SetRunning(bool running) {
  Entry e(*this);
  if (e.nested()) {
    Defer(Deferred::Kind::kRunning, 0, running);
    return;
  }
  if (running_ == running) {
    return;
  }
  running_ = running;
  if (running) {
    // Work that waited while the VM was stopped.
    for (const auto& p : ports_) {
      if (p->running()) {
        Apply(p->fn(), p->Resume(effects_));
      }
    }
    effects_.ScheduleRun();
    effects_.UplinkFlush();
    deadline_dirty_ = true;
    armed_deadline_ = kNever;
  }
}

void Device::Announce() {
  std::vector<FnId> rarp;
  {
    Entry e(*this);
    if (e.nested() || !running_) {
      return;
    }
    for (const auto& p : ports_) {
      // A function without a link says nothing (a link-state disable VF).
      const bool link = p->state().link_up || p->is_pf();
      if (p->running() && link && !p->Announce(effects_) &&
          !(p->is_pf() && p->state().mac() == cfg_.pf_mac)) {
        // (QEMU itself announces the PF's configured MAC.)
        rarp.push_back(p->fn());
      }
    }
  }
  for (FnId fn : rarp) {
    FramePool::Buffer frame = frames_.Get();
    FramePool::Buffer scratch = frames_.Get();
    Entry e(*this);
    const port::Port& p = *ports_[fn];
    const LinkId link = link_of_[fn];
    Uplink& up = links_[link];
    if (e.nested() || !p.running() || !up.link_up || up.busy) {
      continue;
    }
    const size_t len = eth::BuildRarp(p.state().mac(), frame.data());
    const std::optional<eth::EthView> eth =
        eth::EthView::Parse(frame.data(), len);
    vswitch::Destinations d;
    const port::PortState* self = &p.state();
    vswitch::Decide(&p.state(), *eth,
                    link == kUplink
                        ? std::span<const port::PortState* const>(active_)
                        : std::span<const port::PortState* const>(&self, 1),
                    &d);
    vswitch::FrameForms forms(frame.data(), len, d, scratch.data());
    // For the network outside: its link only, in the port's VLAN.
    const vswitch::Form u = forms.Get(d.uplink_tagged);
    up.stats.tx_frames++;
    up.stats.tx_bytes += u.len;
    effects_.UplinkSend(u.data, u.len, fn, {}, link);
  }
}

}  // namespace snic::device
