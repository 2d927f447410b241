// A personality=ixgbe device over the C ABI, for the tests that drive its
// data path through the functions' BAR 0 (nic_test.cc, nic_rss_test.cc):
// the core on a FakeHost, 32-bit register access to any function, and the
// bottom half run until it has nothing left.
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_UNIT_IXGBE_CORE_FIXTURE_H
#define SNIC_TESTS_UNIT_IXGBE_CORE_FIXTURE_H

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "fakes/fake_host.h"
#include "sriov_nic/sriov_nic.h"

namespace snic::testing {

class IxgbeCore : public ::testing::Test {
 protected:
  // A device on this host (and guest RAM) with TotalVFs @total_vfs,
  // stopped first unless @running, @num_vfs VFs enabled and Bus Master on
  // for the PF and each of them; null, with *@err, if refused.
  CorePtr NewDevice(unsigned num_vfs, bool running, uint16_t total_vfs = 63,
                    std::string* err = nullptr) {
    SnicConfig cfg = TestConfig(total_vfs);
    cfg.personality = SNIC_PERSONALITY_IXGBE;
    char msg[256] = {};
    CorePtr dev(
        snic_core_new(&cfg, &host_.ops(), host_.opaque(), msg, sizeof(msg)));
    if (!dev) {
      if (err != nullptr) *err = msg;
      return nullptr;
    }
    if (!running) snic_core_set_running(dev.get(), false);
    if (num_vfs != 0) snic_core_set_num_vfs(dev.get(), num_vfs);
    for (SnicFn fn = 0; fn <= num_vfs; ++fn) {
      snic_core_set_bus_master(dev.get(), fn, true);
    }
    return dev;
  }
  // The device under test (TotalVFs 63) with @num_vfs VFs.
  void Start(unsigned num_vfs) {
    std::string err;
    core_ = NewDevice(num_vfs, /*running=*/true, 63, &err);
    ASSERT_TRUE(core_) << err;
    host_.core = core_.get();
  }

  uint32_t Read(SnicFn fn, uint64_t off) {
    uint64_t v = ~0ull;
    EXPECT_TRUE(snic_core_mmio_read(core_.get(), fn, 0, off, 4, &v));
    return static_cast<uint32_t>(v);
  }
  void Write(SnicFn fn, uint64_t off, uint32_t v) {
    EXPECT_TRUE(snic_core_mmio_write(core_.get(), fn, 0, off, v, 4));
  }
  // The device's state, saved as QEMU does: the VM stopped first.
  std::vector<uint8_t> Save() {
    snic_core_set_running(core_.get(), false);
    uint8_t* buf = nullptr;
    const size_t n = snic_core_save_state(core_.get(), &buf);
    std::vector<uint8_t> out(buf, buf + n);
    std::free(buf);
    return out;
  }
  void Run() {
    for (int i = 0; i < 16 && snic_core_run(core_.get()); ++i) {
    }
  }

  FakeHost host_;
  CorePtr core_;
};

}  // namespace snic::testing

#endif  // SNIC_TESTS_UNIT_IXGBE_CORE_FIXTURE_H
