// Unit tests: VF settings by name and the startup spec parser
// (policy/settings.h), pure: what ApplySpec reports (all or nothing is
// the caller's copy, see policy_test.cc).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "policy/settings.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "policy/port_policy.h"

namespace snic::testing {
namespace {

TEST(VfSpec, ReportsChangedVfsOnce) {
  std::vector<policy::PortPolicy> p(4);
  for (size_t i = 0; i < p.size(); ++i) p[i].mac = {2, 0, 0, 0, 0, uint8_t(i)};
  std::vector<uint16_t> changed;
  EXPECT_TRUE(policy::ApplySpec("trust", "3=on/1=on/3=off", p, &changed).ok());
  EXPECT_EQ(changed, (std::vector<uint16_t>{1, 3}));
  EXPECT_TRUE(p[1].trust);
  EXPECT_FALSE(p[3].trust);
  EXPECT_TRUE(policy::ApplySpec("trust", "*=on", p, &changed).ok());
  EXPECT_EQ(changed.size(), 4u);
}

TEST(VfSpec, StarOnZeroVfsIsANoOp) {
  std::vector<policy::PortPolicy> p;
  std::vector<uint16_t> changed;
  EXPECT_TRUE(policy::ApplySpec("vlan", "*=5", p, &changed).ok());
  EXPECT_TRUE(changed.empty());
  EXPECT_STREQ(policy::ApplySpec("vlan", "0=5", p, &changed).message(),
               "'0=5': VF 0 does not exist (total-vfs is 0)");
}

}  // namespace
}  // namespace snic::testing
