// sriov-nic core: the C ABI facade (include/sriov_nic/sriov_nic.h).
// Nothing here throws; the core is built with -fno-exceptions.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "device.h"
#include "sriov_nic/sriov_nic.h"

struct SnicCore {
  SnicCore(const snic::DeviceConfig& cfg, const snic::Host& host)
      : device(cfg, host) {}
  snic::Device device;
};

namespace {

void SetError(char* err, size_t err_len, const std::string& msg) {
  if (err != nullptr && err_len > 0) {
    std::snprintf(err, err_len, "%s", msg.c_str());
  }
}

bool OpsComplete(const SnicHostOps& o) {
  return o.dma_read && o.dma_write && o.msix_notify && o.set_intx &&
         o.msix_enabled && o.uplink_send && o.uplink_flush && o.schedule_run &&
         o.timer_arm && o.now_ns && o.log_guest_error && o.log_unimp;
}

}  // namespace

extern "C" {

SnicCore* snic_core_new(const SnicConfig* cfg, const SnicHostOps* ops,
                        void* opaque, char* err, size_t err_len) {
  if (cfg == nullptr || ops == nullptr || !OpsComplete(*ops)) {
    SetError(err, err_len, "internal error: incomplete core configuration");
    return nullptr;
  }
  snic::DeviceConfig dc;
  dc.total_vfs = cfg->total_vfs;
  std::memcpy(dc.pf_mac.data(), cfg->pf_mac, 6);
  dc.mtu = cfg->mtu;
  dc.queue_size = cfg->queue_size;
  if (std::string msg = dc.Validate(); !msg.empty()) {
    SetError(err, err_len, msg);
    return nullptr;
  }
  auto* core = new (std::nothrow) SnicCore(dc, snic::Host(*ops, opaque));
  if (core == nullptr) {
    SetError(err, err_len, "out of memory");
  }
  return core;
}

void snic_core_free(SnicCore* core) { delete core; }

uint16_t snic_core_num_functions(const SnicCore* core) {
  return core->device.num_functions();
}

void snic_core_reset_function(SnicCore* core, SnicFn fn) {
  core->device.ResetFunction(fn);
}

void snic_core_set_num_vfs(SnicCore* core, uint16_t num_vfs) {
  core->device.SetNumVfs(num_vfs);
}

uint16_t snic_core_num_vfs(const SnicCore* core) {
  return core->device.num_vfs();
}

bool snic_core_function_enabled(const SnicCore* core, SnicFn fn) {
  return core->device.ValidFn(fn) && core->device.function(fn).enabled();
}

uint64_t snic_core_mmio_read(SnicCore* core, SnicFn fn, SnicRegion region,
                             uint64_t offset, unsigned size) {
  return core->device.MmioRead(fn, region, offset, size);
}

void snic_core_mmio_write(SnicCore* core, SnicFn fn, SnicRegion region,
                          uint64_t offset, uint64_t value, unsigned size) {
  core->device.MmioWrite(fn, region, offset, value, size);
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

void snic_core_uplink_send_done(SnicCore* core) {
  core->device.UplinkSendDone();
}

void snic_core_set_uplink_link(SnicCore* core, bool up) {
  core->device.SetUplinkLink(up);
}

void snic_core_get_mac(const SnicCore* core, SnicFn fn, uint8_t mac[6]) {
  if (!core->device.ValidFn(fn)) {
    std::memset(mac, 0, 6);
    return;
  }
  std::memcpy(mac, core->device.function(fn).mac().data(), 6);
}

bool snic_core_set_vf_mac(SnicCore* core, uint16_t vf, const uint8_t mac[6]) {
  snic::MacAddress m;
  std::memcpy(m.data(), mac, 6);
  return core->device.SetVfMac(vf, m);
}

bool snic_core_get_stats(const SnicCore* core, SnicFn fn, SnicStats* stats) {
  if (!core->device.ValidFn(fn)) {
    std::memset(stats, 0, sizeof(*stats));
    return false;
  }
  *stats = core->device.function(fn).stats();
  return true;
}

namespace {

snic::policy::VfPolicy FromC(const SnicVfPolicy& c) {
  snic::policy::VfPolicy p;
  std::memcpy(p.mac.data(), c.mac, 6);
  p.vlan = c.vlan;
  p.qos = c.qos;
  p.spoofchk = c.spoofchk;
  p.trust = c.trust;
  p.link_state = c.link_state;
  p.max_tx_rate = c.max_tx_rate;
  return p;
}

SnicVfPolicy ToC(const snic::policy::VfPolicy& p) {
  SnicVfPolicy c{};
  std::memcpy(c.mac, p.mac.data(), 6);
  c.vlan = p.vlan;
  c.qos = p.qos;
  c.spoofchk = p.spoofchk;
  c.trust = p.trust;
  c.link_state = p.link_state;
  c.max_tx_rate = p.max_tx_rate;
  return c;
}

}  // namespace

bool snic_core_set_vf_policy(SnicCore* core, uint16_t vf,
                             const SnicVfPolicy* policy, char* err,
                             size_t err_len) {
  if (core == nullptr || policy == nullptr) {
    SetError(err, err_len, "internal error: no core or policy");
    return false;
  }
  std::string msg;
  if (!core->device.SetVfPolicy(vf, FromC(*policy), &msg)) {
    SetError(err, err_len, msg);
    return false;
  }
  return true;
}

bool snic_core_get_vf_policy(const SnicCore* core, uint16_t vf,
                             SnicVfPolicy* policy) {
  snic::policy::VfPolicy p;
  const bool ok = core != nullptr && core->device.GetVfPolicy(vf, &p);
  *policy = ok ? ToC(p) : SnicVfPolicy{};
  return ok;
}

bool snic_core_apply_vf_spec(SnicCore* core, const char* setting,
                             const char* spec, char* err, size_t err_len) {
  if (core == nullptr) {
    SetError(err, err_len, "internal error: no core");
    return false;
  }
  std::string msg;
  if (!core->device.ApplyVfSpec(setting, spec, &msg)) {
    SetError(err, err_len, msg);
    return false;
  }
  return true;
}

bool snic_core_get_uplink_stats(const SnicCore* core, SnicStats* stats) {
  *stats = core->device.uplink_stats().ToSnicStats();
  return true;
}

}  // extern "C"
