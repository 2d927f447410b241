// Unit tests: the policy of one port (policy/port_policy.h): defaults,
// validation with user-facing messages, Normalize.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "policy/port_policy.h"

#include <gtest/gtest.h>

#include <string>

namespace snic::testing {
namespace {

TEST(VfPolicyValidate, PfPolicyIsValidAndTrusted) {
  const policy::PortPolicy p = policy::PfPolicy({0x52, 0x54, 0, 1, 2, 3});
  EXPECT_TRUE(policy::Validate(p).ok());
  EXPECT_TRUE(p.trust);
  EXPECT_FALSE(p.spoofchk);
}

TEST(VfPolicyValidate, VfDefaultPolicy) {
  const policy::PortPolicy p = policy::VfDefaultPolicy({0x02, 0, 0, 0, 0, 1});
  EXPECT_TRUE(policy::Validate(p).ok());
  EXPECT_TRUE(p.spoofchk);
  EXPECT_FALSE(p.trust);
  EXPECT_EQ(p.vlan, 0u);
  EXPECT_EQ(p.qos, 0u);
  EXPECT_EQ(p.link_state, policy::LinkState::kAuto);
  EXPECT_EQ(p.max_tx_rate, 0u);
  EXPECT_EQ(p.mac, (eth::MacAddress{0x02, 0, 0, 0, 0, 1}));
}

TEST(VfPolicyValidate, EachRuleAndItsMessage) {
  const policy::PortPolicy good =
      policy::VfDefaultPolicy({0x02, 0, 0, 0, 0, 1});
  struct Case {
    const char* what;
    void (*change)(policy::PortPolicy&);
    const char* message;  // nullptr: valid
  };
  for (const Case& c : {
           Case{"multicast mac", [](policy::PortPolicy& p) { p.mac[0] = 0x01; },
                "mac must be a unicast address, not 01:00:00:00:00:01"},
           Case{"zero mac", [](policy::PortPolicy& p) { p.mac = {}; },
                "mac must not be 00:00:00:00:00:00"},
           Case{"vlan 4094", [](policy::PortPolicy& p) { p.vlan = 4094; },
                nullptr},
           Case{"vlan 4095", [](policy::PortPolicy& p) { p.vlan = 4095; },
                "vlan must be 0 (none) to 4094, not 4095"},
           Case{"qos 7",
                [](policy::PortPolicy& p) {
                  p.vlan = 1;
                  p.qos = 7;
                },
                nullptr},
           Case{"qos 8",
                [](policy::PortPolicy& p) {
                  p.vlan = 1;
                  p.qos = 8;
                },
                "qos must be 0 to 7, not 8"},
           Case{"qos without vlan", [](policy::PortPolicy& p) { p.qos = 3; },
                "qos 3 needs a port VLAN (vlan is 0): set qos to 0 or "
                "choose a vlan"},
           Case{"link-state 3",
                [](policy::PortPolicy& p) {
                  p.link_state = static_cast<policy::LinkState>(3);
                },
                "link-state must be auto, enable or disable"},
           Case{"rate 400000",
                [](policy::PortPolicy& p) { p.max_tx_rate = 400'000; },
                nullptr},
           Case{"rate 400001",
                [](policy::PortPolicy& p) { p.max_tx_rate = 400'001; },
                "max-tx-rate must be 0 (unlimited) to 400000 Mbit/s, not "
                "400001"},
       }) {
    policy::PortPolicy p = good;
    c.change(p);
    const Status s = policy::Validate(p);
    if (c.message == nullptr) {
      EXPECT_TRUE(s.ok()) << c.what << ": " << s.message();
    } else {
      EXPECT_STREQ(s.message(), c.message) << c.what;
    }
  }
}

// Removing the port VLAN with qos left as it was removes the priority
// too; anything else is taken as given.
TEST(VfPolicyNormalize, VlanZeroTakesItsQos) {
  policy::PortPolicy cur = policy::VfDefaultPolicy({0x02, 0, 0, 0, 0, 1});
  cur.vlan = 10;
  cur.qos = 3;
  policy::PortPolicy next = cur;
  next.vlan = 0;
  EXPECT_EQ(policy::Normalize(cur, next).qos, 0u);
  next.qos = 4;  // a new qos without a VLAN stays (Validate refuses it)
  EXPECT_EQ(policy::Normalize(cur, next).qos, 4u);
  next = cur;
  next.vlan = 20;  // another VLAN keeps the priority
  EXPECT_EQ(policy::Normalize(cur, next), next);
  policy::PortPolicy none = cur;
  none.vlan = 0;
  none.qos = 3;  // no VLAN before: nothing to remove
  policy::PortPolicy still = none;
  EXPECT_EQ(policy::Normalize(none, still).qos, 3u);
}

}  // namespace
}  // namespace snic::testing
