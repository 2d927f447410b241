// sriov-nic core: VF settings by name.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "settings.h"

#include <string>

namespace snic::policy {

namespace {

enum class Setting { kMac, kVlan, kQos, kSpoofchk, kTrust, kLinkState, kRate };

constexpr struct {
  std::string_view name;
  Setting setting;
} kSettings[] = {
    {"mac", Setting::kMac},          {"vlan", Setting::kVlan},
    {"qos", Setting::kQos},          {"spoofchk", Setting::kSpoofchk},
    {"trust", Setting::kTrust},      {"link-state", Setting::kLinkState},
    {"max-tx-rate", Setting::kRate},
};

bool Lookup(std::string_view s, Setting* out) {
  for (const auto& n : kSettings) {
    if (n.name == s) {
      *out = n.setting;
      return true;
    }
  }
  return false;
}

Status Unknown(std::string_view s) {
  return Status::Invalid("unknown VF setting '" + std::string(s) +
                         "' (mac, vlan, qos, spoofchk, trust, link-state or "
                         "max-tx-rate)");
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

const char* LinkName(LinkState l) {
  switch (l) {
    case LinkState::kAuto:
      return "auto";
    case LinkState::kEnable:
      return "enable";
    case LinkState::kDisable:
      return "disable";
  }
  return "auto";
}

}  // namespace

Status SetSetting(std::string_view setting, std::string_view value,
                  PortPolicy* p) {
  Setting which;
  if (!Lookup(setting, &which)) {
    return Unknown(setting);
  }
  const std::string v(value);
  uint64_t n = 0;
  bool b = false;
  switch (which) {
    case Setting::kMac:
      if (!eth::ParseMac(v.c_str(), &p->mac)) {
        return Status::Invalid("mac '" + v +
                               "' is not a MAC address (xx:xx:xx:xx:xx:xx)");
      }
      return Status::Ok();
    case Setting::kVlan:
      if (!ParseUint(value, kMaxVlan, &n)) {
        return Status::Invalid("vlan must be 0 (none) to 4094, not '" + v +
                               "'");
      }
      if (n == 0) {
        p->qos = 0;  // no VLAN, no priority (as Normalize)
      }
      p->vlan = static_cast<uint16_t>(n);
      return Status::Ok();
    case Setting::kQos:
      if (!ParseUint(value, kMaxQos, &n)) {
        return Status::Invalid("qos must be 0 to 7, not '" + v + "'");
      }
      p->qos = static_cast<uint8_t>(n);
      return Status::Ok();
    case Setting::kSpoofchk:
    case Setting::kTrust:
      if (!ParseBool(value, &b)) {
        return Status::Invalid(std::string(setting) +
                               " must be on or off, not '" + v + "'");
      }
      (which == Setting::kSpoofchk ? p->spoofchk : p->trust) = b;
      return Status::Ok();
    case Setting::kLinkState:
      if (value == "auto") {
        p->link_state = LinkState::kAuto;
      } else if (value == "enable") {
        p->link_state = LinkState::kEnable;
      } else if (value == "disable") {
        p->link_state = LinkState::kDisable;
      } else {
        return Status::Invalid(
            "link-state must be auto, enable or disable, not '" + v + "'");
      }
      return Status::Ok();
    case Setting::kRate:
      if (!ParseUint(value, kMaxTxRateMbps, &n)) {
        return Status::Invalid(
            "max-tx-rate must be a number of Mbit/s from 0 (unlimited) to " +
            std::to_string(kMaxTxRateMbps) + ", not '" + v + "'");
      }
      p->max_tx_rate = static_cast<uint32_t>(n);
      return Status::Ok();
  }
  return Unknown(setting);
}

std::string GetSetting(std::string_view setting, const PortPolicy& p) {
  Setting which;
  if (!Lookup(setting, &which)) {
    return {};
  }
  switch (which) {
    case Setting::kMac:
      return eth::FormatMac(p.mac);
    case Setting::kVlan:
      return std::to_string(p.vlan);
    case Setting::kQos:
      return std::to_string(p.qos);
    case Setting::kSpoofchk:
      return p.spoofchk ? "on" : "off";
    case Setting::kTrust:
      return p.trust ? "on" : "off";
    case Setting::kLinkState:
      return LinkName(p.link_state);
    case Setting::kRate:
      return std::to_string(p.max_tx_rate);
  }
  return {};
}

Status ApplySpec(std::string_view setting, std::string_view spec,
                 std::vector<PortPolicy>& policies,
                 std::vector<uint16_t>* changed) {
  changed->clear();
  Setting which;
  if (!Lookup(setting, &which)) {
    return Unknown(setting);
  }
  const size_t total = policies.size();
  std::vector<bool> touched(total, false);
  std::string_view rest = spec;
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    const std::string_view entry = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{}
                                           : rest.substr(slash + 1);
    const std::string quoted = "'" + std::string(entry) + "': ";
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos) {
      return Status::Invalid(quoted + "expected N=VALUE, N a VF number or '*'");
    }
    const std::string_view who = entry.substr(0, eq);
    const std::string_view value = entry.substr(eq + 1);
    size_t first = 0;
    size_t last = 0;  // exclusive
    if (who == "*") {
      if (which == Setting::kMac && total > 1) {
        return Status::Invalid(quoted + "one MAC cannot be given to every VF");
      }
      last = total;
    } else {
      uint64_t n = 0;
      if (!ParseUint(who, 0xffff, &n)) {
        return Status::Invalid(quoted +
                               "the VF must be a decimal number or '*'");
      }
      if (n >= total) {
        return Status::Invalid(quoted + "VF " + std::to_string(n) +
                               " does not exist (total-vfs is " +
                               std::to_string(total) + ")");
      }
      first = n;
      last = n + 1;
    }
    for (size_t vf = first; vf < last; ++vf) {
      if (Status s = SetSetting(setting, value, &policies[vf]); !s.ok()) {
        return Status::Invalid(quoted + s.message());
      }
      touched[vf] = true;
    }
  }
  for (size_t vf = 0; vf < total; ++vf) {
    if (!touched[vf]) {
      continue;
    }
    if (Status s = Validate(policies[vf]); !s.ok()) {
      return Status::Invalid("VF " + std::to_string(vf) + ": " + s.message());
    }
    changed->push_back(static_cast<uint16_t>(vf));
  }
  return Status::Ok();
}

}  // namespace snic::policy
