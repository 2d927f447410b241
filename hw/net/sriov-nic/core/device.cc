// sriov-nic core: the device as a whole (PF + VFs).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "device.h"

#include <cstdio>

namespace snic {

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
    : cfg_(cfg), host_(host), functions_(1 + cfg.total_vfs) {
  functions_[SNIC_FN_PF].enabled = true;
  functions_[SNIC_FN_PF].mac = cfg.pf_mac;
  for (uint16_t vf = 0; vf < cfg.total_vfs; ++vf) {
    functions_[1 + vf].mac = DefaultVfMac(cfg.pf_mac, vf);
  }
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
    FunctionState& f = functions_[1 + vf];
    const bool want = vf < n;
    if (f.enabled != want) {
      ResetFunction(1 + vf);
      f.enabled = want;
    }
  }
  num_vfs_ = n;
}

void Device::ResetFunction(SnicFn fn) {
  if (!ValidFn(fn)) {
    return;
  }
  functions_[fn].resets++;
}

uint64_t Device::MmioRead(SnicFn fn, SnicRegion region, uint64_t offset,
                          unsigned size) {
  (void)region;
  (void)offset;
  (void)size;
  if (!ValidFn(fn) || !functions_[fn].enabled) {
    return 0;
  }
  return 0;
}

void Device::MmioWrite(SnicFn fn, SnicRegion region, uint64_t offset,
                       uint64_t value, unsigned size) {
  (void)value;
  if (!ValidFn(fn) || !functions_[fn].enabled) {
    return;
  }
  char msg[96];
  std::snprintf(msg, sizeof(msg),
                "write to region %d offset 0x%llx size %u not implemented",
                static_cast<int>(region),
                static_cast<unsigned long long>(offset), size);
  host_.Unimplemented(fn, msg);
}

}  // namespace snic
