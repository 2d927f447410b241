// sriov-nic core: the device as a whole.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "device.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "../policy/settings.h"
#include "../capi/abi_convert.h"
#include "../ixgbe/function.h"
#include "../ixgbe/layout.h"
#include "../virtio_net/function.h"
#include "../virtio_net/net_hdr.h"
#include "../vswitch/forwarder.h"
#include "../vswitch/switch.h"
#include "../vswitch/tx_checks.h"

namespace snic::device {

using port::Port;
using port::PortEvents;
using port::RxResult;
using port::TxStatus;
using policy::PortPolicy;

Status DeviceConfig::Validate() const {
  if (personality != Personality::kVirtioNet &&
      personality != Personality::kIxgbe) {
    return Status::Invalid(
        "personality " + std::to_string(static_cast<unsigned>(personality)) +
        " is not known (0: virtio-net, 1: ixgbe)");
  }
  if (total_vfs > kMaxVfs) {
    return Status::Invalid("total-vfs must be at most " +
                           std::to_string(kMaxVfs));
  }
  if (personality == Personality::kIxgbe) {
    if (total_vfs > ixgbe::kMaxVfs) {
      return Status::Invalid("total-vfs must be at most " +
                             std::to_string(ixgbe::kMaxVfs) +
                             " with personality=ixgbe (the 82599's 64 "
                             "pools, one the PF's)");
    }
    if (packed) {
      return Status::Invalid(std::string(
          "packed is a virtio option: personality=ixgbe has none"));
    }
    if (!vf_netdevs.empty()) {
      return Status::Invalid(std::string(
          "vf-netdev is not supported with personality=ixgbe"));
    }
  }
  if (eth::IsMulticast(pf_mac)) {
    return Status::Invalid(std::string("the PF MAC must be a unicast address"));
  }
  if (mtu < 68) {
    return Status::Invalid(std::string("mtu must be at least 68"));
  }
  if (speed == 0 || speed == 0xFFFFFFFFu) {  // 0xFFFFFFFF: "unknown"
    return Status::Invalid(std::string(
        "speed must be a link speed in Mb/s, 1 to 4294967294"));
  }
  if (personality == Personality::kIxgbe) {
    return Status::Ok();  // the guest sizes its rings (RDLEN, TDLEN)
  }
  if (queue_size < 2 || queue_size > virtio::kMaxQueueSize ||
      (queue_size & (queue_size - 1)) != 0) {
    return Status::Invalid("queue-size must be a power of two between 2 and " +
                           std::to_string(virtio::kMaxQueueSize));
  }
  if (queue_pairs < 1 || queue_pairs > virtio_net::kMaxQueuePairs) {
    return Status::Invalid("queue-pairs must be between 1 and " +
                           std::to_string(virtio_net::kMaxQueuePairs));
  }
  std::vector<bool> bound(total_vfs, false);
  for (uint16_t vf : vf_netdevs) {
    if (vf >= total_vfs) {
      return Status::Invalid("vf-netdev: VF " + std::to_string(vf) +
                             " does not exist (total-vfs is " +
                             std::to_string(total_vfs) + ")");
    }
    if (bound[vf]) {
      return Status::Invalid("vf-netdev: VF " + std::to_string(vf) +
                             " is given a netdev twice");
    }
    bound[vf] = true;
  }
  return Status::Ok();
}

MacAddress DefaultVfMac(const MacAddress& pf_mac, uint16_t vf) {
  // FNV-1a over the PF MAC's first half, folded to 14 bits.
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < 3; ++i) {
    h = (h ^ pf_mac[i]) * 16777619u;
  }
  h ^= h >> 14;
  return MacAddress{static_cast<uint8_t>(((h >> 8) & 0x3f) << 2 | 0x02),
                    static_cast<uint8_t>(h),
                    pf_mac[3],
                    pf_mac[4],
                    pf_mac[5],
                    static_cast<uint8_t>(vf)};
}

Device::Device(const DeviceConfig& cfg, const Host& host)
    : cfg_(cfg), host_(host), sched_(1u + cfg.total_vfs),
      links_(1 + cfg.vf_netdevs.size()), link_of_(1u + cfg.total_vfs, kUplink) {
  for (size_t k = 0; k < cfg.vf_netdevs.size(); ++k) {
    const FnId fn = static_cast<FnId>(1 + cfg.vf_netdevs[k]);
    links_[1 + k].fn = fn;
    link_of_[fn] = static_cast<LinkId>(1 + k);
  }
  ports_.reserve(1u + cfg.total_vfs);
  vf_policy_.reserve(cfg.total_vfs);
  for (uint32_t fn = 0; fn <= cfg.total_vfs; ++fn) {
    std::unique_ptr<Port> f = MakePort(static_cast<FnId>(fn));
    if (fn == kPfFn) {
      f->SetPolicy(policy::PfPolicy(cfg.pf_mac));
    } else {
      vf_policy_.push_back(policy::VfDefaultPolicy(
          DefaultVfMac(cfg.pf_mac, static_cast<uint16_t>(fn - 1))));
      f->SetPolicy(vf_policy_.back());
    }
    sched_.SetLanes(static_cast<FnId>(fn), f->num_tx_lanes());
    ports_.push_back(std::move(f));
  }
  for (const auto& p : ports_) {
    port_ptrs_.push_back(p.get());
  }
  Effects fx;
  for (const auto& p : ports_) {
    p->Reset(fx);  // reset state: no interrupt can be pending yet
  }
  RebuildActive();
}

std::unique_ptr<Port> Device::MakePort(FnId fn) {
  switch (cfg_.personality) {
    case Personality::kIxgbe:
      if (fn == kPfFn) {
        uint8_t mac[6];
        std::memcpy(mac, cfg_.pf_mac.data(), sizeof(mac));
        ixgbe_ = std::make_unique<ixgbe::Nic>(host_, cfg_.total_vfs, mac);
        // The uplink's link at creation (the glue reports changes).
        ixgbe::NicIrqs none;
        ixgbe_->SetUplinkLink(true, none);
        return std::make_unique<ixgbe::PfFunction>(host_, *ixgbe_);
      }
      return std::make_unique<ixgbe::VfFunction>(fn, host_, *ixgbe_);
    case Personality::kVirtioNet:
      break;
  }
  virtio_net::FunctionConfig fc;
  fc.fn = fn;
  fc.mtu = cfg_.mtu;
  fc.speed = cfg_.speed;
  fc.queue_size = cfg_.queue_size;
  fc.offloads = cfg_.offloads;
  fc.queue_pairs = cfg_.queue_pairs;
  fc.packed = cfg_.packed;
  return std::make_unique<virtio_net::Function>(fc, host_, *this);
}

Device::~Device() = default;

void Device::RebuildActive() {
  active_.clear();
  for (const auto& p : ports_) {
    // A VF with a netdev of its own is not a port of the switch.
    if (p->state().enabled && link_of_[p->fn()] == kUplink) {
      active_.push_back(&p->state());
    }
  }
}

std::span<const port::PortState* const> Device::PortsOf(
    LinkId link, const port::PortState*& one) const {
  if (link == kUplink) {
    return active_;
  }
  const port::PortState& s = ports_[links_[link].fn]->state();
  if (!s.enabled) {
    return {};
  }
  one = &s;
  return {&one, 1};
}

// ---- the entry pattern ----------------------------------------------------

void Device::Leave() {
  if (stale_) {
    stale_ = false;
    ReleaseStaleHolds();
  }
  if (flush_after_) {
    flush_after_ = false;
    effects_.UplinkFlush();
  }
  busy_ = false;
  if (perform_depth_ == perform_stack_.size()) {
    perform_stack_.push_back(std::make_unique<Effects>());
  }
  Effects& fx = *perform_stack_[perform_depth_];
  std::swap(fx, effects_);
  perform_depth_++;
  PerformEffects(fx);
  perform_depth_--;
  fx.Clear();
  ArmTimer();
  if (!deferred_.empty()) {
    ApplyDeferred();
  }
}

void Device::Defer(Deferred::Kind kind, FnId fn, uint32_t value) {
  deferred_.push_back(Deferred{kind, fn, value});
}

void Device::ApplyDeferred() {
  // Each event is an entry of its own; one may defer more (its effects
  // re-enter), which this loop picks up in order.
  while (!busy_ && !deferred_.empty()) {
    const Deferred d = deferred_.front();
    deferred_.erase(deferred_.begin());
    switch (d.kind) {
      case Deferred::Kind::kNumVfs:
        SetNumVfs(static_cast<uint16_t>(d.value));
        break;
      case Deferred::Kind::kReset:
        ResetFunction(d.fn);
        break;
      case Deferred::Kind::kBusMaster:
        SetBusMaster(d.fn, d.value != 0);
        break;
      case Deferred::Kind::kSendDone:
        LinkSendDone(d.fn);
        break;
      case Deferred::Kind::kUplinkLink:
        SetLinkUp(d.fn, d.value != 0);
        break;
      case Deferred::Kind::kRunning:
        SetRunning(d.value != 0);
        break;
    }
  }
}

void Device::PerformEffects(const Effects& fx) {
  if (fx.intx() != Effects::kUnchanged) {
    host_.SetIntx(kPfFn, fx.intx() == Effects::kHigh);
  }
  for (const MsixMessage& m : fx.msix()) {
    host_.MsixNotify(m.fn, m.vector);
  }
  for (LinkId link : fx.purges()) {
    host_.LinkPurge(link);  // QEMU calls LinkSendDone for the purged frame
  }
  if (fx.uplink_frame() != nullptr) {
    if (const uint32_t q = SendToUplink(fx); q > 0) {
      // QEMU queued it (or q of its segments) and calls LinkSendDone
      // once for each when it is out; until then frames for that link
      // wait.
      Uplink& up = links_[fx.uplink_link()];
      up.busy = true;
      up.queued += q;
      up.busy_from = fx.uplink_from();
      up.stats.tx_queued += q;
    }
  }
  if (fx.schedule_run()) {
    host_.ScheduleRun();
  }
  if (fx.uplink_flush()) {
    // Delivers queued frames: re-enters, so last.
    for (LinkId link = 0; link < links_.size(); ++link) {
      host_.LinkFlush(link);
    }
  }
}

bool Device::SendFrameToUplink(LinkId link, const uint8_t* frame, size_t len,
                               const eth::Offload& o) {
  if (!links_[link].vnet_hdr) {
    return host_.LinkSend(link, frame, len);
  }
  return host_.LinkSendHdr(
      link, capi::ToC(virtio_net::MakeNetHdr(o, frame, len)), frame, len);
}

uint32_t Device::SendToUplink(const Effects& fx) {
  const LinkId link = fx.uplink_link();
  Uplink& up = links_[link];
  const eth::Offload& o = fx.uplink_offload();
  if (up.offloads.Takes(o)) {
    return SendFrameToUplink(link, fx.uplink_frame(), fx.uplink_len(), o) ? 0
                                                                          : 1;
  }
  // The uplink takes no GSO frame of this kind: its segments go one by
  // one. All of them go even when QEMU queues one (it keeps them in order).
  FramePool::Buffer seg = frames_.Get();
  eth::Offload done;
  done.data_valid = true;
  // QEMU calls UplinkSendDone once for each segment it queued.
  uint32_t queued = 0;
  const Status s = eth::Segment(
      fx.uplink_frame(), fx.uplink_len(), o, seg.data(),
      [&](const uint8_t* data, size_t len) {
        if (!SendFrameToUplink(link, data, len, done)) {
          queued++;
        }
        return true;
      });
  up.stats.tx_segmented++;
  (void)s;  // checked when the port took the frame (CheckOffload)
  return queued;
}

bool Device::SetLinkVnetHdr(LinkId link, bool uso) {
  if (!ValidLink(link) || !host_.CanSendHdr(link)) {
    return false;
  }
  Uplink& up = links_[link];
  up.vnet_hdr = true;
  up.uso = uso;
  port::RxOffloads& o = up.offloads;
  o.csum = o.tso4 = o.tso6 = o.ecn = true;
  o.uso4 = o.uso6 = uso;
  return true;
}

size_t Device::LinkReceiveHdr(LinkId link, const virtio_net::NetHdr& hdr,
                              const uint8_t* frame, size_t len) {
  if (!ValidLink(link)) {
    return Consumed(len);
  }
  Uplink& up = links_[link];
  virtio_net::HdrCaps caps;
  caps.csum = caps.tso4 = caps.tso6 = caps.ecn = true;
  caps.uso = up.uso;
  eth::Offload o;
  if (!up.vnet_hdr || len > eth::kMaxFrameLen ||
      !virtio_net::ParseNetHdr(hdr, frame, len, caps, &o).ok()) {
    up.stats.rx_frames++;
    up.stats.rx_dropped_malformed++;
    return Consumed(len);
  }
  return ReceiveFromLink(link, frame, len, &o);
}

void Device::ArmTimer() {
  // personality=ixgbe: MSI-X vectors waiting for the end of their ITR
  // interval (ixgbe/itr.h).
  const uint64_t irq_deadline = ixgbe_ ? ixgbe_->HeldIrqDeadline() : kNever;
  const bool irqs_changed = irq_deadline != irq_deadline_;
  irq_deadline_ = irq_deadline;
  if (!sched_.TakeDeadlineChange() && !deadline_dirty_ && !irqs_changed) {
    return;
  }
  deadline_dirty_ = false;
  uint64_t d = std::min(sched_.NextDeadline(), irq_deadline);
  for (const Uplink& up : links_) {
    if (up.rx_hold.blocking()) {
      d = std::min(d, up.rx_hold.deadline);
    }
  }
  // An earlier timer that finds nothing due is harmless; a later one could
  // miss a deadline, so only ever move it earlier, or arm it again once
  // the armed deadline is past (it fired, or is about to).
  if (d != kNever &&
      (d < armed_deadline_ || armed_deadline_ <= host_.NowNs())) {
    armed_deadline_ = d;
    host_.TimerArm(d);
  }
}

// ---- events and holds -----------------------------------------------------

bool Device::Receivable(FnId dst) const {
  const port::PortState& s = ports_[dst]->state();
  return s.running() && (s.link_up || s.is_pf);
}

void Device::Apply(FnId fn, const PortEvents& ev) {
  if (ev.tx_kicks != 0) {
    sched_.Kick(fn, ev.tx_kicks);
    effects_.ScheduleRun();
  }
  if (ev.rx_kick) {
    // Only a retry: one that finds no room holds again, same deadline.
    if (sched_.ReleaseWaitersOn(fn)) {
      effects_.ScheduleRun();
    }
    for (LinkId link = 0; link < links_.size(); ++link) {
      const Hold& h = links_[link].rx_hold;
      if (h.what == Hold::For::kRxBuffers && h.dst == fn) {
        ReleaseUplinkHold(link);
      }
    }
  }
  if (ev.changed) {
    stale_ = true;
    if (cfg_.personality == Personality::kIxgbe) {
      FollowGuestVfPolicy();
      if (fn == kPfFn) {
        // The PF's driver may have opened a VF's TX gate (VFTE): the chip
        // fetches what the VF queued meanwhile at once, and a VF whose
        // ring filled rings no doorbell again (ixgbe/nic.h TxAllowed).
        for (uint16_t vf = 0; vf < cfg_.total_vfs; ++vf) {
          if (ports_[1 + vf]->running()) {
            sched_.Kick(static_cast<FnId>(1 + vf), ~0u);
            effects_.ScheduleRun();
          }
        }
      }
    }
  }
}

// personality=ixgbe: a port's policy is what the guest's PF driver wrote
// (ixgbe/function.cc SyncFilter); the device applies the parts it owns,
// as CommitVfPolicy does for the host's: the rate limit and the link.
// @force (after a migration): compare with what the scheduler and the port
// have, not with the policy applied last.
void Device::FollowGuestVfPolicy(bool force) {
  for (uint16_t vf = 0; vf < cfg_.total_vfs; ++vf) {
    Port& port = *ports_[1 + vf];
    const PortPolicy& now = port.state().policy;
    const uint32_t rate = force ? sched_.bucket(port.fn()).Export().rate
                                : vf_policy_[vf].max_tx_rate;
    if (now.max_tx_rate != rate) {
      sched_.ConfigureRate(port.fn(), now.max_tx_rate, MaxFrameForRate(),
                           host_.NowNs());
      effects_.ScheduleRun();
    }
    if (force ? port.state().link_up != EffectiveLink(port)
              : now.link_state != vf_policy_[vf].link_state) {
      port.SetLink(EffectiveLink(port), effects_);
    }
    vf_policy_[vf] = now;
  }
}

void Device::ReleaseUplinkHold(LinkId link) {
  Hold& h = links_[link].rx_hold;
  if (h.blocking()) {
    h.release = true;
    effects_.UplinkFlush();
  }
}

void Device::ReleaseStaleHolds() {
  if (sched_.ReleaseWaitersIf([this](FnId dst) { return !Receivable(dst); })) {
    effects_.ScheduleRun();
  }
  for (LinkId link = 0; link < links_.size(); ++link) {
    const Hold& h = links_[link].rx_hold;
    if (h.what == Hold::For::kRxBuffers && !Receivable(h.dst)) {
      ReleaseUplinkHold(link);
    }
  }
}

// ---- configuration entry points -------------------------------------------

void Device::ForgetFunction(FnId fn) {
  sched_.Forget(fn);
  for (LinkId link = 0; link < links_.size(); ++link) {
    Uplink& up = links_[link];
    if (up.busy && up.busy_from == fn) {
      // Its frame is still in QEMU's queue: it must not go out after the
      // reset.
      effects_.UplinkPurge(link);
      up.stats.tx_purged++;
    }
  }
  stale_ = true;
}

void Device::SetNumVfs(uint16_t n) {
  Entry e(*this);
  if (e.nested()) {
    Defer(Deferred::Kind::kNumVfs, 0, n);
    return;
  }
  if (n > cfg_.total_vfs) {
    // The PCI layer never enables more than TotalVFs; treat it as none.
    host_.GuestError(kPfFn, ("NumVFs " + std::to_string(n) +
                             " exceeds TotalVFs " +
                             std::to_string(cfg_.total_vfs))
                                .c_str());
    n = 0;
  }
  for (uint16_t vf = 0; vf < cfg_.total_vfs; ++vf) {
    Port& p = *ports_[1 + vf];
    const bool want = vf < n;
    if (p.state().enabled != want) {
      p.Reset(effects_);
      p.SetEnabled(want);
      ForgetFunction(p.fn());
    }
  }
  num_vfs_ = n;
  SyncChip();
  RebuildActive();
}

void Device::ResetFunction(FnId fn) {
  Entry e(*this);
  if (!ValidFn(fn)) {
    return;
  }
  if (e.nested()) {
    Defer(Deferred::Kind::kReset, fn);
    return;
  }
  ports_[fn]->Reset(effects_);
  ForgetFunction(fn);
  SyncChip();
}

// personality=ixgbe: a reset (a PF FLR resets the pools of every VF) or a
// VF Enable changes what the chip's registers say outside an MMIO write:
// every port's view follows at once, as after a register write (Apply),
// so the ports, the applied policy and the migration stream never lag the
// registers.
void Device::SyncChip() {
  if (!ixgbe_) {
    return;
  }
  ixgbe_->Sync();
  stale_ = true;
  FollowGuestVfPolicy();
}

void Device::SetBusMaster(FnId fn, bool on) {
  Entry e(*this);
  if (!ValidFn(fn)) {
    return;
  }
  if (e.nested()) {
    Defer(Deferred::Kind::kBusMaster, fn, on);
    return;
  }
  Port& p = *ports_[fn];
  if (!p.SetBusMaster(on)) {
    return;
  }
  PortEvents ev;
  ev.changed = true;
  if (on && running_) {
    ev |= p.Resume(effects_);  // (stopped: SetRunning(true) resumes it)
  }
  Apply(fn, ev);
}

bool Device::MmioRead(FnId fn, uint32_t region, uint64_t offset,
                      unsigned size, uint64_t* value) {
  *value = 0;
  Entry e(*this);
  if (e.nested()) {
    RefuseNested(fn);
    return false;
  }
  if (!running_) {
    RefuseStopped(fn);
    return true;
  }
  if (!ValidFn(fn) || !ports_[fn]->state().enabled) {
    return true;
  }
  Port& p = *ports_[fn];
  const bool was = p.running();
  *value = p.MmioRead(region, offset, size, effects_);
  stale_ |= p.running() != was;
  return true;
}

bool Device::MmioWrite(FnId fn, uint32_t region, uint64_t offset,
                       uint64_t value, unsigned size) {
  Entry e(*this);
  if (e.nested()) {
    RefuseNested(fn);
    return false;
  }
  if (!running_) {
    RefuseStopped(fn);
    return true;
  }
  if (!ValidFn(fn) || !ports_[fn]->state().enabled) {
    return true;
  }
  Port& p = *ports_[fn];
  const bool was = p.running();
  PortEvents ev = p.MmioWrite(region, offset, value, size, effects_);
  ev.changed |= p.running() != was;
  Apply(fn, ev);
  return true;
}

void Device::RefuseStopped(FnId fn) {
  // No vCPU runs while the VM is stopped; whatever this is, it must not
  // make the device DMA into memory that is being migrated.
  host_.GuestError(fn, "register access while the VM is stopped (ignored)");
}

void Device::RefuseNested(FnId fn) {
  if (ValidFn(fn)) {
    ports_[fn]->stats().guest_errors++;
  }
  host_.GuestError(fn,
                   "re-entrant access: a DMA of the device was aimed at one "
                   "of its own registers (refused)");
}

// ---- TX -------------------------------------------------------------------

Device::TxOutcome Device::TransmitOne(LaneRef l, uint8_t* buf,
                                      uint8_t* scratch) {
  Port& p = *ports_[l.fn];
  port::TxFrame f;
  switch (p.PeekTx(l.lane, buf, &f, effects_)) {
    case TxStatus::kEmpty:
    case TxStatus::kNotReady:
      sched_.Idle(l);
      return TxOutcome::kIdle;
    case TxStatus::kBroken:
      sched_.Idle(l);
      stale_ = true;
      return TxOutcome::kIdle;
    case TxStatus::kDropped:
      sched_.Consumed(l);
      return TxOutcome::kDone;
    case TxStatus::kFrame:
      break;
  }
  const std::optional<eth::EthView> eth = eth::EthView::Parse(f.data, f.len);
  const vswitch::TxVerdict verdict =
      eth ? vswitch::CheckTx(p.state(), *eth) : vswitch::TxVerdict::kSpoof;
  if (verdict != vswitch::TxVerdict::kPass) {
    vswitch::CountTxDrop(p.stats(), verdict);
    p.ConsumeTx(l.lane, effects_);
    sched_.Consumed(l);
    sched_.Charge(l.fn, f.len);
    return TxOutcome::kDone;
  }

  const LinkId link = link_of_[l.fn];
  Uplink& up = links_[link];
  vswitch::Destinations d;
  const port::PortState* self = nullptr;
  if (link == kUplink) {
    vswitch::Decide(&p.state(), *eth, active_, &d);
  } else {
    // Its own netdev: the switch with no other port, so everything goes
    // out of the link, in the port's VLAN form.
    self = &p.state();
    vswitch::Decide(&p.state(), *eth, {&self, 1}, &d);
  }
  if (d.uplink && up.link_up && up.busy) {
    // Nothing is delivered until the whole frame can go.
    sched_.HoldForUplink(l, link);
    return TxOutcome::kHeld;
  }
  // Rate limits charge what goes on the wire (a GSO frame's segments).
  const size_t wire_bytes = eth::WireBytes(f.data, f.len, f.offload);
  if (vswitch::CompleteForDestinations(d, up.offloads.csum,
                                       f.data, f.len, &f.offload)) {
    p.stats().tx_csum_completed++;
  }
  vswitch::FrameForms forms(f.data, f.len, d, scratch, f.offload);
  const std::optional<FnId> sole = d.SoleFunction();
  const bool may_hold = sole && sched_.MayHoldFor(l, *sole);
  FramePool::Buffer seg = frames_.Get();
  const vswitch::ForwardResult r = vswitch::DeliverToPorts(
      d, forms, port_ptrs_, may_hold, seg.data(), effects_);
  if (r.held) {
    if (!sched_.hold_of(l).active()) {
      p.stats().tx_holds++;
    }
    sched_.HoldForRx(l, *sole, host_.NowNs());
    return TxOutcome::kHeld;
  }
  if (r.sole == RxResult::kDelivered) {
    sched_.Fed(*sole);
  } else if (r.sole == RxResult::kBroken) {
    stale_ = true;
  }
  if (d.uplink) {
    if (!up.link_up) {
      up.stats.tx_dropped_link_down++;
    } else {
      const vswitch::Form u = forms.Get(d.uplink_tagged);
      up.stats.tx_frames++;
      up.stats.tx_bytes += u.len;
      effects_.UplinkSend(u.data, u.len, l.fn, u.offload, link);
    }
  }
  if (f.offload.gso != eth::Gso::kNone) {
    p.stats().tx_gso++;
  }
  p.ConsumeTx(l.lane, effects_);
  sched_.Consumed(l);
  sched_.Charge(l.fn, wire_bytes);
  return TxOutcome::kDone;
}

bool Device::Run() {
  if (in_run_ || !running_) {
    return false;  // stopped: SetRunning(true) schedules the run again
  }
  in_run_ = true;
  unsigned budget = kRunBudget;
  while (budget > 0) {
    std::optional<LaneRef> lane;
    {
      Entry e(*this);
      if (e.nested()) {
        break;
      }
      lane = sched_.Next();
    }
    if (!lane) {
      break;
    }
    unsigned quota = std::min(kLaneQuota, budget);
    while (quota > 0) {
      // The frame and its other VLAN form live until the step's effects
      // (the uplink send) are performed, after the Entry.
      FramePool::Buffer frame = frames_.Get();
      FramePool::Buffer scratch = frames_.Get();
      TxOutcome o;
      {
        Entry e(*this);
        if (e.nested()) {
          break;
        }
        if (!sched_.RateReady(lane->fn, host_.NowNs())) {
          // The frames stay in the ring; the timer resumes the function.
          ports_[lane->fn]->stats().tx_rate_waits++;
          o = TxOutcome::kHeld;
        } else {
          o = TransmitOne(*lane, frame.data(), scratch.data());
        }
      }
      if (o == TxOutcome::kIdle) {
        // Finding a lane empty costs no budget: it clears the lane's
        // pending mark, so each lane is found empty at most once a run.
        break;
      }
      quota--;
      budget--;
      if (o != TxOutcome::kDone) {
        break;
      }
    }
    Entry e(*this);
    if (!e.nested()) {
      ports_[lane->fn]->EndTxBatch(lane->lane, effects_);
    }
  }
  in_run_ = false;
  return sched_.HasWork();
}

void Device::Timer() {
  Entry e(*this);
  if (e.nested()) {
    return;
  }
  armed_deadline_ = kNever;
  deadline_dirty_ = true;  // ArmTimer (in Leave) recomputes what is left
  const uint64_t now = host_.NowNs();
  if (sched_.Expire(now)) {
    effects_.ScheduleRun();
  }
  if (ixgbe_) {
    ixgbe::NicIrqs irqs;
    ixgbe_->ReleaseHeldIrqs(irqs);  // vectors ITR held back (ixgbe/itr.h)
    ixgbe::SignalIrqs(host_, irqs, effects_);
  }
  for (LinkId link = 0; link < links_.size(); ++link) {
    Hold& h = links_[link].rx_hold;
    if (h.what == Hold::For::kRxBuffers && !h.expired && now >= h.deadline) {
      h.expired = true;
      sched_.Starve(h.dst);
      ReleaseUplinkHold(link);
    }
  }
}

// ---- the uplink -----------------------------------------------------------

bool Device::LinkCanReceive(LinkId link) const {
  return running_ && ValidLink(link) && !links_[link].rx_hold.blocking();
}

size_t Device::LinkReceive(LinkId link, const uint8_t* frame, size_t len) {
  if (!ValidLink(link)) {
    return Consumed(len);
  }
  return ReceiveFromLink(link, frame, len, nullptr);
}

size_t Device::ReceiveFromLink(LinkId link, const uint8_t* frame, size_t len,
                               const eth::Offload* offload) {
  Entry e(*this);
  if (e.nested()) {
    // Delivered from inside a state change (through another device's
    // register): leave it queued, flush when this entry is done.
    flush_after_ = true;
    return 0;
  }
  if (!running_) {
    return 0;  // the VM is stopped: stays queued, flushed when it runs
  }
  Uplink& up = links_[link];
  port::UplinkStats& st = up.stats;
  const std::optional<eth::EthView> eth =
      len <= eth::kMaxFrameLen ? eth::EthView::Parse(frame, len)
                               : std::nullopt;
  if (!eth) {
    st.rx_frames++;
    st.rx_dropped_malformed++;
    return Consumed(len);
  }
  vswitch::Destinations d;
  const port::PortState* one = nullptr;
  vswitch::Decide(nullptr, *eth, PortsOf(link, one), &d);
  FramePool::Buffer scratch = frames_.Get();
  FramePool::Buffer copy = frames_.Get();
  eth::Offload o = offload ? *offload : eth::Offload{};
  if (vswitch::MustComplete(d, /*uplink_takes_csum=*/true, o)) {
    // On a copy: QEMU's buffer is the netdev's.
    std::memcpy(copy.data(), frame, len);
    if (vswitch::CompleteForDestinations(d,
                                         /*uplink_takes_csum=*/true,
                                         copy.data(), len, &o)) {
      frame = copy.data();
    }
  }
  vswitch::FrameForms forms(frame, len, d, scratch.data(), o);
  Hold& h = up.rx_hold;
  const std::optional<FnId> sole = d.SoleFunction();
  const bool may_hold =
      sole && !sched_.starved(*sole) &&
      !(h.what == Hold::For::kRxBuffers && h.dst == *sole && h.expired);
  FramePool::Buffer seg = frames_.Get();
  const vswitch::ForwardResult r = vswitch::DeliverToPorts(
      d, forms, port_ptrs_, may_hold, seg.data(), effects_);
  if (r.held) {
    if (h.what != Hold::For::kRxBuffers || h.dst != *sole) {
      h.deadline = host_.NowNs() + kHoldNs;
      h.expired = false;
      st.rx_holds++;
      deadline_dirty_ = true;
    }
    h.what = Hold::For::kRxBuffers;
    h.dst = *sole;
    h.release = false;
    return 0;
  }
  h.Clear();
  if (r.sole == RxResult::kDelivered) {
    sched_.Fed(*sole);
  } else if (r.sole == RxResult::kBroken) {
    stale_ = true;
  }
  if (d.count == 0) {
    st.rx_unclaimed++;
  } else if (r.sole && r.sole != RxResult::kDelivered) {
    st.rx_dropped_no_buffers++;
  }
  st.rx_frames++;
  st.rx_bytes += len;
  return Consumed(len);
}

void Device::LinkSendDone(LinkId link) {
  if (!ValidLink(link)) {
    return;
  }
  Entry e(*this);
  if (e.nested()) {
    Defer(Deferred::Kind::kSendDone, link);
    return;
  }
  Uplink& up = links_[link];
  if (up.queued > 1) {
    up.queued--;  // more segments of the frame are still queued
    return;
  }
  up.queued = 0;
  up.busy = false;
  if (sched_.ReleaseUplinkWaiters(link)) {
    effects_.ScheduleRun();
  }
}

void Device::SetLinkUp(LinkId link, bool up) {
  if (!ValidLink(link)) {
    return;
  }
  Entry e(*this);
  if (e.nested()) {
    Defer(Deferred::Kind::kUplinkLink, link, up);
    return;
  }
  links_[link].link_up = up;
  for (const auto& p : ports_) {
    p->SetLink(EffectiveLink(*p), effects_);
  }
  stale_ = true;
}

uint64_t Device::MaxFrameForRate() const {
  return uint64_t{cfg_.mtu} + eth::kHeaderLen + 4;
}

bool Device::EffectiveLink(const Port& p) const {
  const bool link = links_[link_of_[p.fn()]].link_up;
  if (p.is_pf()) {
    return link;
  }
  switch (p.state().policy.link_state) {
    case policy::LinkState::kEnable:
      return true;
    case policy::LinkState::kDisable:
      return false;
    case policy::LinkState::kAuto:
      break;
  }
  return link;
}

// ---- host policy ----------------------------------------------------------

bool Device::TakenByOther(FnId fn, const MacAddress& mac) const {
  return MacUser(fn, mac, vf_policy_).has_value();
}

bool Device::GetVfPolicy(uint16_t vf, PortPolicy* p) const {
  if (vf >= cfg_.total_vfs) {
    *p = PortPolicy{};
    return false;
  }
  // personality=ixgbe: the guest's PF driver is the author; what its pool
  // registers say is what the switch enforces.
  *p = cfg_.personality == Personality::kIxgbe ? ports_[1 + vf]->state().policy
                                               : vf_policy_[vf];
  return true;
}

std::optional<FnId> Device::MacUser(
    FnId self, const MacAddress& mac,
    const std::vector<PortPolicy>& vf_policies) const {
  for (const auto& q : ports_) {
    const FnId fn = q->fn();
    const MacAddress& pending =
        fn == kPfFn ? q->state().policy.mac : vf_policies[fn - 1].mac;
    if (fn != self && (q->state().mac() == mac || pending == mac)) {
      return fn;
    }
  }
  return std::nullopt;
}

// With personality=ixgbe the guest's PF driver owns VF policy (as on an
// 82599): the host reads it and cannot write it.
static constexpr const char* kIxgbeGuestPolicy =
    "personality=ixgbe: VF policy belongs to the guest's PF driver (ip link "
    "set <pf> vf N ...); the host can only read it";

Status Device::MacInUse(const MacAddress& mac, FnId user) {
  return Status::Invalid("mac " + eth::FormatMac(mac) +
                         " is already used by " +
                         (user == kPfFn ? std::string("the PF")
                                        : "VF " + std::to_string(user - 1)));
}

Status Device::CheckVfPolicy(uint16_t vf, const PortPolicy& p) const {
  if (Status s = policy::Validate(p); !s.ok()) {
    return s;
  }
  if (p.mac != vf_policy_[vf].mac) {
    if (const auto user = MacUser(1 + vf, p.mac, vf_policy_)) {
      return MacInUse(p.mac, *user);
    }
  }
  return Status::Ok();
}

Status Device::SetVfPolicy(uint16_t vf, const PortPolicy& p) {
  if (cfg_.personality == Personality::kIxgbe) {
    return Status::Invalid(kIxgbeGuestPolicy);
  }
  if (vf >= cfg_.total_vfs) {
    return Status::Invalid("VF " + std::to_string(vf) +
                           " does not exist (total-vfs is " +
                           std::to_string(cfg_.total_vfs) + ")");
  }
  Entry e(*this);
  if (e.nested()) {
    return Status::Invalid(std::string("the device is busy"));
  }
  const PortPolicy next = policy::Normalize(vf_policy_[vf], p);
  if (Status s = CheckVfPolicy(vf, next); !s.ok()) {
    return s;
  }
  CommitVfPolicy(vf, next);
  return Status::Ok();
}

Status Device::SetVfSetting(uint16_t vf, const char* setting,
                            const char* value) {
  if (vf >= cfg_.total_vfs) {
    return Status::Invalid("VF " + std::to_string(vf) +
                           " does not exist (total-vfs is " +
                           std::to_string(cfg_.total_vfs) + ")");
  }
  PortPolicy p = vf_policy_[vf];
  if (Status s = policy::SetSetting(setting ? setting : "",
                                    value ? value : "", &p);
      !s.ok()) {
    return s;
  }
  return SetVfPolicy(vf, p);
}

bool Device::GetVfSetting(uint16_t vf, const char* setting,
                          std::string* value) const {
  if (vf >= cfg_.total_vfs) {
    return false;
  }
  *value = policy::GetSetting(setting, cfg_.personality == Personality::kIxgbe
                                           ? ports_[1 + vf]->state().policy
                                           : vf_policy_[vf]);
  return !value->empty();
}

Status Device::ApplyVfSpec(const char* setting, const char* spec) {
  if (cfg_.personality == Personality::kIxgbe) {
    return Status::Invalid(kIxgbeGuestPolicy);
  }
  std::vector<PortPolicy> next = vf_policy_;
  std::vector<uint16_t> changed;
  if (Status s = policy::ApplySpec(setting ? setting : "", spec ? spec : "",
                                   next, &changed);
      !s.ok()) {
    return s;
  }
  // MACs must stay distinct across the whole set: a new MAC may be
  // neither another function's MAC now (its driver may have set one) nor
  // the one its policy gives it at its next reset.
  for (uint16_t vf : changed) {
    if (next[vf].mac == vf_policy_[vf].mac) {
      continue;
    }
    if (const auto user = MacUser(1 + vf, next[vf].mac, next)) {
      return Status::Invalid("VF " + std::to_string(vf) + ": " +
                             MacInUse(next[vf].mac, *user).message());
    }
  }
  Entry e(*this);
  if (e.nested()) {
    return Status::Invalid(std::string("the device is busy"));
  }
  for (uint16_t vf : changed) {
    CommitVfPolicy(vf, next[vf]);
  }
  return Status::Ok();
}

void Device::CommitVfPolicy(uint16_t vf, const PortPolicy& p) {
  const FnId fn = static_cast<FnId>(1 + vf);
  Port& port = *ports_[fn];
  const uint32_t old_rate = vf_policy_[vf].max_tx_rate;
  vf_policy_[vf] = p;
  port.SetPolicy(p);
  port.SetLink(EffectiveLink(port), effects_);
  if (p.max_tx_rate != old_rate) {
    sched_.ConfigureRate(fn, p.max_tx_rate, MaxFrameForRate(),
                         host_.NowNs());
  }
  // Trust, VLAN or link may let held or waiting frames go, or not.
  stale_ = true;
  effects_.ScheduleRun();
}

}  // namespace snic::device
