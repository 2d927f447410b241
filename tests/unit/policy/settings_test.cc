// Unit tests: VF settings by name and the startup spec parser
// (policy/settings.h), pure: what ApplySpec reports (all or nothing is
// the caller's copy, see policy_test.cc).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "policy/settings.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
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

policy::PortPolicy Vf0() {
  return policy::VfDefaultPolicy({0x02, 0, 0, 0, 0, 0x10});
}

// Every setting: what SetSetting accepts, and GetSetting gives back in the
// same syntax.
TEST(VfSetting, RoundTrips) {
  struct Case {
    const char* setting;
    const char* value;
    const char* reads;  // GetSetting afterwards
  };
  for (const Case& c :
       {Case{"mac", "02:AB:cd:00:00:11", "02:ab:cd:00:00:11"},
        Case{"vlan", "4094", "4094"}, Case{"vlan", "0", "0"},
        Case{"qos", "7", "7"}, Case{"spoofchk", "off", "off"},
        Case{"spoofchk", "yes", "on"}, Case{"trust", "true", "on"},
        Case{"trust", "no", "off"}, Case{"link-state", "disable", "disable"},
        Case{"link-state", "enable", "enable"},
        Case{"link-state", "auto", "auto"},
        Case{"max-tx-rate", "400000", "400000"},
        Case{"max-tx-rate", "0", "0"}}) {
    policy::PortPolicy p = Vf0();
    const Status s = policy::SetSetting(c.setting, c.value, &p);
    EXPECT_TRUE(s.ok()) << c.setting << "=" << c.value << ": " << s.message();
    EXPECT_EQ(policy::GetSetting(c.setting, p), c.reads) << c.setting;
  }
}

TEST(VfSetting, DefaultsRead) {
  const policy::PortPolicy p = Vf0();
  EXPECT_EQ(policy::GetSetting("mac", p), "02:00:00:00:00:10");
  EXPECT_EQ(policy::GetSetting("vlan", p), "0");
  EXPECT_EQ(policy::GetSetting("qos", p), "0");
  EXPECT_EQ(policy::GetSetting("spoofchk", p), "on");
  EXPECT_EQ(policy::GetSetting("trust", p), "off");
  EXPECT_EQ(policy::GetSetting("link-state", p), "auto");
  EXPECT_EQ(policy::GetSetting("max-tx-rate", p), "0");
  EXPECT_EQ(policy::GetSetting("colour", p), "");
  EXPECT_EQ(policy::GetSetting("", p), "");
}

// A bad value changes nothing and says what is wrong (user-facing).
TEST(VfSetting, BadValuesNameTheProblem) {
  struct Case {
    const char* setting;
    const char* value;
    const char* message;
  };
  for (const Case& c : {
           Case{"vlan", "4095", "vlan must be 0 (none) to 4094, not '4095'"},
           Case{"vlan", "-1", "vlan must be 0 (none) to 4094, not '-1'"},
           Case{"vlan", "", "vlan must be 0 (none) to 4094, not ''"},
           Case{"vlan", " 5", "vlan must be 0 (none) to 4094, not ' 5'"},
           Case{"qos", "8", "qos must be 0 to 7, not '8'"},
           Case{"spoofchk", "maybe", "spoofchk must be on or off, not 'maybe'"},
           Case{"trust", "ON", "trust must be on or off, not 'ON'"},
           Case{"link-state", "up",
                "link-state must be auto, enable or disable, not 'up'"},
           Case{"max-tx-rate", "400001",
                "max-tx-rate must be a number of Mbit/s from 0 (unlimited) "
                "to 400000, not '400001'"},
           Case{"max-tx-rate", "99999999999",
                "max-tx-rate must be a number of Mbit/s from 0 (unlimited) "
                "to 400000, not '99999999999'"},
           Case{"mac", "02:00:00:00:00",
                "mac '02:00:00:00:00' is not a MAC address "
                "(xx:xx:xx:xx:xx:xx)"},
           Case{"mac", "02-00-00-00-00-01",
                "mac '02-00-00-00-00-01' is not a MAC address "
                "(xx:xx:xx:xx:xx:xx)"},
       }) {
    policy::PortPolicy p = Vf0();
    const Status s = policy::SetSetting(c.setting, c.value, &p);
    EXPECT_STREQ(s.message(), c.message) << c.setting << "=" << c.value;
    EXPECT_EQ(p, Vf0()) << c.setting;
  }
  policy::PortPolicy p = Vf0();
  EXPECT_NE(std::string(policy::SetSetting("colour", "red", &p).message())
                .find("unknown VF setting 'colour'"),
            std::string::npos);
}

// SetSetting parses one value; the policy as a whole is Validate's.
TEST(VfSetting, DoesNotValidateThePolicy) {
  policy::PortPolicy p = Vf0();
  EXPECT_TRUE(policy::SetSetting("mac", "01:00:5e:00:00:01", &p).ok());
  EXPECT_TRUE(policy::SetSetting("qos", "3", &p).ok());  // without a VLAN
  EXPECT_FALSE(policy::Validate(p).ok());
}

// vlan 0 removes the port VLAN's priority too.
TEST(VfSetting, VlanZeroClearsQos) {
  policy::PortPolicy p = Vf0();
  ASSERT_TRUE(policy::SetSetting("vlan", "10", &p).ok());
  ASSERT_TRUE(policy::SetSetting("qos", "5", &p).ok());
  ASSERT_TRUE(policy::SetSetting("vlan", "20", &p).ok());
  EXPECT_EQ(p.qos, 5u);  // another VLAN keeps it
  ASSERT_TRUE(policy::SetSetting("vlan", "0", &p).ok());
  EXPECT_EQ(p.qos, 0u);
  EXPECT_TRUE(policy::Validate(p).ok());
}

TEST(VfSpec, ErrorsNameTheEntry) {
  std::vector<policy::PortPolicy> p(2, Vf0());
  p[1].mac[5] = 0x11;
  std::vector<uint16_t> changed;
  EXPECT_STREQ(policy::ApplySpec("vlan", "0=10/1", p, &changed).message(),
               "'1': expected N=VALUE, N a VF number or '*'");
  EXPECT_STREQ(policy::ApplySpec("vlan", "x=1", p, &changed).message(),
               "'x=1': the VF must be a decimal number or '*'");
  EXPECT_STREQ(policy::ApplySpec("vlan", "2=1", p, &changed).message(),
               "'2=1': VF 2 does not exist (total-vfs is 2)");
  EXPECT_STREQ(policy::ApplySpec("vlan", "0=1//1=2", p, &changed).message(),
               "'': expected N=VALUE, N a VF number or '*'");
  EXPECT_STREQ(policy::ApplySpec("qos", "1=9", p, &changed).message(),
               "'1=9': qos must be 0 to 7, not '9'");
  EXPECT_STREQ(
      policy::ApplySpec("mac", "*=02:00:00:00:00:99", p, &changed).message(),
      "'*=02:00:00:00:00:99': one MAC cannot be given to every VF");
  // Validation of the whole policy names the VF.
  const Status s = policy::ApplySpec("qos", "1=3", p, &changed);
  EXPECT_NE(std::string(s.message()).find("VF 1: qos 3 needs a port VLAN"),
            std::string::npos)
      << s.message();
  EXPECT_TRUE(changed.empty());
  EXPECT_NE(
      std::string(policy::ApplySpec("colour", "0=1", p, &changed).message())
          .find("unknown VF setting 'colour'"),
      std::string::npos);
}

TEST(VfSpec, LaterEntriesWinAndStarCoversEveryVf) {
  std::vector<policy::PortPolicy> p(3, Vf0());
  for (size_t i = 0; i < p.size(); ++i) p[i].mac[5] = uint8_t(0x10 + i);
  std::vector<uint16_t> changed;
  ASSERT_TRUE(policy::ApplySpec("vlan", "*=5/1=6/*=7/2=8", p, &changed).ok());
  EXPECT_EQ(p[0].vlan, 7u);
  EXPECT_EQ(p[1].vlan, 7u);
  EXPECT_EQ(p[2].vlan, 8u);
  EXPECT_EQ(changed, (std::vector<uint16_t>{0, 1, 2}));
  // One MAC for "every VF" is fine when there is one VF.
  std::vector<policy::PortPolicy> one(1, Vf0());
  EXPECT_TRUE(
      policy::ApplySpec("mac", "*=02:00:00:00:00:99", one, &changed).ok());
  EXPECT_EQ(one[0].mac[5], 0x99);
  // An empty spec changes nothing.
  EXPECT_TRUE(policy::ApplySpec("vlan", "", p, &changed).ok());
  EXPECT_TRUE(changed.empty());
}

}  // namespace
}  // namespace snic::testing
