// sriov-nic core: Ethernet frames.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "frame.h"

#include <cstdio>
#include <cstring>

namespace snic::eth {

std::string FormatMac(const MacAddress& mac) {
  char buf[18];
  std::snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
                mac[1], mac[2], mac[3], mac[4], mac[5]);
  return buf;
}

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool ParseMac(const char* s, MacAddress* out) {
  if (s == nullptr || std::strlen(s) != 17) {
    return false;
  }
  MacAddress m;
  for (size_t i = 0; i < 6; ++i) {
    const int hi = HexDigit(s[3 * i]);
    const int lo = HexDigit(s[3 * i + 1]);
    if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':')) {
      return false;
    }
    m[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  *out = m;
  return true;
}

std::optional<EthView> EthView::Parse(const uint8_t* frame, size_t len) {
  if (len < kHeaderLen) {
    return std::nullopt;
  }
  EthView v;
  v.dst = frame;
  v.src = frame + 6;
  const uint16_t type = LoadBe16(frame + 12);
  if ((type == kTpid8021Q || type == kTpid8021AD) &&
      len >= kHeaderLen + kVlanTagLen) {
    v.tpid = type;
    v.tci = LoadBe16(frame + 14);
  }
  return v;
}

size_t Tag(const uint8_t* frame, size_t len, uint16_t tci, uint8_t* out) {
  std::memcpy(out, frame, 12);
  StoreBe16(out + 12, kTpid8021Q);
  StoreBe16(out + 14, tci);
  std::memcpy(out + 16, frame + 12, len - 12);
  return len + kVlanTagLen;
}

size_t Untag(const uint8_t* frame, size_t len, uint8_t* out) {
  std::memcpy(out, frame, 12);
  std::memcpy(out + 12, frame + 16, len - 16);
  return len - kVlanTagLen;
}

size_t BuildRarp(const MacAddress& mac, uint8_t* out) {
  std::memset(out, 0, 60);
  std::memset(out, 0xff, 6);
  std::memcpy(out + 6, mac.data(), 6);
  StoreBe16(out + 12, 0x8035);  // RARP
  StoreBe16(out + 14, 1);       // hardware: Ethernet
  StoreBe16(out + 16, 0x0800);  // protocol: IPv4
  out[18] = 6;
  out[19] = 4;
  StoreBe16(out + 20, 3);  // RARP request
  std::memcpy(out + 22, mac.data(), 6);
  std::memcpy(out + 32, mac.data(), 6);
  return 60;
}

}  // namespace snic::eth
