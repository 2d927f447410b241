// Unit tests: the forwarder (vswitch/forwarder.h) performing hand-made
// switch decisions into FakePorts: what each fate counts, the VLAN forms
// of a frame (built once), and the hold rule for a sole destination.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "vswitch/forwarder.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <vector>

#include "base/effects.h"
#include "eth/frame.h"
#include "fakes/fake_port.h"
#include "fakes/frames.h"
#include "port/port.h"
#include "port/stats.h"
#include "vswitch/switch.h"

namespace snic::testing {
namespace {

using port::RxResult;
using vswitch::Destinations;
using vswitch::Fate;
using vswitch::ForwardResult;
using vswitch::FrameForms;
using vswitch::Target;

constexpr uint16_t kTci = 3 << 13 | 10;  // PCP 3, VLAN 10

Destinations Decision(std::initializer_list<Target> targets, bool unicast,
                      bool uplink = false, bool source_tagged = false) {
  Destinations d;
  d.vid = 10;
  d.tci = kTci;
  d.source_tagged = source_tagged;
  d.unicast = unicast;
  d.uplink = uplink;
  for (const Target& t : targets) d.targets[d.count++] = t;
  return d;
}

class Forwarder : public ::testing::Test {
 protected:
  Forwarder() {
    for (FnId fn = 0; fn < 6; ++fn) {
      fakes_.push_back(std::make_unique<FakePort>(fn));
      ports_.push_back(fakes_.back().get());
    }
    scratch_.fill(0xee);
  }
  FakePort& port(FnId fn) { return *fakes_[fn]; }
  ForwardResult Forward(const Destinations& d, bool may_hold) {
    FrameForms forms(frame_.data(), frame_.size(), d, scratch_.data());
    return vswitch::DeliverToPorts(d, forms, ports_, may_hold, seg_.data(),
                                   fx_);
  }
  // The RX drop counters of @fn, summed.
  uint64_t Counted(FnId fn) const {
    const port::PortStats& s = fakes_[fn]->stats();
    return s.rx_drop_no_buffers + s.rx_drop_filtered + s.rx_drop_link_down +
           s.rx_drop_too_small;
  }

  std::vector<uint8_t> frame_ = Frame(kRemote, kOther, 60);
  std::array<uint8_t, eth::kFrameBufferLen> scratch_;
  std::array<uint8_t, eth::kFrameBufferLen> seg_;
  std::vector<std::unique_ptr<FakePort>> fakes_;
  std::vector<port::Port*> ports_;
  Effects fx_;
};

// ---- what each fate counts ----

TEST_F(Forwarder, CountsEveryTargetItDoesNotReach) {
  const Destinations d = Decision({{1, Fate::kFiltered, false},
                                   {2, Fate::kLinkDown, true},
                                   {3, Fate::kNotReady, false},
                                   {4, Fate::kDeliver, false}},
                                  /*unicast=*/false);
  const ForwardResult r = Forward(d, /*may_hold=*/true);
  EXPECT_EQ(port(1).stats().rx_drop_filtered, 1u);
  EXPECT_EQ(port(2).stats().rx_drop_link_down, 1u);
  EXPECT_EQ(port(3).stats().rx_drop_no_buffers, 1u);
  for (FnId fn : {1, 2, 3}) {
    EXPECT_TRUE(port(fn).delivered.empty()) << fn;
    EXPECT_EQ(Counted(fn), 1u) << fn;
  }
  ASSERT_EQ(port(4).delivered.size(), 1u);
  EXPECT_EQ(port(4).delivered[0].bytes, frame_);
  EXPECT_EQ(Counted(4), 0u);
  EXPECT_TRUE(port(0).delivered.empty());  // not a target
  EXPECT_FALSE(r.held);
  EXPECT_EQ(r.sole, std::nullopt);
}

TEST_F(Forwarder, CountsWhatThePortSaid) {
  port(1).script = {RxResult::kDelivered};
  port(2).script = {RxResult::kNoBuffers};
  port(3).script = {RxResult::kTooSmall};  // the port counted it itself
  port(4).script = {RxResult::kNotReady};
  port(5).script = {RxResult::kBroken};
  const Destinations d = Decision({{1, Fate::kDeliver, false},
                                   {2, Fate::kDeliver, false},
                                   {3, Fate::kDeliver, false},
                                   {4, Fate::kDeliver, false},
                                   {5, Fate::kDeliver, false}},
                                  /*unicast=*/false);
  const ForwardResult r = Forward(d, /*may_hold=*/true);
  EXPECT_EQ(Counted(1), 0u);
  EXPECT_EQ(port(2).stats().rx_drop_no_buffers, 1u);  // not a sole one
  EXPECT_EQ(Counted(3), 0u);
  EXPECT_EQ(port(4).stats().rx_drop_no_buffers, 1u);
  EXPECT_EQ(port(5).stats().rx_drop_no_buffers, 1u);
  for (FnId fn = 1; fn <= 5; ++fn) {
    EXPECT_EQ(port(fn).delivered.size(), 1u) << fn;
  }
  EXPECT_FALSE(r.held);
  EXPECT_EQ(r.sole, std::nullopt);
}

TEST_F(Forwarder, NoTargetsNothingHappens) {
  const ForwardResult r = Forward(Decision({}, /*unicast=*/true), true);
  for (FnId fn = 0; fn < 6; ++fn) {
    EXPECT_TRUE(port(fn).delivered.empty());
    EXPECT_EQ(Counted(fn), 0u);
  }
  EXPECT_FALSE(r.held);
  EXPECT_EQ(r.sole, std::nullopt);
  EXPECT_TRUE(fx_.empty());
}

// The ports' effects land in the caller's Effects.
TEST_F(Forwarder, PortEffectsAreTheCallers) {
  Forward(
      Decision({{2, Fate::kDeliver, false}, {4, Fate::kDeliver, true}}, false),
      false);
  EXPECT_EQ(fx_.msix(), (std::vector<MsixMessage>{{2, FakePort::kRxVector},
                                                  {4, FakePort::kRxVector}}));
}

// ---- VLAN forms ----

TEST_F(Forwarder, EachTargetGetsItsFormAndTheOtherIsBuiltOnce) {
  const std::vector<uint8_t> tagged = Tagged(frame_, 10, 3);
  // The first tagged delivery marks the built form; the second must see
  // the mark, so the form was not built again.
  port(2).on_deliver = [&](const uint8_t*, size_t len) {
    scratch_[len - 1] ^= 0xff;
  };
  const Destinations d = Decision({{1, Fate::kDeliver, false},
                                   {2, Fate::kDeliver, true},
                                   {3, Fate::kDeliver, true},
                                   {4, Fate::kDeliver, false}},
                                  /*unicast=*/false);
  Forward(d, false);
  for (FnId fn : {1, 4}) {  // the frame as sent, not a copy
    ASSERT_EQ(port(fn).delivered.size(), 1u);
    EXPECT_EQ(port(fn).delivered[0].data, frame_.data()) << fn;
    EXPECT_EQ(port(fn).delivered[0].bytes, frame_) << fn;
  }
  ASSERT_EQ(port(2).delivered.size(), 1u);
  ASSERT_EQ(port(3).delivered.size(), 1u);
  EXPECT_EQ(port(2).delivered[0].data, scratch_.data());
  EXPECT_EQ(port(2).delivered[0].bytes, tagged);
  EXPECT_EQ(port(3).delivered[0].data, scratch_.data());
  std::vector<uint8_t> marked = tagged;
  marked.back() ^= 0xff;
  EXPECT_EQ(port(3).delivered[0].bytes, marked);
}

TEST_F(Forwarder, TaggedSourceUntaggedForAccessPorts) {
  frame_ = Tagged(Frame(kBroadcast, kRemote, 60), 10, 3);
  const Destinations d =
      Decision({{1, Fate::kDeliver, true}, {2, Fate::kDeliver, false}},
               /*unicast=*/false, /*uplink=*/false, /*source_tagged=*/true);
  Forward(d, false);
  ASSERT_EQ(port(1).delivered.size(), 1u);
  EXPECT_EQ(port(1).delivered[0].data, frame_.data());
  ASSERT_EQ(port(2).delivered.size(), 1u);
  EXPECT_EQ(port(2).delivered[0].data, scratch_.data());
  EXPECT_EQ(port(2).delivered[0].bytes, Untagged(frame_));
}

TEST_F(Forwarder, FrameFormsAlone) {
  const Destinations d = Decision({}, false);
  FrameForms forms(frame_.data(), frame_.size(), d, scratch_.data());
  auto form = forms.Get(false);  // the form it was sent in
  const uint8_t* data = form.data;
  size_t len = form.len;
  EXPECT_EQ(data, frame_.data());
  EXPECT_EQ(len, frame_.size());
  EXPECT_EQ(scratch_[0], 0xee);  // nothing built for it
  form = forms.Get(true);
  data = form.data;
  len = form.len;
  EXPECT_EQ(data, scratch_.data());
  EXPECT_EQ(len, frame_.size() + eth::kVlanTagLen);
  EXPECT_EQ(std::vector<uint8_t>(data, data + len), Tagged(frame_, 10, 3));
  scratch_[0] ^= 0xff;
  form = forms.Get(true);
  data = form.data;
  len = form.len;  // not built again
  EXPECT_EQ(scratch_[0], uint8_t(kRemote[0] ^ 0xff));
  EXPECT_EQ(len, frame_.size() + eth::kVlanTagLen);
}

// ---- the hold rule: only a sole destination without buffers, and only
// when the caller may wait ----

Destinations Sole(FnId fn) {
  return Decision({{fn, Fate::kDeliver, false}}, /*unicast=*/true);
}

TEST_F(Forwarder, SoleDestinationWithoutBuffersIsHeldNotCounted) {
  port(3).script = {RxResult::kNoBuffers};
  const ForwardResult r = Forward(Sole(3), /*may_hold=*/true);
  EXPECT_TRUE(r.held);
  EXPECT_EQ(r.sole, RxResult::kNoBuffers);
  EXPECT_EQ(port(3).stats().rx_drop_no_buffers, 0u);
  EXPECT_EQ(port(3).delivered.size(), 1u);  // it was asked once
}

TEST_F(Forwarder, SoleDestinationWithoutBuffersIsCountedWhenItMayNotWait) {
  port(3).script = {RxResult::kNoBuffers};
  const ForwardResult r = Forward(Sole(3), /*may_hold=*/false);
  EXPECT_FALSE(r.held);
  EXPECT_EQ(r.sole, RxResult::kNoBuffers);
  EXPECT_EQ(port(3).stats().rx_drop_no_buffers, 1u);
}

TEST_F(Forwarder, OnlyASoleDestinationIsHeld) {
  // An uplink copy, a second port, or a multicast frame: nobody waits.
  const Destinations not_sole[] = {
      Decision({{3, Fate::kDeliver, false}}, true, /*uplink=*/true),
      Decision({{3, Fate::kDeliver, false}, {4, Fate::kDeliver, false}}, true),
      Decision({{3, Fate::kDeliver, false}}, /*unicast=*/false),
  };
  uint64_t counted = 0;
  for (const Destinations& d : not_sole) {
    port(3).script = {RxResult::kNoBuffers};
    const ForwardResult r = Forward(d, /*may_hold=*/true);
    EXPECT_FALSE(r.held);
    EXPECT_EQ(r.sole, std::nullopt);
    EXPECT_EQ(port(3).stats().rx_drop_no_buffers, ++counted);
  }
}

TEST_F(Forwarder, ASoleDestinationIsHeldOnlyForBuffers) {
  for (RxResult res : {RxResult::kNotReady, RxResult::kBroken}) {
    FakePort& p = port(3);
    const uint64_t before = p.stats().rx_drop_no_buffers;
    p.script = {res};
    const ForwardResult r = Forward(Sole(3), /*may_hold=*/true);
    EXPECT_FALSE(r.held);
    EXPECT_EQ(r.sole, res);
    EXPECT_EQ(p.stats().rx_drop_no_buffers, before + 1);
  }
  port(3).script = {RxResult::kTooSmall};
  ForwardResult r = Forward(Sole(3), true);
  EXPECT_FALSE(r.held);
  EXPECT_EQ(r.sole, RxResult::kTooSmall);
  r = Forward(Sole(3), true);
  EXPECT_FALSE(r.held);
  EXPECT_EQ(r.sole, RxResult::kDelivered);
  EXPECT_EQ(port(3).stats().rx_drop_no_buffers, 2u);
}

// A sole candidate whose fate is not kDeliver is no sole destination: it
// is counted, never asked.
TEST_F(Forwarder, AnUndeliverableOwnerIsNoSoleDestination) {
  const ForwardResult r =
      Forward(Decision({{3, Fate::kNotReady, false}}, true), true);
  EXPECT_FALSE(r.held);
  EXPECT_EQ(r.sole, std::nullopt);
  EXPECT_TRUE(port(3).delivered.empty());
  EXPECT_EQ(port(3).stats().rx_drop_no_buffers, 1u);
}

}  // namespace
}  // namespace snic::testing
