// sriov-nic core: the Intel 82599 PF's EEPROM (NVM) image and its EERD/EEWR
// word interface.
//
// What ixgbe reads, and so what the image must satisfy:
// - EEC.PRES/ARD set and EEC.SIZE = log2(words) - 6
//   (ixgbe_init_eeprom_params_generic); else it bit-bangs SPI.
// - Words 0x00..0x3E plus every section behind pointers 0x03..0x0E sum with
//   word 0x3F to 0xBABA (ixgbe_calc_eeprom_checksum_generic, fatal in
//   ixgbe_probe if wrong). Our pointers are 0xFFFF (no section).
// - PBA number in string format: word 0x15 = 0xFAFA guard, word 0x16 points
//   at a block {length in words, chars...} (ixgbe_read_pba_string_generic).
// - SAN MAC (0x28), alt. SAN/WWN block (0x27), option ROM (0x17), OEM
//   version (0x1B), ETS (0x26): 0xFFFF = absent. ETrack ID at 0x2D/0x2E.
// - Our own convention (no driver reads it from the NVM): words 0..2 hold
//   the permanent MAC, little-endian byte pairs, loaded into RAL0/RAH0 at
//   every reset (ixgbe_get_mac_addr_generic reads RAR0 after reset_hw).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_IXGBE_EEPROM_H
#define SNIC_CORE_IXGBE_EEPROM_H

#include <array>
#include <cstdint>

#include "../migration/stream.h"

namespace snic::ixgbe {

class Eeprom {
 public:
  static constexpr uint32_t kWords = 128;  // EEC.SIZE = 1
  static constexpr uint16_t kChecksumWord = 0x3F;  // IXGBE_EEPROM_CHECKSUM
  static constexpr uint16_t kChecksumTarget = 0xBABA;  // IXGBE_EEPROM_SUM
  static constexpr uint16_t kPbaGuardWord = 0x15;      // IXGBE_PBANUM0_PTR
  static constexpr uint16_t kPbaPtrWord = 0x16;        // IXGBE_PBANUM1_PTR
  static constexpr uint16_t kPbaBlock = 0x40;
  static constexpr uint16_t kPbaGuard = 0xFAFA;  // IXGBE_PBANUM_PTR_GUARD
  static constexpr char kPbaString[] = "SNIC00-000";  // 10 chars

  // An image for permanent MAC @mac, checksum valid.
  explicit Eeprom(const uint8_t (&mac)[6]);

  // The word at @addr; 0xFFFF past the image (an erased part).
  uint16_t Word(uint32_t addr) const {
    return addr < kWords ? words_[addr] : 0xFFFF;
  }
  // Stores @data at @addr (EEWR); false if out of range. The checksum is
  // the writer's business (ixgbe_update_eeprom_checksum_generic).
  bool SetWord(uint32_t addr, uint16_t data);
  void Mac(uint8_t (&mac)[6]) const;

  // Word 0x3F as ixgbe_calc_eeprom_checksum_generic computes it.
  uint16_t ComputeChecksum() const;
  // Recomputes word 0x3F (used by the constructor and by tests that edit).
  void UpdateChecksum() { words_[kChecksumWord] = ComputeChecksum(); }

  // EEC at reset: PRES | ARD | SIZE (word count 1 << (SIZE + 6)).
  static uint32_t EecResetValue();

  // Migration: every word (EEWR may have changed any).
  void Encode(migration::Encoder& e) const;
  void Decode(migration::Decoder& d);

 private:
  std::array<uint16_t, kWords> words_{};
};

// The EERD/EEWR "start, poll DONE, read data" protocol (82599 datasheet
// 8.2.3.2.2; ixgbe_read_eerd_buffer_generic, ixgbe_poll_eerd_eewr_done).
// The access completes at once: the DONE bit is set in the very next read.
class EepromPort {
 public:
  explicit EepromPort(Eeprom* eeprom) : eeprom_(eeprom) {}

  uint32_t ReadEerd() const { return eerd_; }
  uint32_t ReadEewr() const { return eewr_; }
  // False if the guest addressed past the image (the read returns 0xFFFF
  // data with DONE, as an erased word).
  bool WriteEerd(uint32_t value);
  bool WriteEewr(uint32_t value);
  void Reset() { eerd_ = eewr_ = 0; }
  void Encode(migration::Encoder& e) const;
  void Decode(migration::Decoder& d);

 private:
  Eeprom* eeprom_;
  uint32_t eerd_ = 0;
  uint32_t eewr_ = 0;
};

}  // namespace snic::ixgbe

#endif  // SNIC_CORE_IXGBE_EEPROM_H
