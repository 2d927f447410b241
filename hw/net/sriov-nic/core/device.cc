// sriov-nic core: the device as a whole (PF + VFs, switch, uplink).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "device.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <utility>

namespace snic {

using net::NetFunction;

std::string DeviceConfig::Validate() const {
  if (total_vfs > SNIC_MAX_VFS) {
    return "total-vfs must be at most " + std::to_string(SNIC_MAX_VFS);
  }
  if (pf_mac[0] & 1) {
    return "the PF MAC must be a unicast address";
  }
  if (mtu < 68) {
    return "mtu must be at least 68";
  }
  if (queue_size < 2 || queue_size > SNIC_MAX_QUEUE_SIZE ||
      (queue_size & (queue_size - 1)) != 0) {
    return "queue-size must be a power of two between 2 and " +
           std::to_string(SNIC_MAX_QUEUE_SIZE);
  }
  return {};
}

MacAddress DefaultVfMac(const MacAddress& pf_mac, uint16_t vf) {
  // The VF number goes in the last octet and the low bit of the fourth so
  // 255 VFs stay distinct; 0x02 marks it locally administered.
  return MacAddress{0x02,
                    pf_mac[2],
                    pf_mac[3],
                    static_cast<uint8_t>(pf_mac[4] ^ pf_mac[5]),
                    static_cast<uint8_t>((vf + 1) >> 8),
                    static_cast<uint8_t>(vf + 1)};
}

Device::Device(const DeviceConfig& cfg, const Host& host)
    : cfg_(cfg),
      host_(host),
      bounce_(net::kMaxFrameLen),
      vlan_buf_(net::kMaxFrameLen + sw::kVlanTagLen),
      shapers_(1 + cfg.total_vfs),
      tx_blocks_(1 + cfg.total_vfs) {
  functions_.reserve(1 + cfg.total_vfs);
  for (uint32_t fn = 0; fn <= cfg.total_vfs; ++fn) {
    net::FunctionParams p;
    p.fn = static_cast<SnicFn>(fn);
    p.mtu = cfg.mtu;
    p.queue_size = cfg.queue_size;
    p.mac = fn == SNIC_FN_PF
                ? cfg.pf_mac
                : DefaultVfMac(cfg.pf_mac, static_cast<uint16_t>(fn - 1));
    functions_.emplace_back(p, host_);
  }
  effects_.interrupts.reserve(64);
  dests_.fns.reserve(functions_.size());
  dests_.filtered.reserve(functions_.size());
}

void Device::SetNumVfs(uint16_t n) {
  if (n > cfg_.total_vfs) {
    // The PCI layer never enables more than TotalVFs; treat it as none.
    host_.GuestError(SNIC_FN_PF, "NumVFs " + std::to_string(n) +
                                     " exceeds TotalVFs " +
                                     std::to_string(cfg_.total_vfs));
    n = 0;
  }
  for (uint16_t vf = 0; vf < cfg_.total_vfs; ++vf) {
    NetFunction& f = functions_[1 + vf];
    const bool want = vf < n;
    if (f.enabled() != want) {
      f.Reset(effects_);
      f.set_enabled(want);
      tx_blocks_[f.fn()].active = false;
      AfterGuestAccess(f.fn());
    }
  }
  num_vfs_ = n;
  PerformEffects();
}

void Device::ResetFunction(SnicFn fn) {
  if (!ValidFn(fn)) {
    return;
  }
  functions_[fn].Reset(effects_);
  tx_blocks_[fn].active = false;
  AfterGuestAccess(fn);
  PerformEffects();
}

bool Device::SetVfMac(uint16_t vf, const MacAddress& mac) {
  if (vf >= cfg_.total_vfs || (mac[0] & 1)) {
    return false;
  }
  functions_[1 + vf].set_reset_mac(mac);
  return true;
}

bool Device::GetVfPolicy(uint16_t vf, policy::VfPolicy* p) const {
  if (vf >= cfg_.total_vfs) {
    *p = policy::VfPolicy{};
    return false;
  }
  *p = functions_[1 + vf].policy();
  return true;
}

bool Device::SetVfPolicy(uint16_t vf, const policy::VfPolicy& p,
                         std::string* err) {
  if (vf >= cfg_.total_vfs) {
    *err = "VF " + std::to_string(vf) + " does not exist (total-vfs is " +
           std::to_string(cfg_.total_vfs) + ")";
    return false;
  }
  const policy::VfPolicy next =
      policy::Normalize(functions_[1 + vf].policy(), p);
  if (std::string e = policy::Validate(next); !e.empty()) {
    *err = e;
    return false;
  }
  CommitVfPolicy(vf, next);
  PerformEffects();
  return true;
}

bool Device::ApplyVfSpec(const char* setting, const char* spec,
                         std::string* err) {
  std::vector<policy::VfPolicy> policies;
  policies.reserve(cfg_.total_vfs);
  for (uint16_t vf = 0; vf < cfg_.total_vfs; ++vf) {
    policies.push_back(functions_[1 + vf].policy());
  }
  std::vector<uint16_t> changed;
  if (std::string e = policy::ApplyVfSpec(setting, spec, policies, &changed);
      !e.empty()) {
    *err = e;
    return false;
  }
  for (uint16_t vf : changed) {
    CommitVfPolicy(vf, policies[vf]);
  }
  PerformEffects();
  return true;
}

void Device::CommitVfPolicy(uint16_t vf, const policy::VfPolicy& p) {
  NetFunction& f = functions_[1 + vf];
  const uint32_t old_rate = f.policy().max_tx_rate;
  f.set_policy(p);
  f.SetLink(EffectiveLink(f), effects_);
  if (p.max_tx_rate != old_rate) {
    TxShaper& sh = shapers_[1 + vf];
    sh.bucket.Configure(p.max_tx_rate, cfg_.mtu + net::kEthHeaderLen + 4,
                        host_.NowNs());
    sh.waiting = false;
    if (f.tx_pending) {
      effects_.schedule_run = true;
    }
  }
  ReleaseTxBlocks();
}

bool Device::EffectiveLink(const NetFunction& f) const {
  switch (f.policy().link_state) {
    case SNIC_LINK_ENABLE:
      return true;
    case SNIC_LINK_DISABLE:
      return false;
    default:
      return uplink_link_up_;
  }
}

uint64_t Device::MmioRead(SnicFn fn, SnicRegion region, uint64_t offset,
                          unsigned size) {
  if (!ValidFn(fn) || !functions_[fn].enabled()) {
    return 0;
  }
  const uint64_t v = functions_[fn].MmioRead(region, offset, size, effects_);
  PerformEffects();
  return v;
}

void Device::MmioWrite(SnicFn fn, SnicRegion region, uint64_t offset,
                       uint64_t value, unsigned size) {
  if (!ValidFn(fn) || !functions_[fn].enabled()) {
    return;
  }
  functions_[fn].MmioWrite(region, offset, value, size, effects_);
  AfterGuestAccess(fn);
  PerformEffects();
}

void Device::AfterGuestAccess(SnicFn fn) {
  NetFunction& f = functions_[fn];
  const bool posted = f.rx_notified;
  f.rx_notified = false;
  if (posted) {
    f.rx_starved = false;
  }
  if (uplink_throttled_ && throttled_fn_ == fn &&
      (posted || !f.RxQueueReady())) {
    Unthrottle();
  }
  ReleaseTxBlocks(posted ? fn : -1);
}

void Device::ReleaseTxBlocks(int posted_fn) {
  for (size_t src = 0; src < tx_blocks_.size(); ++src) {
    TxBlock& b = tx_blocks_[src];
    if (!b.active) {
      continue;
    }
    const NetFunction& s = functions_[src];
    const NetFunction& d = functions_[b.dst];
    if (!s.Running()) {
      b.active = false;  // the held chain went with the ring
      continue;
    }
    if (b.dst == posted_fn || d.rx_starved || !d.RxQueueReady() ||
        !d.link_up()) {
      b.active = false;
      if (s.tx_pending) {
        effects_.schedule_run = true;
      }
    }
  }
}

void Device::Unthrottle() {
  uplink_throttled_ = false;
  effects_.uplink_flush = true;
}

bool Device::Run() {
  if (in_run_) {
    return false;
  }
  in_run_ = true;
  ReleaseTxBlocks();  // a destination may have broken since
  unsigned budget = kRunBudget;
  const size_t n = functions_.size();
  bool again = true;
  while (again && budget > 0 && !uplink_busy_) {
    again = false;
    for (size_t i = 0; i < n && budget > 0 && !uplink_busy_; ++i) {
      const SnicFn fn = static_cast<SnicFn>((rr_next_ + i) % n);
      NetFunction& f = functions_[fn];
      TxShaper& sh = shapers_[fn];
      if (!f.tx_pending || sh.waiting || tx_blocks_[fn].active) {
        continue;
      }
      unsigned quota = kPerFunctionQuota;
      unsigned processed = 0;
      const uint64_t now = sh.bucket.limited() ? host_.NowNs() : 0;
      while (quota > 0 && budget > 0 && !uplink_busy_) {
        if (!sh.bucket.Ready(now)) {
          // Leave the chains in the ring; the timer resumes this VF.
          sh.waiting = true;
          sh.ready_ns = sh.bucket.ReadyAt(now);
          f.stats().tx_rate_waits++;
          break;
        }
        size_t len = 0;
        const NetFunction::TxResult r =
            f.TakeTx(bounce_.data(), &len, effects_);
        if (r == NetFunction::TxResult::kEmpty ||
            r == NetFunction::TxResult::kBroken) {
          f.tx_pending = false;
          break;
        }
        TxPolicy pol = TxPolicy::kPass;
        if (r == NetFunction::TxResult::kFrame) {
          pol = f.is_pf() ? TxPolicy::kPass : CheckTxPolicy(f, bounce_.data());
          if (pol == TxPolicy::kPass) {
            sw::Switch::Decide(fn, bounce_.data(), len, functions_, &dests_);
            SnicFn dst = 0;
            if (MustWaitForRx(bounce_.data(), &dst)) {
              // Leave the chain in the ring; dst's RX doorbell resumes us.
              f.UntakeTx();
              tx_blocks_[fn] = TxBlock{true, dst, host_.NowNs() + kTxBlockNs};
              break;
            }
          }
          if (!f.CompleteTx(effects_)) {
            f.tx_pending = false;
            break;
          }
        }
        quota--;
        budget--;
        processed++;
        if (r == NetFunction::TxResult::kFrame) {
          sh.bucket.Charge(len);
          if (pol == TxPolicy::kPass) {
            Forward(fn, bounce_.data(), len);
          } else {
            CountTxPolicyDrop(f, pol);
          }
        }
      }
      if (processed > 0) {
        f.FinishTx(effects_);
      }
      again |= f.tx_pending && !sh.waiting && !tx_blocks_[fn].active;
      if (budget == 0) {
        rr_next_ = static_cast<uint16_t>((fn + 1) % n);
      }
    }
  }
  bool more = false;
  bool waiting = false;
  for (size_t fn = 0; fn < n; ++fn) {
    more |= !uplink_busy_ && functions_[fn].tx_pending &&
            !shapers_[fn].waiting && !tx_blocks_[fn].active;
    waiting |= shapers_[fn].waiting || tx_blocks_[fn].active;
  }
  in_run_ = false;
  PerformEffects();
  if (waiting) {
    ArmTimer();
  }
  return more;
}

void Device::CountRxResult(NetFunction& f, NetFunction::RxResult r) {
  switch (r) {
    case NetFunction::RxResult::kDelivered:
    case NetFunction::RxResult::kTooSmall:  // counted by the function
    case NetFunction::RxResult::kBroken:
      break;
    case NetFunction::RxResult::kNoBuffers:
    case NetFunction::RxResult::kNotReady:
      f.stats().rx_drop_no_buffers++;
      break;
  }
}

Device::TxPolicy Device::CheckTxPolicy(const NetFunction& f,
                                       const uint8_t* frame) {
  if (!f.link_up()) {
    return TxPolicy::kLinkDown;
  }
  if (f.policy().spoofchk &&
      std::memcmp(frame + 6, f.mac().data(), f.mac().size()) != 0) {
    return TxPolicy::kSpoof;
  }
  return TxPolicy::kPass;
}

void Device::CountTxPolicyDrop(NetFunction& f, TxPolicy p) {
  if (p == TxPolicy::kLinkDown) {
    f.stats().tx_drop_link_down++;
  } else {
    f.stats().tx_drop_spoof++;
  }
  f.stats().tx_drop_policy++;
}

bool Device::MustWaitForRx(const uint8_t* frame, SnicFn* dst) {
  if ((frame[0] & 1) != 0 || dests_.verdict != sw::Verdict::kForward ||
      dests_.uplink || dests_.fns.size() != 1 || !dests_.filtered.empty() ||
      !dests_.link_down.empty() || !dests_.not_ready.empty()) {
    return false;
  }
  NetFunction& d = functions_[dests_.fns[0].fn];
  if (d.rx_starved || !d.RxQueueReady() || !d.link_up()) {
    return false;
  }
  // A bad ring makes the look fatal for d: then there is nothing to wait
  // for and Forward drops the frame there.
  if (d.RxBuffersAvailable(effects_) || !d.RxQueueReady()) {
    return false;
  }
  *dst = d.fn();
  return true;
}

const uint8_t* Device::FrameForm(const uint8_t* frame, size_t len, bool tagged,
                                 size_t* out_len) {
  if (tagged == dests_.source_tagged) {
    *out_len = len;
    return frame;
  }
  if (!vlan_form_valid_) {
    vlan_form_len_ =
        tagged ? sw::Switch::Tag(frame, len, dests_.tci, vlan_buf_.data())
               : sw::Switch::Untag(frame, len, vlan_buf_.data());
    vlan_form_valid_ = true;
  }
  *out_len = vlan_form_len_;
  return vlan_buf_.data();
}

void Device::Forward(int src, const uint8_t* frame, size_t len) {
  vlan_form_valid_ = false;
  if (dests_.verdict == sw::Verdict::kDropVlan) {
    NetFunction& f = functions_[static_cast<size_t>(src)];
    f.stats().tx_drop_vlan++;
    f.stats().tx_drop_policy++;
    return;
  }
  for (SnicFn fn : dests_.filtered) {
    functions_[fn].stats().rx_drop_filtered++;
  }
  for (SnicFn fn : dests_.link_down) {
    functions_[fn].stats().rx_drop_link_down++;
  }
  for (SnicFn fn : dests_.not_ready) {
    functions_[fn].stats().rx_drop_no_buffers++;
  }
  for (const sw::Delivery& d : dests_.fns) {
    NetFunction& f = functions_[d.fn];
    size_t n = 0;
    const uint8_t* p = FrameForm(frame, len, d.tagged, &n);
    CountRxResult(f, f.Deliver(p, n, effects_));
  }
  if (dests_.uplink) {
    if (!uplink_link_up_) {
      uplink_stats_.tx_dropped_link_down++;
      return;
    }
    size_t n = 0;
    const uint8_t* p = FrameForm(frame, len, dests_.uplink_tagged, &n);
    uplink_stats_.tx_frames++;
    uplink_stats_.tx_bytes += n;
    // Function state is complete here; the send is the last step.
    if (!host_.UplinkSend(p, n)) {
      uplink_stats_.tx_busy++;
      uplink_busy_ = true;
    }
  }
}

size_t Device::UplinkReceive(const uint8_t* frame, size_t len) {
  if (len < net::kEthHeaderLen || len > net::kMaxFrameLen) {
    uplink_stats_.rx_frames++;
    uplink_stats_.rx_dropped_malformed++;
    return len;
  }
  sw::Switch::Decide(sw::kUplinkPort, frame, len, functions_, &dests_);
  vlan_form_valid_ = false;
  for (SnicFn fn : dests_.filtered) {
    functions_[fn].stats().rx_drop_filtered++;
  }
  for (SnicFn fn : dests_.link_down) {
    functions_[fn].stats().rx_drop_link_down++;
  }
  for (SnicFn fn : dests_.not_ready) {
    functions_[fn].stats().rx_drop_no_buffers++;
  }
  if (dests_.fns.empty()) {
    uplink_stats_.rx_unclaimed++;
  }
  const bool single = dests_.fns.size() == 1 && dests_.filtered.empty() &&
                      dests_.link_down.empty();
  bool delivered = dests_.fns.empty();
  for (const sw::Delivery& d : dests_.fns) {
    NetFunction& f = functions_[d.fn];
    size_t n = 0;
    const uint8_t* p = FrameForm(frame, len, d.tagged, &n);
    const NetFunction::RxResult r = f.Deliver(p, n, effects_);
    if (r == NetFunction::RxResult::kNoBuffers && single && !f.rx_starved) {
      // Let QEMU keep it until this function posts RX buffers.
      uplink_stats_.rx_deferred++;
      uplink_throttled_ = true;
      throttled_fn_ = d.fn;
      throttle_deadline_ns_ = host_.NowNs() + kUplinkDeferNs;
      PerformEffects();
      ArmTimer();
      return 0;
    }
    delivered |= r != NetFunction::RxResult::kNoBuffers &&
                 r != NetFunction::RxResult::kNotReady;
    CountRxResult(f, r);
  }
  uplink_stats_.rx_frames++;
  uplink_stats_.rx_bytes += len;
  if (!delivered) {
    uplink_stats_.rx_dropped_no_buffers++;
  }
  PerformEffects();
  return len;
}

void Device::ArmTimer() {
  uint64_t deadline = UINT64_MAX;
  if (uplink_throttled_) {
    deadline = throttle_deadline_ns_;
  }
  for (const TxShaper& sh : shapers_) {
    if (sh.waiting) {
      deadline = std::min(deadline, sh.ready_ns);
    }
  }
  for (const TxBlock& b : tx_blocks_) {
    if (b.active) {
      deadline = std::min(deadline, b.deadline_ns);
    }
  }
  if (deadline != UINT64_MAX) {
    host_.TimerArm(deadline);
  }
}

void Device::Timer() {
  const uint64_t now = host_.NowNs();
  if (uplink_throttled_ && now >= throttle_deadline_ns_) {
    functions_[throttled_fn_].rx_starved = true;
    Unthrottle();
  }
  for (size_t fn = 0; fn < shapers_.size(); ++fn) {
    TxShaper& sh = shapers_[fn];
    if (sh.waiting && now >= sh.ready_ns) {
      sh.waiting = false;
      if (functions_[fn].tx_pending) {
        effects_.schedule_run = true;
      }
    }
  }
  for (const TxBlock& b : tx_blocks_) {
    if (b.active && now >= b.deadline_ns) {
      // The destination did not post buffers in time: stop waiting for it.
      functions_[b.dst].rx_starved = true;
    }
  }
  ReleaseTxBlocks();
  PerformEffects();
  ArmTimer();
}

void Device::UplinkSendDone() {
  uplink_busy_ = false;
  for (const NetFunction& f : functions_) {
    if (f.tx_pending) {
      effects_.schedule_run = true;
      break;
    }
  }
  PerformEffects();
}

void Device::SetUplinkLink(bool up) {
  uplink_link_up_ = up;
  for (NetFunction& f : functions_) {
    f.SetLink(EffectiveLink(f), effects_);
  }
  ReleaseTxBlocks();
  PerformEffects();
}

SnicStats UplinkStats::ToSnicStats() const {
  SnicStats s{};
  s.rx_packets = rx_frames - rx_dropped_malformed;
  s.rx_bytes = rx_bytes;
  s.tx_packets = tx_frames;
  s.tx_bytes = tx_bytes;
  s.rx_drop_no_buffers = rx_dropped_no_buffers;
  s.rx_drop_filtered = rx_unclaimed;
  s.rx_drop_too_small = rx_dropped_malformed;
  s.tx_drop_link_down = tx_dropped_link_down;
  return s;
}

void Device::PerformEffects() {
  if (effects_.empty()) {
    return;
  }
  Effects fx;
  std::swap(fx, effects_);
  effects_.interrupts.reserve(64);

  if (fx.lower_pf_intx && functions_[SNIC_FN_PF].transport().isr() == 0) {
    host_.SetIntx(SNIC_FN_PF, false);
  }
  bool raise_intx = false;
  for (const PendingInterrupt& irq : fx.interrupts) {
    NetFunction& f = functions_[irq.fn];
    if (!f.enabled()) {
      continue;
    }
    const bool config = irq.queue == kConfigInterrupt;
    if (host_.MsixEnabled(irq.fn)) {
      const uint16_t vector = config
                                  ? f.transport().msix_config()
                                  : f.transport()
                                        .queue(static_cast<uint16_t>(irq.queue))
                                        .msix_vector();
      if (vector != virtio::kNoVector) {
        host_.MsixNotify(irq.fn, vector);
      }
    } else if (irq.fn == SNIC_FN_PF) {
      // 4.1.4.5: INTx sets the ISR bit; reading the ISR lowers the line.
      f.transport().RaiseIsr(config ? virtio::kIsrConfig : virtio::kIsrQueue);
      raise_intx = true;
    }
  }
  if (raise_intx) {
    host_.SetIntx(SNIC_FN_PF, true);
  }
  if (fx.schedule_run) {
    host_.ScheduleRun();
  }
  if (fx.uplink_flush) {
    host_.UplinkFlush();  // may re-enter UplinkReceive: last
  }
}

}  // namespace snic
