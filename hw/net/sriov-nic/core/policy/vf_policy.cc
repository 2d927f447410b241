// sriov-nic core: host-administered per-VF policy.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "vf_policy.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

namespace snic::policy {

VfPolicy PfPolicy(const net::MacAddress& mac) {
  VfPolicy p;
  p.mac = mac;
  p.spoofchk = false;
  p.trust = true;
  return p;
}

std::string FormatMac(const net::MacAddress& mac) {
  char buf[18];
  std::snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
                mac[1], mac[2], mac[3], mac[4], mac[5]);
  return buf;
}

std::string Validate(const VfPolicy& p) {
  if (net::IsMulticast(p.mac.data())) {
    return "mac must be a unicast address, not " + FormatMac(p.mac);
  }
  if (p.mac == net::MacAddress{}) {
    return "mac must not be 00:00:00:00:00:00";
  }
  if (p.vlan > kMaxVlan) {
    return "vlan must be 0 (none) to 4094, not " + std::to_string(p.vlan);
  }
  if (p.qos > kMaxQos) {
    return "qos must be 0 to 7, not " + std::to_string(p.qos);
  }
  if (p.qos != 0 && p.vlan == 0) {
    // As `ip link set ... vf N vlan 0 qos 3`: the priority lives in the
    // port VLAN tag, so there is nothing to put it in.
    return "qos " + std::to_string(p.qos) +
           " needs a port VLAN (vlan is 0): set qos to 0 or choose a vlan";
  }
  if (p.link_state != SNIC_LINK_AUTO && p.link_state != SNIC_LINK_ENABLE &&
      p.link_state != SNIC_LINK_DISABLE) {
    return "link-state must be auto, enable or disable";
  }
  if (p.max_tx_rate > kMaxTxRateMbps) {
    return "max-tx-rate must be 0 (unlimited) to " +
           std::to_string(kMaxTxRateMbps) + " Mbit/s, not " +
           std::to_string(p.max_tx_rate);
  }
  return {};
}

VfPolicy Normalize(const VfPolicy& cur, const VfPolicy& next) {
  VfPolicy p = next;
  if (cur.vlan != 0 && p.vlan == 0 && p.qos == cur.qos) {
    p.qos = 0;
  }
  return p;
}

namespace {

enum class Setting { kMac, kVlan, kQos, kSpoofchk, kTrust, kLinkState, kRate };

bool ParseSetting(std::string_view s, Setting* out) {
  static constexpr struct {
    std::string_view name;
    Setting setting;
  } kNames[] = {
      {"mac", Setting::kMac},          {"vlan", Setting::kVlan},
      {"qos", Setting::kQos},          {"spoofchk", Setting::kSpoofchk},
      {"trust", Setting::kTrust},      {"link-state", Setting::kLinkState},
      {"max-tx-rate", Setting::kRate},
  };
  for (const auto& n : kNames) {
    if (n.name == s) {
      *out = n.setting;
      return true;
    }
  }
  return false;
}

// Decimal, no sign, at most @max.
bool ParseUint(std::string_view s, uint64_t max, uint64_t* out) {
  if (s.empty() || s.size() > 10) {
    return false;
  }
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return false;
    }
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > max) {
    return false;
  }
  *out = v;
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseMac(std::string_view s, net::MacAddress* out) {
  if (s.size() != 17) {
    return false;
  }
  for (size_t i = 0; i < 6; ++i) {
    const int hi = HexDigit(s[3 * i]);
    const int lo = HexDigit(s[3 * i + 1]);
    if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':')) {
      return false;
    }
    (*out)[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

bool ParseBool(std::string_view s, bool* out) {
  if (s == "on" || s == "true" || s == "yes") {
    *out = true;
    return true;
  }
  if (s == "off" || s == "false" || s == "no") {
    *out = false;
    return true;
  }
  return false;
}

// Sets @setting of @p from @value; empty or an error message.
std::string SetValue(Setting setting, std::string_view value, VfPolicy& p) {
  uint64_t n = 0;
  bool b = false;
  switch (setting) {
    case Setting::kMac:
      if (!ParseMac(value, &p.mac)) {
        return "a MAC address is xx:xx:xx:xx:xx:xx";
      }
      return {};
    case Setting::kVlan:
      if (!ParseUint(value, 0xffff, &n)) {
        return "vlan must be 0 (none) to 4094";
      }
      if (n == 0) {
        p.qos = 0;  // no VLAN, no priority (Normalize)
      }
      p.vlan = static_cast<uint16_t>(n);
      return {};
    case Setting::kQos:
      if (!ParseUint(value, 0xff, &n)) {
        return "qos must be 0 to 7";
      }
      p.qos = static_cast<uint8_t>(n);
      return {};
    case Setting::kSpoofchk:
    case Setting::kTrust:
      if (!ParseBool(value, &b)) {
        return "expected on or off";
      }
      (setting == Setting::kSpoofchk ? p.spoofchk : p.trust) = b;
      return {};
    case Setting::kLinkState:
      if (value == "auto") {
        p.link_state = SNIC_LINK_AUTO;
      } else if (value == "enable") {
        p.link_state = SNIC_LINK_ENABLE;
      } else if (value == "disable") {
        p.link_state = SNIC_LINK_DISABLE;
      } else {
        return "link-state must be auto, enable or disable";
      }
      return {};
    case Setting::kRate:
      if (!ParseUint(value, 0xffffffff, &n)) {
        return "max-tx-rate must be a number of Mbit/s (0 = unlimited)";
      }
      p.max_tx_rate = static_cast<uint32_t>(n);
      return {};
  }
  return "internal error: unknown setting";
}

}  // namespace

std::string ApplyVfSpec(const char* setting, const char* spec,
                        std::vector<VfPolicy>& policies,
                        std::vector<uint16_t>* changed) {
  changed->clear();
  Setting which;
  if (setting == nullptr || !ParseSetting(setting, &which)) {
    return std::string("unknown VF setting '") +
           (setting != nullptr ? setting : "") +
           "' (mac, vlan, qos, spoofchk, trust, link-state or max-tx-rate)";
  }
  if (spec == nullptr) {
    return {};
  }
  const size_t total = policies.size();
  std::vector<bool> touched(total, false);
  std::string_view rest(spec);
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    const std::string_view entry = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{}
                                           : rest.substr(slash + 1);
    const std::string quoted = "'" + std::string(entry) + "': ";
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos) {
      return quoted + "expected N=VALUE, N a VF number or '*'";
    }
    const std::string_view who = entry.substr(0, eq);
    const std::string_view value = entry.substr(eq + 1);
    uint16_t first = 0;
    uint16_t last = 0;  // exclusive
    if (who == "*") {
      if (which == Setting::kMac && total > 1) {
        return quoted + "one MAC cannot be given to every VF";
      }
      last = static_cast<uint16_t>(total);
    } else {
      uint64_t n = 0;
      if (!ParseUint(who, 0xffff, &n)) {
        return quoted + "the VF must be a decimal number or '*'";
      }
      if (n >= total) {
        return quoted + "VF " + std::to_string(n) +
               " does not exist (total-vfs is " + std::to_string(total) + ")";
      }
      first = static_cast<uint16_t>(n);
      last = static_cast<uint16_t>(n + 1);
    }
    for (uint16_t vf = first; vf < last; ++vf) {
      if (std::string e = SetValue(which, value, policies[vf]); !e.empty()) {
        return quoted + e;
      }
      touched[vf] = true;
    }
  }
  for (uint16_t vf = 0; vf < total; ++vf) {
    if (!touched[vf]) {
      continue;
    }
    if (std::string e = Validate(policies[vf]); !e.empty()) {
      return "VF " + std::to_string(vf) + ": " + e;
    }
    changed->push_back(vf);
  }
  return {};
}

}  // namespace snic::policy
