// sriov-nic core: the controlq of a virtio-net function (virtio 1.2
// 5.1.6.5): takes commands off the ring, executes them (control.cc),
// writes the ack and books the counters.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <string>

#include "control.h"
#include "function.h"

namespace snic::virtio_net {

using virtio::DescriptorChain;
using virtio::Reader;
using virtio::Writer;

void Function::ProcessControl(Effects& fx, port::PortEvents* ev) {
  const uint16_t cq = CtrlQueue();
  if (!QueueLive(cq)) {
    return;
  }
  virtio::Virtqueue& q = transport_.queue(cq);
  const virtio::GuestMemory mem = Mem();
  uint16_t done = 0;
  while (done < q.size()) {
    DescriptorChain chain;
    bool got = false;
    if (Status s = q.Pop(mem, transport_.queue_features(), &chain, &got);
        !s.ok()) {
      Fail(s, fx);
      break;
    }
    if (!got) {
      break;
    }
    if (chain.readable_bytes() < sizeof(CtrlHdr) ||
        chain.writable_bytes() < 1) {
      Fail(Status::Invalid("control command without header or ack buffer"),
           fx);
      break;
    }
    Reader r(mem, chain);
    CtrlHdr hdr;
    if (Status s = r.ReadObj(&hdr); !s.ok()) {
      Fail(s, fx);
      break;
    }
    const ControlContext ctx{fn(), transport_.driver_features(),
                             state_.trusted(), macs_, max_pairs_};
    const ControlResult res = ExecuteControl(hdr, r, ctx, state_.filter);
    if (!res.dma.ok()) {
      Fail(res.dma, fx);
      break;
    }
    stats_.ctrl_commands++;
    if (res.ack != kCtrlOk) {
      stats_.ctrl_errors++;
    }
    if (res.refused_untrusted) {
      // Host policy, not a guest mistake: counted, not logged.
      stats_.ctrl_refused_untrusted++;
    } else if (res.ack != kCtrlOk) {
      GuestError((std::string("control command rejected: ") + res.error)
                     .c_str());
    }
    if (res.table_overflow) {
      stats_.mac_table_overflows++;
    }
    if (res.mac_changed) {
      transport_.BumpGeneration();
    }
    if (res.announce_acked && announce_) {
      announce_ = false;
      transport_.BumpGeneration();
    }
    if (res.set_guest_offloads) {
      SetGuestOffloads(res.guest_offloads);
    }
    switch (res.mq) {
      case ControlResult::Mq::kPairs:
        // Automatic steering over the pairs (5.1.6.5.5); the hash
        // configuration, if any, still decides hash reports.
        curr_pairs_ = res.pairs;
        rss_.steering = false;
        break;
      case ControlResult::Mq::kRss:
        curr_pairs_ = res.pairs;
        rss_ = res.rss;
        break;
      case ControlResult::Mq::kHash:
        rss_.hash_types = res.rss.hash_types;
        rss_.key_len = res.rss.key_len;
        rss_.key = res.rss.key;
        break;
      case ControlResult::Mq::kNone:
        break;
    }
    ev->changed |= res.filter_changed;
    Writer w(mem, chain);
    Status s = w.Write(&res.ack, 1);
    if (s.ok()) {
      s = q.Push(mem, chain.head(), 1);
    }
    if (!s.ok()) {
      Fail(s, fx);
      break;
    }
    done++;
  }
  if (done > 0 && !broken_) {
    NotifyQueue(cq, fx);
  }
}

}  // namespace snic::virtio_net
