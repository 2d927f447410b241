// sriov-nic core: one virtio-net function: registers, configuration, reset.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "function.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace snic::virtio_net {

using port::PortEvents;
using virtio::Bit;

uint64_t OfferedFeatures(bool is_pf, bool offloads, uint16_t queue_pairs,
                         bool packed) {
  uint64_t f = Bit(virtio::kFVersion1) | Bit(virtio::kFRingIndirectDesc) |
               Bit(virtio::kFRingEventIdx) | Bit(virtio::kFAccessPlatform) |
               Bit(virtio::kFRingReset) |
               Bit(kFMac) | Bit(kFStatus) | Bit(kFMtu) | Bit(kFCtrlVq) |
               Bit(kFCtrlRx) | Bit(kFCtrlVlan) | Bit(kFCtrlMacAddr) |
               Bit(kFMrgRxbuf) | Bit(kFGuestAnnounce) | Bit(kFSpeedDuplex) |
               Bit(kFHashReport);
  if (queue_pairs > 1) {
    f |= Bit(kFMq) | Bit(kFRss);
  }
  if (packed) {
    f |= Bit(virtio::kFRingPacked);
  }
  if (offloads) {
    f |= kHostOffloadFeatures | kGuestOffloadFeatures |
         Bit(kFCtrlGuestOffloads);
  }
  if (is_pf) {
    f |= Bit(virtio::kFSrIov);
  }
  return f;
}

const char* ValidateNetFeatures(uint64_t acked) {
  const uint64_t needs_cvq = Bit(kFCtrlRx) | Bit(kFCtrlVlan) |
                             Bit(kFCtrlMacAddr) | Bit(kFGuestAnnounce) |
                             Bit(kFCtrlGuestOffloads) | Bit(kFMq) |
                             Bit(kFRss) | Bit(kFHashReport);
  if ((acked & needs_cvq) && !(acked & Bit(kFCtrlVq))) {
    return "CTRL_RX/CTRL_VLAN/CTRL_MAC_ADDR/GUEST_ANNOUNCE/"
           "CTRL_GUEST_OFFLOADS/MQ/RSS/HASH_REPORT acked without CTRL_VQ";
  }
  // 5.1.3.1 feature requirements.
  auto has = [acked](unsigned b) { return (acked & Bit(b)) != 0; };
  if ((has(kFHostTso4) || has(kFHostTso6) || has(kFHostUso)) &&
      !has(kFCsum)) {
    return "HOST_TSO4/HOST_TSO6/HOST_USO acked without CSUM";
  }
  if (has(kFHostEcn) && !has(kFHostTso4) && !has(kFHostTso6)) {
    return "HOST_ECN acked without HOST_TSO4 or HOST_TSO6";
  }
  if ((has(kFGuestTso4) || has(kFGuestTso6) || has(kFGuestUso4) ||
       has(kFGuestUso6)) &&
      !has(kFGuestCsum)) {
    return "GUEST_TSO4/GUEST_TSO6/GUEST_USO4/GUEST_USO6 acked without "
           "GUEST_CSUM";
  }
  if (has(kFGuestEcn) && !has(kFGuestTso4) && !has(kFGuestTso6)) {
    return "GUEST_ECN acked without GUEST_TSO4 or GUEST_TSO6";
  }
  return nullptr;
}

port::RxOffloads RxOffloadsOf(uint64_t guest_offloads) {
  auto has = [guest_offloads](unsigned b) {
    return (guest_offloads & Bit(b)) != 0;
  };
  port::RxOffloads r;
  r.csum = has(kFGuestCsum);
  // A driver that turned GUEST_CSUM off takes no GSO frame either: they
  // carry partial checksums.
  r.tso4 = r.csum && has(kFGuestTso4);
  r.tso6 = r.csum && has(kFGuestTso6);
  r.ecn = (r.tso4 || r.tso6) && has(kFGuestEcn);
  r.uso4 = r.csum && has(kFGuestUso4);
  r.uso6 = r.csum && has(kFGuestUso6);
  return r;
}

namespace {

virtio::TransportConfig MakeTransportConfig(const FunctionConfig& cfg) {
  virtio::TransportConfig t;
  t.fn = cfg.fn;
  t.has_intx = cfg.fn == kPfFn;
  t.device_features =
      OfferedFeatures(cfg.fn == kPfFn, cfg.offloads, cfg.queue_pairs,
                      cfg.packed);
  t.num_queues = NumQueues(cfg.queue_pairs);
  t.max_queue_size = cfg.queue_size;
  t.num_vectors = MsixVectors(cfg.queue_pairs);
  t.notify_off_multiplier = kNotifyOffMultiplier;
  t.validator = &ValidateNetFeatures;
  return t;
}

bool ValidSize(unsigned size) {
  return size == 1 || size == 2 || size == 4 || size == 8;
}

}  // namespace

Function::Function(const FunctionConfig& cfg, const Host& host,
                   const port::MacDirectory& macs)
    : Port(cfg.fn),
      host_(&host),
      macs_(&macs),
      mtu_(cfg.mtu),
      speed_(cfg.speed),
      max_pairs_(cfg.queue_pairs),
      tx_lanes_(cfg.queue_pairs),
      transport_(MakeTransportConfig(cfg)) {}

void Function::GuestError(const char* msg) {
  stats_.guest_errors++;
  host_->GuestError(fn(), msg);
}

void Function::Fail(const Status& why, Effects& fx) {
  const std::string msg =
      std::string("virtio: ") + why.message() + " (device needs reset)";
  GuestError(msg.c_str());
  if (broken_) {
    return;
  }
  broken_ = true;
  stats_.needs_reset++;
  transport_.SetNeedsReset();
  if (transport_.status() & virtio::kStatusDriverOk) {
    transport_.Signal(virtio::kConfigChange, host_->MsixEnabled(fn()), fx);
  }
  UpdateReady();
}

void Function::ResetFunction(Effects& fx) { DeviceReset(fx); }

void Function::DeviceReset(Effects& fx) {
  if (transport_.isr() != 0) {
    (void)transport_.ReadAndClearIsr(fx);  // lowers INTx
  }
  transport_.Reset();
  state_.filter.Reset(state_.policy.mac);
  broken_ = false;
  announce_ = false;
  tx_lanes_.assign(max_pairs_, TxLane{});
  curr_pairs_ = 1;
  rss_ = RssConfig{};
  SetGuestOffloads(0);
  UpdateReady();
}

void Function::SetGuestOffloads(uint64_t offloads) {
  guest_offloads_ = offloads;
  state_.rx_offloads = RxOffloadsOf(offloads);
}

bool Function::Announce(Effects& fx) {
  if (!running() || !transport_.Has(kFGuestAnnounce)) {
    return false;
  }
  // 5.1.6.5.4: the driver announces itself and acks with ANNOUNCE_ACK.
  announce_ = true;
  transport_.BumpGeneration();
  transport_.Signal(virtio::kConfigChange, host_->MsixEnabled(fn()), fx);
  return true;
}

PortEvents Function::Resume(Effects& fx) {
  PortEvents ev;
  if (!running()) {
    return ev;
  }
  // Doorbells rung while bus mastering was off are picked up now.
  ProcessControl(fx, &ev);
  ev.tx_kicks = AllLanes();
  ev.rx_kick = true;
  return ev;
}

void Function::SetLink(bool up, Effects& fx) {
  if (state_.link_up == up) {
    return;
  }
  state_.link_up = up;
  transport_.BumpGeneration();
  if ((transport_.status() & virtio::kStatusDriverOk) && !broken_) {
    transport_.Signal(virtio::kConfigChange, host_->MsixEnabled(fn()), fx);
  }
}

namespace {

std::string Where(const char* what, uint32_t region, uint64_t offset,
                  unsigned size) {
  char buf[200];
  std::snprintf(buf, sizeof(buf), "%s (region %s offset 0x%llx size %u)",
                what, region < kNumRegions ? kRegions[region].name : "?",
                static_cast<unsigned long long>(offset), size);
  return buf;
}

}  // namespace

uint64_t Function::MmioRead(uint32_t region, uint64_t offset, unsigned size,
                            Effects& fx) {
  if (!ValidSize(size)) {
    GuestError(Where("MMIO read of an invalid size", region, offset, size)
                   .c_str());
    return 0;
  }
  switch (region) {
    case kRegionCommon: {
      Status err;
      const uint64_t v = transport_.ReadCommon(offset, size, &err);
      if (!err.ok()) {
        GuestError(Where(err.message(), region, offset, size).c_str());
      }
      return v;
    }
    case kRegionIsr:
      return offset == 0 ? transport_.ReadAndClearIsr(fx) : 0;
    case kRegionDevice:
      return ReadDeviceConfig(offset, size);
    case kRegionNotify:
      return 0;
    default:
      break;
  }
  GuestError(
      Where("MMIO read of an unknown region", region, offset, size).c_str());
  return 0;
}

PortEvents Function::MmioWrite(uint32_t region, uint64_t offset,
                               uint64_t value, unsigned size, Effects& fx) {
  PortEvents ev;
  if (!ValidSize(size)) {
    GuestError(Where("MMIO write of an invalid size", region, offset, size)
                   .c_str());
    return ev;
  }
  switch (region) {
    case kRegionCommon: {
      const bool was_ready = state_.ready;
      const virtio::WriteResult res =
          transport_.WriteCommon(offset, size, value);
      if (!res.error.ok()) {
        GuestError(Where(res.error.message(), region, offset, size).c_str());
      }
      if (res.events & virtio::kEventReset) {
        DeviceReset(fx);
      }
      if ((res.events & virtio::kEventQueueReset) &&
          res.queue < 2 * max_pairs_ && res.queue % 2 == 1) {
        // A transmitq reset alone (RING_RESET, e.g. ethtool -G): its lane
        // forgets the chain it held; the ring is gone.
        tx_lanes_[res.queue / 2] = TxLane{};
      }
      if (res.events & virtio::kEventFeaturesOk) {
        state_.filter.programmable = transport_.Has(kFCtrlRx);
        state_.filter.vlan_filtering = transport_.Has(kFCtrlVlan);
        // 5.1.6.5.6.1: all negotiated receive offloads are on at first.
        SetGuestOffloads(transport_.driver_features() &
                         kGuestOffloadFeatures);
      }
      UpdateReady();
      if (res.events & virtio::kEventDriverOk) {
        // Buffers posted before DRIVER_OK are picked up now.
        ev.tx_kicks = AllLanes();
        ev.rx_kick = true;
      }
      ev.changed = was_ready != state_.ready ||
                   (res.events & virtio::kEventReset) != 0;
      return ev;
    }
    case kRegionIsr:
      GuestError(
          Where("write to the read-only ISR", region, offset, size).c_str());
      return ev;
    case kRegionDevice:
      GuestError(Where("write to read-only device config", region, offset,
                       size)
                     .c_str());
      return ev;
    case kRegionNotify: {
      Status err;
      const int q = transport_.Notify(offset, &err);
      if (q < 0) {
        GuestError(Where(err.message(), region, offset, size).c_str());
        return ev;
      }
      return OnNotify(static_cast<uint16_t>(q), fx);
    }
    default:
      break;
  }
  GuestError(
      Where("MMIO write to an unknown region", region, offset, size).c_str());
  return ev;
}

PortEvents Function::OnNotify(uint16_t queue, Effects& fx) {
  PortEvents ev;
  if (queue == CtrlQueue()) {
    // Drivers busy-wait for the ack (Linux virtnet_send_command), so
    // commands are answered at once; the loop is bounded by queue size.
    ProcessControl(fx, &ev);
  } else if (queue < 2 * UsablePairs()) {
    if (queue % 2 == 0) {
      ev.rx_kick = true;
    } else {
      ev.tx_kicks = uint32_t{1} << (queue / 2);
    }
  }
  // Other doorbells name queues the negotiated features leave unused.
  return ev;
}

uint64_t Function::ReadDeviceConfig(uint64_t offset, unsigned size) const {
  NetConfig cfg;
  std::memcpy(cfg.mac, state_.filter.mac().data(), 6);
  cfg.status.set(static_cast<uint16_t>((state_.link_up ? kStatusLinkUp : 0) |
                                       (announce_ ? kStatusAnnounce : 0)));
  cfg.max_virtqueue_pairs.set(max_pairs_);
  cfg.mtu.set(mtu_);
  cfg.speed.set(speed_);
  cfg.duplex = kDuplexFull;
  cfg.rss_max_key_size = kRssMaxKeySize;
  cfg.rss_max_indirection_table_length.set(kRssMaxTableLen);
  cfg.supported_hash_types.set(kSupportedHashTypes);
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

void Function::NotifyQueue(uint16_t queue, Effects& fx) {
  bool notify = false;
  if (Status s = transport_.queue(queue).ShouldNotify(
          Mem(), transport_.queue_features(), &notify);
      !s.ok()) {
    Fail(s, fx);
    return;
  }
  if (notify) {
    transport_.Signal(queue, host_->MsixEnabled(fn()), fx);
  }
}

}  // namespace snic::virtio_net
