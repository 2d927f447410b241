// core/ixgbe/eeprom: the image ixgbe validates and the EERD protocol.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "ixgbe/eeprom.h"

#include <gtest/gtest.h>

#include "ixgbe/regs.h"

namespace snic::ixgbe {
namespace {

constexpr uint8_t kMac[6] = {0x02, 0x00, 0x5E, 0x10, 0x20, 0x30};

// ixgbe_calc_eeprom_checksum_generic, written out independently.
uint16_t DriverChecksum(const Eeprom& e) {
  uint16_t sum = 0;
  for (uint16_t i = 0; i < 0x3F; ++i) sum += e.Word(i);
  for (uint16_t p = 3; p < 0x0F; ++p) {
    const uint16_t ptr = e.Word(p);
    if (ptr == 0 || ptr == 0xFFFF) continue;
    const uint16_t len = e.Word(ptr);
    if (len == 0 || len == 0xFFFF) continue;
    for (uint32_t j = ptr + 1u; j <= uint32_t{ptr} + len; ++j) sum += e.Word(j);
  }
  return static_cast<uint16_t>(0xBABA - sum);
}

TEST(IxgbeEeprom, ChecksumWordMakesTheSumBaba) {
  const Eeprom e(kMac);
  EXPECT_EQ(e.Word(0x3F), DriverChecksum(e));
  uint16_t sum = 0;
  for (uint16_t i = 0; i <= 0x3F; ++i) sum += e.Word(i);
  EXPECT_EQ(sum, 0xBABA);  // no pointer sections in our image
}

TEST(IxgbeEeprom, PointerSectionsAreCoveredByTheChecksum) {
  Eeprom e(kMac);
  ASSERT_TRUE(e.SetWord(0x06, 0x60));  // PCIE_GENERAL_PTR -> a 2-word section
  ASSERT_TRUE(e.SetWord(0x60, 2));
  ASSERT_TRUE(e.SetWord(0x61, 0x1234));
  ASSERT_TRUE(e.SetWord(0x62, 0x4321));
  EXPECT_NE(e.Word(0x3F), DriverChecksum(e));
  e.UpdateChecksum();
  EXPECT_EQ(e.Word(0x3F), DriverChecksum(e));
}

TEST(IxgbeEeprom, MacWordsAndAbsentBlocks) {
  const Eeprom e(kMac);
  EXPECT_EQ(e.Word(0), 0x0002);
  EXPECT_EQ(e.Word(1), 0x105E);
  EXPECT_EQ(e.Word(2), 0x3020);
  uint8_t mac[6];
  e.Mac(mac);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(mac[i], kMac[i]);
  for (uint16_t w : {0x03, 0x04, 0x05, 0x0E, 0x0F, 0x17, 0x1B, 0x26, 0x27,
                     0x28}) {
    EXPECT_EQ(e.Word(w), 0xFFFF) << w;
  }
  EXPECT_EQ(e.Word(Eeprom::kWords), 0xFFFF);  // past the part: erased
}

TEST(IxgbeEeprom, PbaStringBlock) {
  const Eeprom e(kMac);
  ASSERT_EQ(e.Word(0x15), 0xFAFA);
  const uint16_t ptr = e.Word(0x16);
  const uint16_t len = e.Word(ptr);
  ASSERT_EQ(len, 6);  // ixgbe's part_str[11] holds (len * 2 - 1) chars
  std::string s;
  for (uint16_t i = 1; i < len; ++i) {
    s.push_back(static_cast<char>(e.Word(ptr + i) >> 8));
    s.push_back(static_cast<char>(e.Word(ptr + i) & 0xFF));
  }
  EXPECT_EQ(s, Eeprom::kPbaString);
}

TEST(IxgbeEeprom, EecAnnouncesAPresentAutoReadPartOfTheImageSize) {
  const uint32_t eec = Eeprom::EecResetValue();
  EXPECT_TRUE(eec & reg::EEC_PRES);
  EXPECT_TRUE(eec & reg::EEC_ARD);
  // ixgbe_init_eeprom_params_generic: word_size = 1 << (SIZE + 6).
  EXPECT_EQ(1u << (((eec & reg::EEC_SIZE) >> reg::EEC_SIZE_SHIFT) + 6),
            Eeprom::kWords);
}

TEST(IxgbeEeprom, EerdStartCompletesWithDoneAndData) {
  Eeprom e(kMac);
  EepromPort port(&e);
  EXPECT_EQ(port.ReadEerd() & reg::EEPROM_RW_REG_DONE, 0u);
  EXPECT_TRUE(port.WriteEerd((0x3Fu << 2) | reg::EEPROM_RW_REG_START));
  const uint32_t v = port.ReadEerd();
  EXPECT_TRUE(v & reg::EEPROM_RW_REG_DONE);
  EXPECT_EQ(v >> 16, e.Word(0x3F));
  EXPECT_EQ((v >> 2) & 0x3FFF, 0x3Fu);
  // A write without START changes nothing.
  EXPECT_TRUE(port.WriteEerd(0x10u << 2));
  EXPECT_EQ(port.ReadEerd(), v);
}

TEST(IxgbeEeprom, EerdPastTheImageReadsErasedAndReportsIt) {
  Eeprom e(kMac);
  EepromPort port(&e);
  EXPECT_FALSE(port.WriteEerd((0x3FFFu << 2) | reg::EEPROM_RW_REG_START));
  EXPECT_EQ(port.ReadEerd() >> 16, 0xFFFFu);
  EXPECT_TRUE(port.ReadEerd() & reg::EEPROM_RW_REG_DONE);
}

TEST(IxgbeEeprom, EewrStoresTheWord) {
  Eeprom e(kMac);
  EepromPort port(&e);
  EXPECT_TRUE(port.WriteEewr((0xBEEFu << 16) | (0x50u << 2) |
                             reg::EEPROM_RW_REG_START));
  EXPECT_EQ(e.Word(0x50), 0xBEEF);
  EXPECT_TRUE(port.ReadEewr() & reg::EEPROM_RW_REG_DONE);
  EXPECT_FALSE(port.WriteEewr((0x1u << 16) | (0x3000u << 2) |
                              reg::EEPROM_RW_REG_START));
}

}  // namespace
}  // namespace snic::ixgbe
