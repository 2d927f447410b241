// The ixgbe personality's migration state, part by part (Pf, TxQueue,
// RxQueue Encode/Decode): a probed register file round-trips, and every
// value a running chip could not hold is refused with the place named,
// leaving the object as it was.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "fakes/fake_host.h"
#include "ixgbe/pf.h"
#include "ixgbe/pf_driver_model.h"
#include "ixgbe/queue.h"
#include "ixgbe/regs.h"
#include "migration/stream.h"

namespace snic::ixgbe {
namespace {

namespace r = reg;

constexpr uint8_t kMac[6] = {0x52, 0x54, 0x00, 0xAB, 0xCD, 0xEF};

template <typename T>
std::vector<uint8_t> Bytes(const T& t) {
  migration::Encoder e;
  t.Encode(e);
  return e.bytes();
}

void PutLe32(std::vector<uint8_t>& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = uint8_t(v >> (8 * i));
}

// Decodes @bytes into @t; "" when it loads, else the message.
template <typename T>
std::string Load(T& t, const std::vector<uint8_t>& bytes) {
  migration::Decoder d(bytes.data(), bytes.size());
  t.Decode(d);
  if (d.ok() && d.remaining() != 0) return "left over bytes";
  return d.ok() ? "" : d.status().message();
}

class IxgbeState : public ::testing::Test {
 protected:
  snic::testing::FakeHost fake_;
  Host host_{fake_.ops(), fake_.opaque()};
};

// Where register word @offset sits in Pf::Encode's stream (after the
// word count).
size_t PfWord(uint32_t offset) { return 4 + offset; }

TEST_F(IxgbeState, AProbedPfRoundTrips) {
  Pf src(host_, kPfFn, kMac);
  src.SetUplinkLink(true);
  testing::PfDriverModel drv(&src);
  ASSERT_EQ(drv.Probe(), 0);
  src.Write(r::EIMS, 0x00100000);  // the mailbox cause
  src.Write(r::EICS, 0x00100000);  // pending
  src.Write(r::SWSM, r::SWSM_SMBI);
  (void)src.Read(r::GPRC);  // a statistics read clears
  const std::vector<uint8_t> bytes = Bytes(src);

  Pf dst(host_, kPfFn, kMac);
  ASSERT_EQ(Load(dst, bytes), "");
  EXPECT_EQ(Bytes(dst), bytes);
  EXPECT_EQ(dst.Read(r::EIMS) & 0x00100000, 0x00100000u);
  EXPECT_TRUE(dst.link_up());
  // The EEPROM goes along (EEWR may have changed it): its checksum holds.
  EXPECT_EQ(dst.eeprom().Word(Eeprom::kChecksumWord),
            dst.eeprom().ComputeChecksum());
  EXPECT_TRUE(fake_.guest_errors.empty());
}

TEST_F(IxgbeState, PfRefusesWhatNoRegisterCanHold) {
  Pf src(host_, kPfFn, kMac);
  const std::vector<uint8_t> good = Bytes(src);
  struct Case {
    const char* what;
    uint32_t offset;
    uint32_t value;
  };
  const Case cases[] = {
      // STATUS is computed, never stored.
      {"a computed register", r::STATUS, 0x1},
      // MMNGC reads its reset value only.
      {"a read-only register", r::MMNGC, 0x1},
      // RXPBSIZE(0) holds bits 10-19 only.
      {"bits outside the writable mask", r::RXPBSIZE(0), 0x1},
      // GSSR: firmware's bits are never set.
      {"a firmware semaphore bit", r::GSSR, 1u << 5},
      // A mailbox word (the Mailboxes' state, not the Pf's).
      {"a word another part owns", r::PFMBMEM(0), 0x1234},
      // Past every implemented register.
      {"an unimplemented register", 0x1FFFC, 0x1},
  };
  Pf dst(host_, kPfFn, kMac);
  dst.Write(r::EIMS, 0x00100000);
  const std::vector<uint8_t> before = Bytes(dst);
  for (const Case& c : cases) {
    std::vector<uint8_t> bad = good;
    PutLe32(bad, PfWord(c.offset), c.value);
    const std::string err = Load(dst, bad);
    EXPECT_NE(err.find("ixgbe PF: register"), std::string::npos)
        << c.what << ": " << err;
    char at[16];
    std::snprintf(at, sizeof(at), "0x%05x", c.offset);
    EXPECT_NE(err.find(at), std::string::npos) << c.what << ": " << err;
    EXPECT_EQ(Bytes(dst), before) << c.what << ": the Pf changed";
  }
  // Counters and W1C registers hold anything; so does CTRL.
  for (uint32_t off : {r::GPRC, r::WUS, r::CTRL}) {
    std::vector<uint8_t> ok = good;
    PutLe32(ok, PfWord(off), 0x12345678);
    EXPECT_EQ(Load(dst, ok), "") << std::hex << off;
  }
  // A word count of another chip, and a stream cut short.
  std::vector<uint8_t> other = good;
  PutLe32(other, 0, 1234);
  EXPECT_NE(Load(dst, other).find("register words"), std::string::npos);
  std::vector<uint8_t> cut(good.begin(), good.end() - 1);
  EXPECT_NE(Load(dst, cut).find("ends inside"), std::string::npos);
}

TEST_F(IxgbeState, PfRefusesImpossibleInterruptState) {
  Pf src(host_, kPfFn, kMac);
  const std::vector<uint8_t> good = Bytes(src);
  // The tail: uplink_up (1), eicr_hi (4), eims_hi (4), vec_pending,
  // vec_mask, vec_fired (8 each), other_fired (4).
  const size_t tail = good.size() - (1 + 4 + 4 + 8 + 8 + 8 + 4);
  Pf dst(host_, kPfFn, kMac);
  std::vector<uint8_t> bad = good;
  PutLe32(bad, tail + 1, 0x1);  // a queue bit in the high-cause word
  EXPECT_NE(Load(dst, bad).find("eicr"), std::string::npos);
  bad = good;
  PutLe32(bad, tail + 1 + 4 + 4 + 24, 0x00100000);  // fired, not pending
  EXPECT_NE(Load(dst, bad).find("other_fired"), std::string::npos);
}

// ---- queues ----

class IxgbeQueueState : public IxgbeState {
 protected:
  // A TX ring of 8 descriptors at 0x1000, enabled, head 2, tail 5.
  void SetUp() override {
    tx_.Write(host_, kPfFn, kRingBal, 0x1000);
    tx_.Write(host_, kPfFn, kRingLen, 8 * 16);
    tx_.Write(host_, kPfFn, kRingHead, 2);
    tx_.Write(host_, kPfFn, kRingTail, 2);
    tx_.Write(host_, kPfFn, kRingCtl, kDctlEnable);
    tx_.Write(host_, kPfFn, kRingTail, 5);
  }
  TxQueue tx_;
};

// EncodeRing's layout: bal, bah, len, ctl (u32), head, tail (u16), broken.
constexpr size_t kRingHeadAt = 16;
constexpr size_t kRingBrokenAt = 20;

TEST_F(IxgbeQueueState, AWorkingRingRoundTrips) {
  const std::vector<uint8_t> bytes = Bytes(tx_);
  TxQueue q;
  ASSERT_EQ(Load(q, bytes), "");
  EXPECT_EQ(Bytes(q), bytes);
  EXPECT_TRUE(q.enabled());
  EXPECT_EQ(q.head(), 2u);
  EXPECT_EQ(q.tail(), 5u);
  EXPECT_EQ(q.size(), 8u);
  EXPECT_EQ(q.base(), 0x1000u);
}

TEST_F(IxgbeQueueState, RefusesARingItCouldNotBeIn) {
  const std::vector<uint8_t> good = Bytes(tx_);
  TxQueue q;
  const std::vector<uint8_t> empty = Bytes(q);
  auto refused = [&](std::vector<uint8_t> bad, const char* field) {
    const std::string err = Load(q, bad);
    EXPECT_NE(err.find(field), std::string::npos) << field << ": " << err;
    EXPECT_EQ(Bytes(q), empty) << field << ": the queue changed";
  };
  std::vector<uint8_t> bad = good;
  bad[kRingHeadAt] = 8;  // head past the 8-descriptor ring
  refused(bad, "head");
  bad = good;
  PutLe32(bad, 0, 0x1040);  // BAL not 128-byte aligned
  refused(bad, "bal");
  bad = good;
  PutLe32(bad, 8, 8 * 16 + 4);  // LEN not a multiple of 128
  refused(bad, "len");
  bad = good;
  PutLe32(bad, 12, kDctlEnable | 0x80000000u);  // a reserved TXDCTL bit
  refused(bad, "ctl");
  bad = good;
  PutLe32(bad, 12, 0);  // disabled...
  bad[kRingBrokenAt] = 1;  // ...yet in the error state
  refused(bad, "broken");
  bad = good;
  bad[kRingBrokenAt] = 2;  // not a bool
  refused(bad, "broken");
  // A broken working ring may point anywhere: that is why it is broken.
  bad = good;
  bad[kRingHeadAt] = 200;
  bad[kRingBrokenAt] = 1;
  EXPECT_EQ(Load(q, bad), "");
  EXPECT_TRUE(q.broken());
}

TEST_F(IxgbeQueueState, RefusesAContextNoDescriptorCouldMake) {
  const std::vector<uint8_t> good = Bytes(tx_);
  // After the ring (21 bytes) and WBAL/WBAH (8): per slot valid (1),
  // vlan (2), maclen (1), iplen (2), ipv4 (1), l4t (1), l4len (1), mss (2),
  // idx (1).
  const size_t slot0 = 21 + 8;
  TxQueue q;
  std::vector<uint8_t> bad = good;
  bad[slot0 + 3] = 0x80;  // MACLEN is 7 bits
  EXPECT_NE(Load(q, bad).find("maclen"), std::string::npos);
  bad = good;
  bad[slot0 + 7] = 4;  // L4T has four values
  EXPECT_NE(Load(q, bad).find("l4t"), std::string::npos);
  bad = good;
  PutLe32(bad, 21, 0x1002);  // WBAL bit 1 is reserved
  EXPECT_NE(Load(q, bad).find("wbal"), std::string::npos);
}

TEST_F(IxgbeState, RxQueueRefusesReservedSrrctlBits) {
  RxQueue rx;
  rx.Write(host_, kPfFn, kRxSrrctl, 2 | kSrrctlDesctypeAdvOneBuf);
  const std::vector<uint8_t> good = Bytes(rx);
  RxQueue q;
  ASSERT_EQ(Load(q, good), "");
  EXPECT_EQ(q.buffer_size(), 2048u);
  std::vector<uint8_t> bad = good;
  PutLe32(bad, 21, 0x80000000u);
  EXPECT_NE(Load(q, bad).find("srrctl"), std::string::npos);
}

}  // namespace
}  // namespace snic::ixgbe
