// sriov-nic core: one virtio-net function (the PF or a VF).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "net_function.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "control.h"

namespace snic::net {

using virtio::Bit;
using virtio::DescriptorChain;
using virtio::Reader;
using virtio::Writer;

uint64_t OfferedFeatures(bool is_pf) {
  uint64_t f = Bit(virtio::kFVersion1) | Bit(virtio::kFRingIndirectDesc) |
               Bit(virtio::kFRingEventIdx) | Bit(virtio::kFAccessPlatform) |
               Bit(kFMac) | Bit(kFStatus) | Bit(kFMtu) | Bit(kFCtrlVq) |
               Bit(kFCtrlRx) | Bit(kFCtrlVlan) | Bit(kFCtrlMacAddr) |
               Bit(kFMrgRxbuf);
  if (is_pf) {
    f |= Bit(virtio::kFSrIov);
  }
  return f;
}

const char* ValidateNetFeatures(uint64_t acked) {
  const uint64_t needs_cvq =
      Bit(kFCtrlRx) | Bit(kFCtrlVlan) | Bit(kFCtrlMacAddr);
  if ((acked & needs_cvq) && !(acked & Bit(kFCtrlVq))) {
    return "CTRL_RX/CTRL_VLAN/CTRL_MAC_ADDR acked without CTRL_VQ";
  }
  return nullptr;
}

NetFunction::NetFunction(const FunctionParams& p, const Host& host)
    : host_(&host),
      fn_(p.fn),
      mtu_(p.mtu),
      reset_mac_(p.mac),
      enabled_(p.fn == SNIC_FN_PF),
      transport_(OfferedFeatures(p.fn == SNIC_FN_PF), p.queue_size,
                 &ValidateNetFeatures) {
  if (is_pf()) {
    policy_ = policy::PfPolicy(reset_mac_);
  } else {
    policy_.mac = reset_mac_;
  }
  filter_.Reset(reset_mac_, false);
  filter_.untrusted = !policy_.trust;
}

void NetFunction::set_policy(const policy::VfPolicy& p) {
  const bool revoke = policy_.trust && !p.trust;
  policy_ = p;
  reset_mac_ = p.mac;
  filter_.untrusted = !p.trust;
  if (revoke) {
    // What only trust allowed ends now; the driver is not told (as on
    // hardware), its next RX mode command is judged by the new policy.
    filter_.promisc = false;
    filter_.alluni = false;
    filter_.allmulti = !transport_.Has(kFCtrlRx);
  }
}

void NetFunction::GuestError(const std::string& msg) {
  stats_.guest_errors++;
  host_->GuestError(fn_, msg);
}

void NetFunction::Fail(const char* what, Effects& fx) {
  GuestError(std::string("virtio: ") + what + " (device needs reset)");
  if (broken_) {
    return;
  }
  broken_ = true;
  stats_.needs_reset++;
  transport_.SetNeedsReset();
  if (transport_.status() & virtio::kStatusDriverOk) {
    fx.ConfigInterrupt(fn_);
  }
}

void NetFunction::Reset(Effects& fx) {
  if (is_pf() && transport_.isr() != 0) {
    fx.lower_pf_intx = true;
  }
  transport_.Reset();
  filter_.Reset(reset_mac_, false);
  broken_ = false;
  tx_pending = false;
  rx_notified = false;
  rx_starved = false;
  tx_taken_ = false;
  net_status_extra_ = 0;
  resets_++;
}

void NetFunction::SetLink(bool up, Effects& fx) {
  if (link_up_ == up) {
    return;
  }
  link_up_ = up;
  transport_.BumpGeneration();
  if ((transport_.status() & virtio::kStatusDriverOk) && !broken_) {
    fx.ConfigInterrupt(fn_);
  }
}

namespace {

bool ValidSize(unsigned size) {
  return size == 1 || size == 2 || size == 4 || size == 8;
}

std::string Where(const char* what, SnicRegion region, uint64_t offset,
                  unsigned size) {
  char buf[160];
  std::snprintf(buf, sizeof(buf), "%s (region %d offset 0x%llx size %u)", what,
                static_cast<int>(region),
                static_cast<unsigned long long>(offset), size);
  return buf;
}

}  // namespace

uint64_t NetFunction::MmioRead(SnicRegion region, uint64_t offset,
                               unsigned size, Effects& fx) {
  if (!ValidSize(size)) {
    GuestError(Where("MMIO read of an invalid size", region, offset, size));
    return 0;
  }
  switch (region) {
    case SNIC_REGION_COMMON: {
      const char* err = nullptr;
      const uint64_t v = transport_.ReadCommon(offset, size, &err);
      if (err != nullptr) {
        GuestError(Where(err, region, offset, size));
      }
      return v;
    }
    case SNIC_REGION_ISR: {
      if (offset != 0) {
        return 0;
      }
      const uint8_t v = transport_.ReadAndClearIsr();
      if (v != 0 && is_pf()) {
        fx.lower_pf_intx = true;
      }
      return v;
    }
    case SNIC_REGION_DEVICE:
      return ReadDeviceConfig(offset, size);
    case SNIC_REGION_NOTIFY:
      return 0;
  }
  GuestError(Where("MMIO read of an unknown region", region, offset, size));
  return 0;
}

void NetFunction::MmioWrite(SnicRegion region, uint64_t offset, uint64_t value,
                            unsigned size, Effects& fx) {
  if (!ValidSize(size)) {
    GuestError(Where("MMIO write of an invalid size", region, offset, size));
    return;
  }
  switch (region) {
    case SNIC_REGION_COMMON: {
      const virtio::WriteResult res =
          transport_.WriteCommon(offset, size, value);
      if (res.error != nullptr) {
        GuestError(Where(res.error, region, offset, size));
      }
      if (res.events & virtio::kEventReset) {
        Reset(fx);
        return;
      }
      if (res.events & virtio::kEventFeaturesOk) {
        filter_.vlan_filtering = transport_.Has(kFCtrlVlan);
      }
      if (res.events & virtio::kEventDriverOk) {
        // Buffers posted before DRIVER_OK are picked up now.
        tx_pending = true;
        rx_notified = true;
        fx.schedule_run = true;
      }
      return;
    }
    case SNIC_REGION_ISR:
      GuestError(Where("write to the read-only ISR", region, offset, size));
      return;
    case SNIC_REGION_DEVICE:
      GuestError(
          Where("write to read-only device config", region, offset, size));
      return;
    case SNIC_REGION_NOTIFY: {
      const char* err = nullptr;
      const int q = transport_.Notify(offset, &err);
      if (q < 0) {
        GuestError(Where(err, region, offset, size));
        return;
      }
      OnNotify(static_cast<uint16_t>(q), fx);
      return;
    }
  }
  GuestError(Where("MMIO write to an unknown region", region, offset, size));
}

void NetFunction::OnNotify(uint16_t queue, Effects& fx) {
  switch (queue) {
    case kRxQueue:
      rx_notified = true;
      break;
    case kTxQueue:
      tx_pending = true;
      fx.schedule_run = true;
      break;
    case kCtrlQueue:
      // Drivers busy-wait for the ack (Linux virtnet_send_command), so
      // commands are answered at once; the loop is bounded by queue size.
      ProcessControl(fx);
      break;
    default:
      break;
  }
}

uint64_t NetFunction::ReadDeviceConfig(uint64_t offset, unsigned size) const {
  NetConfig cfg;
  std::memcpy(cfg.mac, filter_.mac().data(), 6);
  cfg.status.set(static_cast<uint16_t>((link_up_ ? kStatusLinkUp : 0) |
                                       net_status_extra_));
  cfg.max_virtqueue_pairs.set(1);
  cfg.mtu.set(mtu_);
  uint8_t bytes[sizeof(NetConfig)];
  std::memcpy(bytes, &cfg, sizeof(cfg));
  uint64_t v = 0;
  for (unsigned i = 0; i < size; ++i) {
    if (offset < sizeof(bytes) && i < sizeof(bytes) - offset) {
      v |= uint64_t{bytes[offset + i]} << (8 * i);
    }
  }
  return v;
}

void NetFunction::NotifyQueue(uint16_t queue, Effects& fx) {
  bool notify = false;
  if (const char* err = transport_.queue(queue).ShouldNotify(
          Mem(), transport_.queue_features(), &notify)) {
    Fail(err, fx);
    return;
  }
  if (notify) {
    fx.QueueInterrupt(fn_, queue);
  }
}

NetFunction::TxResult NetFunction::TakeTx(uint8_t* buf, size_t* len,
                                          Effects& fx) {
  *len = 0;
  tx_taken_ = false;
  virtio::SplitQueue& q = transport_.queue(kTxQueue);
  if (!Running() || !q.enabled()) {
    return TxResult::kEmpty;
  }
  const virtio::GuestMemory mem = Mem();
  DescriptorChain chain;
  bool got = false;
  if (const char* err = q.Pop(mem, transport_.queue_features(), &chain, &got)) {
    Fail(err, fx);
    return TxResult::kBroken;
  }
  if (!got) {
    return TxResult::kEmpty;
  }

  const char* malformed = nullptr;
  const uint64_t readable = chain.readable_bytes();
  uint64_t payload = 0;
  if (readable < sizeof(NetHdr) + kEthHeaderLen) {
    malformed = "TX chain shorter than virtio_net_hdr + Ethernet header";
  } else if (readable - sizeof(NetHdr) > kMaxFrameLen) {
    malformed = "TX frame longer than the device maximum";
  } else {
    payload = readable - sizeof(NetHdr);
    Reader r(mem, chain);
    NetHdr hdr;
    if (!r.ReadObj(&hdr) || !r.Read(buf, payload)) {
      Fail("cannot read TX buffer (DMA failed)", fx);
      return TxResult::kBroken;
    }
    if (hdr.gso_type != kGsoNone || (hdr.flags & kHdrFNeedsCsum)) {
      malformed = "TX header asks for an offload that was not negotiated";
    }
  }
  tx_taken_ = true;
  tx_taken_head_ = chain.head();
  tx_taken_len_ = static_cast<uint32_t>(payload);
  if (malformed != nullptr) {
    if (!ReturnTakenTx(fx)) {
      return TxResult::kBroken;
    }
    GuestError(malformed);
    stats_.tx_drop_malformed++;
    return TxResult::kDropped;
  }
  *len = static_cast<size_t>(payload);
  return TxResult::kFrame;
}

bool NetFunction::ReturnTakenTx(Effects& fx) {
  if (!tx_taken_) {
    return false;
  }
  tx_taken_ = false;
  virtio::SplitQueue& q = transport_.queue(kTxQueue);
  const virtio::GuestMemory mem = Mem();
  if (const char* err = q.Fill(mem, 0, tx_taken_head_, 0)) {
    Fail(err, fx);
    return false;
  }
  if (const char* err = q.Flush(mem, 1)) {
    Fail(err, fx);
    return false;
  }
  return true;
}

bool NetFunction::CompleteTx(Effects& fx) {
  if (!ReturnTakenTx(fx)) {
    return false;
  }
  stats_.tx_packets++;
  stats_.tx_bytes += tx_taken_len_;
  return true;
}

void NetFunction::UntakeTx() {
  if (tx_taken_) {
    tx_taken_ = false;
    transport_.queue(kTxQueue).Unpop(1);
  }
}

bool NetFunction::RxBuffersAvailable(Effects& fx) {
  if (!RxQueueReady()) {
    return false;
  }
  virtio::SplitQueue& q = transport_.queue(kRxQueue);
  DescriptorChain chain;
  bool got = false;
  if (const char* err =
          q.Pop(Mem(), transport_.queue_features(), &chain, &got)) {
    Fail(err, fx);
    return false;
  }
  if (got) {
    q.Unpop(1);
  }
  return got;
}

void NetFunction::FinishTx(Effects& fx) {
  if (!broken_) {
    NotifyQueue(kTxQueue, fx);
  }
}

namespace {

// Writes bytes [pos, pos + count) of the stream "header, then frame".
bool WriteStream(Writer& w, const NetHdr& hdr, const uint8_t* frame,
                 uint64_t pos, uint64_t count) {
  const auto* h = reinterpret_cast<const uint8_t*>(&hdr);
  if (pos < sizeof(hdr)) {
    const uint64_t n = std::min<uint64_t>(count, sizeof(hdr) - pos);
    if (!w.Write(h + pos, static_cast<size_t>(n))) {
      return false;
    }
    pos += n;
    count -= n;
  }
  return count == 0 ||
         w.Write(frame + (pos - sizeof(hdr)), static_cast<size_t>(count));
}

}  // namespace

NetFunction::RxResult NetFunction::Deliver(const uint8_t* frame, size_t len,
                                           Effects& fx) {
  if (!RxQueueReady()) {
    return RxResult::kNotReady;
  }
  virtio::SplitQueue& q = transport_.queue(kRxQueue);
  const virtio::GuestMemory mem = Mem();
  const virtio::QueueFeatures qf = transport_.queue_features();
  NetHdr hdr{};
  hdr.num_buffers.set(1);
  const uint64_t total = sizeof(hdr) + len;
  bool got = false;

  if (!transport_.Has(kFMrgRxbuf)) {
    DescriptorChain chain;
    if (const char* err = q.Pop(mem, qf, &chain, &got)) {
      Fail(err, fx);
      return RxResult::kBroken;
    }
    if (!got) {
      return RxResult::kNoBuffers;
    }
    if (chain.writable_bytes() < total) {
      q.Unpop(1);
      stats_.rx_drop_too_small++;
      return RxResult::kTooSmall;
    }
    Writer w(mem, chain);
    if (!WriteStream(w, hdr, frame, 0, total)) {
      Fail("cannot write RX buffer (DMA failed)", fx);
      return RxResult::kBroken;
    }
    if (const char* err =
            q.Fill(mem, 0, chain.head(), static_cast<uint32_t>(total))) {
      Fail(err, fx);
      return RxResult::kBroken;
    }
    if (const char* err = q.Flush(mem, 1)) {
      Fail(err, fx);
      return RxResult::kBroken;
    }
  } else {
    // 5.1.6.4: spread the frame over as many buffers as needed and report
    // their number in the first buffer's num_buffers.
    DescriptorChain first;
    DescriptorChain next;
    uint16_t n = 0;
    uint64_t done = 0;
    while (done < total) {
      DescriptorChain& c = n == 0 ? first : next;
      if (n >= q.size()) {
        q.Unpop(n);
        return RxResult::kNoBuffers;
      }
      if (const char* err = q.Pop(mem, qf, &c, &got)) {
        Fail(err, fx);
        return RxResult::kBroken;
      }
      if (!got) {
        q.Unpop(n);
        return RxResult::kNoBuffers;
      }
      n++;
      if (n == 1 && c.writable_bytes() < sizeof(hdr)) {
        q.Unpop(n);
        GuestError("mergeable RX buffer smaller than virtio_net_hdr");
        stats_.rx_drop_too_small++;
        return RxResult::kTooSmall;
      }
      Writer w(mem, c);
      const uint64_t chunk = std::min<uint64_t>(w.remaining(), total - done);
      if (!WriteStream(w, hdr, frame, done, chunk)) {
        Fail("cannot write RX buffer (DMA failed)", fx);
        return RxResult::kBroken;
      }
      if (const char* err = q.Fill(mem, static_cast<uint16_t>(n - 1), c.head(),
                                   static_cast<uint32_t>(chunk))) {
        Fail(err, fx);
        return RxResult::kBroken;
      }
      done += chunk;
    }
    if (n > 1) {
      Le16 num;
      num.set(n);
      Writer w(mem, first);
      if (!w.WriteAt(kNumBuffersOffset, &num, sizeof(num))) {
        Fail("cannot write RX buffer (DMA failed)", fx);
        return RxResult::kBroken;
      }
    }
    if (const char* err = q.Flush(mem, n)) {
      Fail(err, fx);
      return RxResult::kBroken;
    }
  }
  stats_.rx_packets++;
  stats_.rx_bytes += len;
  NotifyQueue(kRxQueue, fx);
  return RxResult::kDelivered;
}

void NetFunction::ProcessControl(Effects& fx) {
  virtio::SplitQueue& q = transport_.queue(kCtrlQueue);
  if (!Running() || !q.enabled()) {
    return;
  }
  const virtio::GuestMemory mem = Mem();
  uint16_t done = 0;
  while (done < q.size()) {
    DescriptorChain chain;
    bool got = false;
    if (const char* err =
            q.Pop(mem, transport_.queue_features(), &chain, &got)) {
      Fail(err, fx);
      return;
    }
    if (!got) {
      break;
    }
    if (chain.readable_bytes() < sizeof(CtrlHdr) ||
        chain.writable_bytes() < 1) {
      Fail("control command without header or ack buffer", fx);
      return;
    }
    Reader r(mem, chain);
    CtrlHdr hdr;
    if (!r.ReadObj(&hdr)) {
      Fail("cannot read control command (DMA failed)", fx);
      return;
    }
    const ControlResult res = ExecuteControl(
        hdr, r, transport_.driver_features(), policy_.trust, filter_);
    if (r.dma_failed()) {
      Fail("cannot read control command (DMA failed)", fx);
      return;
    }
    stats_.ctrl_commands++;
    if (res.ack != kCtrlOk) {
      stats_.ctrl_errors++;
    }
    if (res.refused_untrusted) {
      // Host policy, not a guest mistake: counted, not logged.
      stats_.ctrl_refused_untrusted++;
    } else if (res.ack != kCtrlOk) {
      GuestError(std::string("control command rejected: ") + res.error);
    }
    if (hdr.cls == kCtrlMac && hdr.cmd == kCtrlMacTableSet &&
        (filter_.uni_overflow || filter_.multi_overflow)) {
      stats_.mac_table_overflows++;
    }
    if (res.mac_changed) {
      transport_.BumpGeneration();
    }
    if (res.announce_acked) {
      net_status_extra_ &= static_cast<uint16_t>(~kStatusAnnounce);
    }
    Writer w(mem, chain);
    if (!w.Write(&res.ack, 1)) {
      Fail("cannot write control ack (DMA failed)", fx);
      return;
    }
    if (const char* err = q.Fill(mem, 0, chain.head(), 1)) {
      Fail(err, fx);
      return;
    }
    if (const char* err = q.Flush(mem, 1)) {
      Fail(err, fx);
      return;
    }
    done++;
  }
  if (done > 0) {
    NotifyQueue(kCtrlQueue, fx);
  }
}

}  // namespace snic::net
