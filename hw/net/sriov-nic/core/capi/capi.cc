// sriov-nic core: the C ABI facade (include/sriov_nic/sriov_nic.h).
// Nothing here throws; the core is built with -fno-exceptions.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "../device/device.h"
#include "../ixgbe/layout.h"
#include "../virtio_net/layout.h"
#include "abi_convert.h"
#include "sriov_nic/sriov_nic.h"

struct SnicCore {
  SnicCore(const snic::device::DeviceConfig& cfg, const snic::Host& host,
           const SnicLayout& pf, const SnicLayout& vf)
      : device(cfg, host), pf_layout(pf), vf_layout(vf) {}
  snic::device::Device device;
  // This core's: the personality's, virtio-net's MSI-X table follows
  // queue_pairs.
  SnicLayout pf_layout;
  SnicLayout vf_layout;
};

namespace snic::capi {
namespace {

void SetError(char* err, size_t err_len, const char* msg) {
  if (err != nullptr && err_len > 0) {
    std::snprintf(err, err_len, "%s", msg);
  }
}

bool Report(const Status& s, char* err, size_t err_len) {
  if (!s.ok()) {
    SetError(err, err_len, s.message());
  }
  return s.ok();
}

bool OpsComplete(const SnicHostOps& o) {
  return o.dma_read && o.dma_write && o.dma_read_u16 && o.msix_notify && o.set_intx &&
         o.msix_enabled && o.uplink_send && o.uplink_flush && o.uplink_purge &&
         o.schedule_run && o.timer_arm && o.now_ns && o.log_guest_error;
}

constexpr SnicRegionInfo MakeRegion(const virtio_net::RegionSpec& r) {
  return SnicRegionInfo{r.name, r.offset, r.size, r.cap_type};
}

constexpr SnicRegionInfo kVirtioRegions[] = {
    MakeRegion(virtio_net::kRegions[0]), MakeRegion(virtio_net::kRegions[1]),
    MakeRegion(virtio_net::kRegions[2]), MakeRegion(virtio_net::kRegions[3]),
};
static_assert(std::size(kVirtioRegions) == virtio_net::kNumRegions);

constexpr SnicLayout VirtioLayout(uint16_t queue_pairs) {
  return SnicLayout{
      virtio_net::kBarSize,
      virtio_net::kNumRegions,
      kVirtioRegions,
      virtio_net::MsixVectors(queue_pairs),
      virtio_net::kMsixTableOffset,
      virtio_net::kMsixPbaOffset,
      virtio_net::kNotifyOffMultiplier,
      0,  // the MSI-X table is in BAR 0
      0,
  };
}

// BAR 0 is the register file, one region (ixgbe::kRegionRegs).
constexpr SnicRegionInfo kIxgbePfRegions[] = {
    {"regs", 0, ixgbe::kPfBars.bar0_size, 0}};
constexpr SnicRegionInfo kIxgbeVfRegions[] = {
    {"vf-regs", 0, ixgbe::kVfBars.bar0_size, 0}};
static_assert(ixgbe::kRegionRegs == 0);

constexpr SnicLayout IxgbeLayout(const ixgbe::BarLayout& b,
                                 const SnicRegionInfo* regions) {
  return SnicLayout{
      b.bar0_size,     1, regions, b.msix_vectors, b.msix_table_offset,
      b.msix_pba_offset, 0,       b.msix_bar,     b.msix_bar_size,
  };
}
static_assert(SNIC_IXGBE_MAX_VFS == ixgbe::kMaxVfs);
static_assert(SNIC_PERSONALITY_VIRTIO_NET ==
              static_cast<int>(Personality::kVirtioNet));
static_assert(SNIC_PERSONALITY_IXGBE == static_cast<int>(Personality::kIxgbe));
static_assert(SNIC_MAX_QUEUE_PAIRS == virtio_net::kMaxQueuePairs);
static_assert(SNIC_DEFAULT_QUEUE_PAIRS == virtio_net::kDefaultQueuePairs);

}  // namespace
}  // namespace snic::capi

using snic::capi::Report;
using snic::capi::SetError;

extern "C" {

SnicCore* snic_core_new(const SnicConfig* cfg, const SnicHostOps* ops,
                        void* opaque, char* err, size_t err_len) {
  if (cfg == nullptr || ops == nullptr || !snic::capi::OpsComplete(*ops)) {
    SetError(err, err_len, "internal error: incomplete core configuration");
    return nullptr;
  }
  if (cfg->personality != SNIC_PERSONALITY_VIRTIO_NET &&
      cfg->personality != SNIC_PERSONALITY_IXGBE) {
    const std::string msg =
        "personality " + std::to_string(static_cast<unsigned long>(cfg->personality)) +
        " is not known (0: virtio-net, 1: ixgbe)";
    SetError(err, err_len, msg.c_str());
    return nullptr;
  }
  snic::device::DeviceConfig dc;
  dc.personality = static_cast<snic::Personality>(cfg->personality);
  dc.total_vfs = cfg->total_vfs;
  std::memcpy(dc.pf_mac.data(), cfg->pf_mac, 6);
  dc.mtu = cfg->mtu;
  dc.speed = cfg->speed ? cfg->speed : SNIC_DEFAULT_SPEED;
  dc.offloads = !cfg->no_offloads;
  dc.queue_size = cfg->queue_size;
  dc.queue_pairs =
      cfg->queue_pairs ? cfg->queue_pairs : SNIC_DEFAULT_QUEUE_PAIRS;
  dc.packed = cfg->packed;
  if (cfg->num_vf_netdevs > 0) {
    if (cfg->vf_netdevs == nullptr) {
      SetError(err, err_len, "vf_netdevs is NULL");
      return nullptr;
    }
    if (!snic::Host(*ops, opaque).HasLinkOps()) {
      SetError(err, err_len,
               "VF netdevs need the link_send, link_flush and link_purge "
               "host operations");
      return nullptr;
    }
    dc.vf_netdevs.assign(cfg->vf_netdevs,
                         cfg->vf_netdevs + cfg->num_vf_netdevs);
  }
  if (!Report(dc.Validate(), err, err_len)) {
    return nullptr;
  }
  SnicLayout pf = snic::capi::VirtioLayout(dc.queue_pairs);
  SnicLayout vf = pf;
  if (dc.personality == snic::Personality::kIxgbe) {
    pf = snic::capi::IxgbeLayout(snic::ixgbe::kPfBars,
                                 snic::capi::kIxgbePfRegions);
    vf = snic::capi::IxgbeLayout(snic::ixgbe::kVfBars,
                                 snic::capi::kIxgbeVfRegions);
  }
  auto* core =
      new (std::nothrow) SnicCore(dc, snic::Host(*ops, opaque), pf, vf);
  if (core == nullptr) {
    SetError(err, err_len, "out of memory");
  }
  return core;
}

void snic_core_free(SnicCore* core) { delete core; }

const SnicLayout* snic_core_layout(const SnicCore* core) {
  return &core->pf_layout;
}

const SnicLayout* snic_core_vf_layout(const SnicCore* core) {
  return &core->vf_layout;
}

void snic_core_reset_function(SnicCore* core, SnicFn fn) {
  core->device.ResetFunction(fn);
}

void snic_core_set_bus_master(SnicCore* core, SnicFn fn, bool on) {
  core->device.SetBusMaster(fn, on);
}

void snic_core_set_num_vfs(SnicCore* core, uint16_t num_vfs) {
  core->device.SetNumVfs(num_vfs);
}

uint16_t snic_core_num_vfs(const SnicCore* core) {
  return core->device.num_vfs();
}

bool snic_core_function_enabled(const SnicCore* core, SnicFn fn) {
  return core->device.ValidFn(fn) && core->device.port(fn).state().enabled;
}

bool snic_core_mmio_read(SnicCore* core, SnicFn fn, uint32_t region,
                         uint64_t offset, unsigned size, uint64_t* value) {
  return core->device.MmioRead(fn, region, offset, size, value);
}

bool snic_core_mmio_write(SnicCore* core, SnicFn fn, uint32_t region,
                          uint64_t offset, uint64_t value, unsigned size) {
  return core->device.MmioWrite(fn, region, offset, value, size);
}

bool snic_core_run(SnicCore* core) { return core->device.Run(); }

void snic_core_timer(SnicCore* core) { core->device.Timer(); }

bool snic_core_uplink_can_receive(SnicCore* core) {
  return core->device.UplinkCanReceive();
}

size_t snic_core_uplink_receive(SnicCore* core, const uint8_t* frame,
                                size_t len) {
  return core->device.UplinkReceive(frame, len);
}

bool snic_core_set_uplink_vnet_hdr(SnicCore* core, bool uso) {
  return core->device.SetUplinkVnetHdr(uso);
}

size_t snic_core_uplink_receive_hdr(SnicCore* core, const SnicNetHdr* hdr,
                                    const uint8_t* frame, size_t len) {
  return core->device.UplinkReceiveHdr(snic::capi::FromC(*hdr), frame, len);
}

void snic_core_uplink_send_done(SnicCore* core) {
  core->device.UplinkSendDone();
}

void snic_core_set_uplink_link(SnicCore* core, bool up) {
  core->device.SetUplinkLink(up);
}

bool snic_core_link_can_receive(SnicCore* core, uint16_t link) {
  return core->device.LinkCanReceive(link);
}

size_t snic_core_link_receive(SnicCore* core, uint16_t link,
                              const uint8_t* frame, size_t len) {
  return core->device.LinkReceive(link, frame, len);
}

size_t snic_core_link_receive_hdr(SnicCore* core, uint16_t link,
                                  const SnicNetHdr* hdr, const uint8_t* frame,
                                  size_t len) {
  return core->device.LinkReceiveHdr(link, snic::capi::FromC(*hdr), frame,
                                     len);
}

void snic_core_link_send_done(SnicCore* core, uint16_t link) {
  core->device.LinkSendDone(link);
}

bool snic_core_set_link_vnet_hdr(SnicCore* core, uint16_t link, bool uso) {
  return core->device.SetLinkVnetHdr(link, uso);
}

void snic_core_set_link_up(SnicCore* core, uint16_t link, bool up) {
  core->device.SetLinkUp(link, up);
}

bool snic_core_get_stats(const SnicCore* core, SnicFn fn, SnicStats* stats) {
  if (!core->device.ValidFn(fn)) {
    std::memset(stats, 0, sizeof(*stats));
    return false;
  }
  *stats = snic::capi::ToC(core->device.port(fn).stats());
  return true;
}

void snic_core_get_uplink_stats(const SnicCore* core, SnicUplinkStats* stats) {
  *stats = snic::capi::ToC(core->device.uplink_stats());
}

bool snic_core_get_link_stats(const SnicCore* core, uint16_t link,
                              SnicUplinkStats* stats) {
  if (!core->device.ValidLink(link)) {
    *stats = SnicUplinkStats{};
    return false;
  }
  *stats = snic::capi::ToC(core->device.link_stats(link));
  return true;
}

bool snic_core_set_vf_policy(SnicCore* core, uint16_t vf,
                             const SnicVfPolicy* policy, char* err,
                             size_t err_len) {
  if (core == nullptr || policy == nullptr) {
    SetError(err, err_len, "internal error: no core or policy");
    return false;
  }
  return Report(core->device.SetVfPolicy(vf, snic::capi::FromC(*policy)), err,
                err_len);
}

bool snic_core_get_vf_policy(const SnicCore* core, uint16_t vf,
                             SnicVfPolicy* policy) {
  snic::policy::PortPolicy p;
  const bool ok = core != nullptr && core->device.GetVfPolicy(vf, &p);
  *policy = ok ? snic::capi::ToC(p) : SnicVfPolicy{};
  return ok;
}

bool snic_core_set_vf_setting(SnicCore* core, uint16_t vf, const char* setting,
                              const char* value, char* err, size_t err_len) {
  if (core == nullptr) {
    SetError(err, err_len, "internal error: no core");
    return false;
  }
  return Report(core->device.SetVfSetting(vf, setting, value), err, err_len);
}

bool snic_core_get_vf_setting(const SnicCore* core, uint16_t vf,
                              const char* setting, char* buf, size_t len) {
  std::string v;
  const bool ok = core != nullptr && setting != nullptr &&
                  core->device.GetVfSetting(vf, setting, &v);
  SetError(buf, len, ok ? v.c_str() : "");
  return ok;
}

bool snic_core_apply_vf_spec(SnicCore* core, const char* setting,
                             const char* spec, char* err, size_t err_len) {
  if (core == nullptr) {
    SetError(err, err_len, "internal error: no core");
    return false;
  }
  return Report(core->device.ApplyVfSpec(setting, spec), err, err_len);
}

size_t snic_core_save_state(SnicCore* core, uint8_t** buf) {
  std::vector<uint8_t> state;
  core->device.SaveState(&state);
  auto* out = static_cast<uint8_t*>(std::malloc(state.size()));
  if (out == nullptr) {
    *buf = nullptr;
    return 0;
  }
  std::memcpy(out, state.data(), state.size());
  *buf = out;
  return state.size();
}

bool snic_core_load_state(SnicCore* core, const uint8_t* buf, size_t len,
                          char* err, size_t err_len) {
  if (core == nullptr || (buf == nullptr && len != 0)) {
    SetError(err, err_len, "internal error: no core or state");
    return false;
  }
  return Report(core->device.LoadState(buf, len), err, err_len);
}

void snic_core_set_running(SnicCore* core, bool running) {
  core->device.SetRunning(running);
}

void snic_core_announce(SnicCore* core) { core->device.Announce(); }

}  // extern "C"
