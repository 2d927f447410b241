// sriov-nic core: the Intel 82599 PF's EEPROM image (see eeprom.h).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "eeprom.h"

#include "regs.h"

namespace snic::ixgbe {
namespace {

constexpr uint16_t kAbsent = 0xFFFF;
// ixgbe_calc_eeprom_checksum_generic: IXGBE_PCIE_ANALOG_PTR .. IXGBE_FW_PTR.
constexpr uint16_t kFirstSectionPtr = 0x03;
constexpr uint16_t kFwPtr = 0x0F;
constexpr uint16_t kOromPtr = 0x17;
constexpr uint16_t kOemProdVerPtr = 0x1B;
constexpr uint16_t kEtsCfg = 0x26;
constexpr uint16_t kAltSanMacBlkPtr = 0x27;
constexpr uint16_t kSanMacAddrPtr = 0x28;
constexpr uint16_t kDeviceCaps = 0x2C;
constexpr uint16_t kEtkLow = 0x2D;
constexpr uint16_t kEtkHigh = 0x2E;
constexpr uint16_t kEtrackId = 0x0001;  // 0x2E with NVM_ETK_VALID: 0x00018000

}  // namespace

Eeprom::Eeprom(const uint8_t (&mac)[6]) {
  words_.fill(0);
  for (int i = 0; i < 3; ++i) {
    words_[i] = static_cast<uint16_t>(mac[2 * i] | (mac[2 * i + 1] << 8));
  }
  for (uint16_t p = kFirstSectionPtr; p <= kFwPtr; ++p) words_[p] = kAbsent;
  words_[kPbaGuardWord] = kPbaGuard;
  words_[kPbaPtrWord] = kPbaBlock;
  words_[kOromPtr] = kAbsent;
  words_[kOemProdVerPtr] = kAbsent;
  words_[kEtsCfg] = kAbsent;
  words_[kAltSanMacBlkPtr] = kAbsent;
  words_[kSanMacAddrPtr] = kAbsent;
  words_[kDeviceCaps] = 0;
  words_[kEtkLow] = kEtrackId;
  words_[kEtkHigh] = 0x8000;  // NVM_ETK_VALID
  // PBA block: the length word counts itself (the driver reads length - 1
  // words of two chars each).
  constexpr uint16_t kPbaChars = sizeof(kPbaString) - 1;
  static_assert(kPbaChars % 2 == 0 && kPbaBlock + 1 + kPbaChars / 2 < kWords);
  words_[kPbaBlock] = kPbaChars / 2 + 1;
  for (uint16_t i = 0; i < kPbaChars / 2; ++i) {
    words_[kPbaBlock + 1 + i] = static_cast<uint16_t>(
        (static_cast<uint8_t>(kPbaString[2 * i]) << 8) |
        static_cast<uint8_t>(kPbaString[2 * i + 1]));
  }
  UpdateChecksum();
}

bool Eeprom::SetWord(uint32_t addr, uint16_t data) {
  if (addr >= kWords) return false;
  words_[addr] = data;
  return true;
}

void Eeprom::Mac(uint8_t (&mac)[6]) const {
  for (int i = 0; i < 3; ++i) {
    mac[2 * i] = static_cast<uint8_t>(words_[i]);
    mac[2 * i + 1] = static_cast<uint8_t>(words_[i] >> 8);
  }
}

uint16_t Eeprom::ComputeChecksum() const {
  uint16_t sum = 0;
  for (uint16_t i = 0; i < kChecksumWord; ++i) sum += words_[i];
  for (uint16_t p = kFirstSectionPtr; p < kFwPtr; ++p) {
    const uint16_t ptr = words_[p];
    if (ptr == 0 || ptr == kAbsent) continue;
    const uint16_t len = Word(ptr);
    if (len == 0 || len == kAbsent) continue;
    for (uint32_t j = ptr + 1u; j <= uint32_t{ptr} + len; ++j) sum += Word(j);
  }
  return static_cast<uint16_t>(kChecksumTarget - sum);
}

uint32_t Eeprom::EecResetValue() {
  static_assert(kWords == 1u << (1 + reg::EEPROM_WORD_SIZE_SHIFT));
  return reg::EEC_PRES | reg::EEC_ARD | (1u << reg::EEC_SIZE_SHIFT);
}

bool EepromPort::WriteEerd(uint32_t value) {
  if (!(value & reg::EEPROM_RW_REG_START)) return true;
  const uint32_t addr = (value >> reg::EEPROM_RW_ADDR_SHIFT) &
                        reg::EERD_MAX_ADDR;
  eerd_ = (uint32_t{eeprom_->Word(addr)} << reg::EEPROM_RW_REG_DATA) |
          (addr << reg::EEPROM_RW_ADDR_SHIFT) | reg::EEPROM_RW_REG_DONE;
  return addr < Eeprom::kWords;
}

bool EepromPort::WriteEewr(uint32_t value) {
  if (!(value & reg::EEPROM_RW_REG_START)) return true;
  const uint32_t addr = (value >> reg::EEPROM_RW_ADDR_SHIFT) &
                        reg::EERD_MAX_ADDR;
  const bool ok = eeprom_->SetWord(
      addr, static_cast<uint16_t>(value >> reg::EEPROM_RW_REG_DATA));
  eewr_ = (value & ~reg::EEPROM_RW_REG_START) | reg::EEPROM_RW_REG_DONE;
  return ok;
}

// ---- migration ----

void Eeprom::Encode(migration::Encoder& e) const {
  for (uint16_t w : words_) e.U16(w);
}

void Eeprom::Decode(migration::Decoder& d) {
  std::array<uint16_t, kWords> words{};
  for (uint16_t& w : words) w = d.U16("eeprom word");
  if (d.ok()) words_ = words;  // any word: EEWR writes any
}

void EepromPort::Encode(migration::Encoder& e) const {
  e.U32(eerd_);
  e.U32(eewr_);
}

void EepromPort::Decode(migration::Decoder& d) {
  const uint32_t eerd = d.U32("eerd");
  const uint32_t eewr = d.U32("eewr");
  if (d.ok()) {
    eerd_ = eerd;  // an address and the data read there: any value
    eewr_ = eewr;
  }
}

}  // namespace snic::ixgbe
