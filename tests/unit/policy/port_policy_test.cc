// Unit tests: the policy of one port (policy/port_policy.h): defaults,
// validation with user-facing messages, Normalize.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "policy/port_policy.h"

#include <gtest/gtest.h>

namespace snic::testing {
namespace {

TEST(VfPolicyValidate, PfPolicyIsValidAndTrusted) {
  const policy::PortPolicy p = policy::PfPolicy({0x52, 0x54, 0, 1, 2, 3});
  EXPECT_TRUE(policy::Validate(p).ok());
  EXPECT_TRUE(p.trust);
  EXPECT_FALSE(p.spoofchk);
}

}  // namespace
}  // namespace snic::testing
