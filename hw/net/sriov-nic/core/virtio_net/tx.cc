// sriov-nic core: the transmitqs of a virtio-net function (virtio 1.2
// 5.1.6.2), one TX lane each.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <string>

#include "function.h"
#include "net_hdr.h"

namespace snic::virtio_net {

using port::TxStatus;
using virtio::DescriptorChain;
using virtio::Reader;

// 5.1.6.2: what the driver asks of the device for this frame. Anything
// it did not negotiate, or that does not fit the frame, is malformed.
Status Function::ParseTxHeader(const NetHdr& hdr, const uint8_t* frame,
                               size_t len, eth::Offload* o) const {
  HdrCaps caps;
  caps.csum = transport_.Has(kFCsum);
  caps.tso4 = transport_.Has(kFHostTso4);
  caps.tso6 = transport_.Has(kFHostTso6);
  caps.ecn = transport_.Has(kFHostEcn);
  caps.uso = transport_.Has(kFHostUso);
  if (Status s = ParseNetHdr(hdr, frame, len, caps, o); !s.ok()) {
    return Status::Invalid(std::string("TX ") + s.message());
  }
  // DATA_VALID means nothing on transmit (5.1.6.2.1: the driver must not
  // set it); ignored, as QEMU does.
  o->data_valid = false;
  return Status::Ok();
}

TxStatus Function::PeekTx(uint16_t lane, uint8_t* buf, port::TxFrame* frame,
                          Effects& fx) {
  if (lane >= max_pairs_) {
    return TxStatus::kEmpty;
  }
  TxLane& l = tx_lanes_[lane];
  virtio::Virtqueue& q = transport_.queue(TxQueueOf(lane));
  if (l.peeked) {
    // The last peek was held: take the same chain again.
    q.Unpop(1);
    l.peeked = false;
  }
  if (!running()) {
    return TxStatus::kNotReady;
  }
  if (lane >= UsablePairs() || !q.enabled()) {
    return TxStatus::kEmpty;
  }
  const virtio::GuestMemory mem = Mem();
  DescriptorChain chain;
  bool got = false;
  if (Status s = q.Pop(mem, transport_.queue_features(), &chain, &got);
      !s.ok()) {
    Fail(s, fx);
    return TxStatus::kBroken;
  }
  if (!got) {
    return TxStatus::kEmpty;
  }

  const char* malformed = nullptr;
  Status bad_header;
  const uint64_t readable = chain.readable_bytes();
  const size_t hdr_len = HdrLen();
  uint64_t payload = 0;
  if (readable < hdr_len + eth::kHeaderLen) {
    malformed = "TX chain shorter than virtio_net_hdr + Ethernet header";
  } else if (readable - hdr_len > eth::kMaxFrameLen) {
    malformed = "TX frame longer than the device maximum";
  } else {
    payload = readable - hdr_len;
    Reader r(mem, chain);
    NetHdr hdr;
    Status s = r.ReadObj(&hdr);
    if (s.ok() && hdr_len > sizeof(hdr)) {
      // virtio_net_hdr_v1_hash: the hash fields mean nothing on transmit.
      s = r.Skip(hdr_len - sizeof(hdr));
    }
    if (s.ok()) {
      s = r.Read(buf, static_cast<size_t>(payload));
    }
    if (!s.ok()) {
      Fail(s, fx);
      return TxStatus::kBroken;
    }
    bad_header = ParseTxHeader(hdr, buf, static_cast<size_t>(payload),
                               &frame->offload);
    if (!bad_header.ok()) {
      malformed = bad_header.message();
    }
  }
  if (malformed != nullptr) {
    if (Status s = q.Push(mem, chain.head(), 0); !s.ok()) {
      Fail(s, fx);
      return TxStatus::kBroken;
    }
    l.completed = true;
    GuestError(malformed);
    stats_.tx_drop_malformed++;
    return TxStatus::kDropped;
  }
  l.peeked = true;
  l.head = chain.head();
  l.len = static_cast<uint32_t>(payload);
  frame->data = buf;
  frame->len = static_cast<size_t>(payload);
  return TxStatus::kFrame;
}

void Function::ConsumeTx(uint16_t lane, Effects& fx) {
  if (lane >= max_pairs_ || !tx_lanes_[lane].peeked) {
    return;
  }
  TxLane& l = tx_lanes_[lane];
  l.peeked = false;
  if (Status s = transport_.queue(TxQueueOf(lane)).Push(Mem(), l.head, 0);
      !s.ok()) {
    Fail(s, fx);
    return;
  }
  l.completed = true;
  stats_.tx_packets++;
  stats_.tx_bytes += l.len;
}

void Function::EndTxBatch(uint16_t lane, Effects& fx) {
  if (lane >= max_pairs_) {
    return;
  }
  TxLane& l = tx_lanes_[lane];
  if (l.completed && !broken_ && running()) {
    NotifyQueue(TxQueueOf(lane), fx);
  }
  l.completed = false;
}

}  // namespace snic::virtio_net
