// A port of the switch with no personality behind it, for tests of the
// layers that see only port::Port (the forwarder, the scheduler's users):
// Deliver() records each frame (the pointer it was given and a copy) and
// answers from a script; every delivery records an MSI-X effect so tests
// can see the caller's Effects are the ones passed through. Everything
// else (registers, TX, migration) does nothing. Lives in tests/ only.
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_FAKES_FAKE_PORT_H
#define SNIC_TESTS_FAKES_FAKE_PORT_H

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "base/effects.h"
#include "port/port.h"

namespace snic::testing {

class FakePort final : public port::Port {
 public:
  // The MSI-X vector a delivery records.
  static constexpr uint16_t kRxVector = 1;

  explicit FakePort(FnId fn) : Port(fn) {}

  struct Delivery {
    const uint8_t* data;         // what Deliver() was given
    std::vector<uint8_t> bytes;  // a copy of the frame
    eth::Offload offload;
  };
  std::vector<Delivery> delivered;
  // Answers of the next Deliver() calls; kDelivered once it is empty.
  std::deque<port::RxResult> script;
  // Runs inside Deliver(), after the frame was recorded.
  std::function<void(const uint8_t* frame, size_t len)> on_deliver;

  port::PortState& mutable_state() { return state_; }

  void SetLink(bool up, Effects&) override { state_.link_up = up; }
  uint64_t MmioRead(uint32_t, uint64_t, unsigned, Effects&) override {
    return 0;
  }
  port::PortEvents MmioWrite(uint32_t, uint64_t, uint64_t, unsigned,
                             Effects&) override {
    return {};
  }
  uint16_t num_tx_lanes() const override { return 1; }
  port::TxStatus PeekTx(uint16_t, uint8_t*, port::TxFrame*, Effects&) override {
    return port::TxStatus::kEmpty;
  }
  void ConsumeTx(uint16_t, Effects&) override {}
  void EndTxBatch(uint16_t, Effects&) override {}

  bool Announce(Effects&) override { return false; }
  void Quiesce() override {}
  void Encode(migration::Encoder&) const override {}
  std::unique_ptr<port::PortImage> Decode(migration::Decoder&) const override {
    return std::make_unique<port::PortImage>();
  }
  void Commit(const port::PortImage&) override {}

  port::RxResult Deliver(const uint8_t* frame, size_t len,
                         const eth::Offload& offload, Effects& fx) override {
    delivered.push_back(
        {frame, std::vector<uint8_t>(frame, frame + len), offload});
    if (on_deliver) on_deliver(frame, len);
    port::RxResult r = port::RxResult::kDelivered;
    if (!script.empty()) {
      r = script.front();
      script.pop_front();
    }
    if (r == port::RxResult::kDelivered) {
      stats_.rx_packets++;
      fx.Msix(fn(), kRxVector);
    }
    return r;
  }

 protected:
  void ResetFunction(Effects&) override {}
  port::PortEvents Resume(Effects&) override { return {}; }
};

}  // namespace snic::testing

#endif  // SNIC_TESTS_FAKES_FAKE_PORT_H
