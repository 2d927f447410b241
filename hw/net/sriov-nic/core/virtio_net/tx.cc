// sriov-nic core: transmitq0 of a virtio-net function (virtio 1.2 5.1.6.2).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <string>

#include "function.h"

namespace snic::virtio_net {

using port::TxStatus;
using virtio::DescriptorChain;
using virtio::Reader;

// 5.1.6.2: what the driver asks of the device for this frame. Anything
// it did not negotiate, or that does not fit the frame, is malformed.
Status Function::ParseTxHeader(const NetHdr& hdr, const uint8_t* frame,
                                    size_t len, eth::Offload* o) const {
  *o = eth::Offload{};
  if (hdr.flags & kHdrFNeedsCsum) {
    if (!transport_.Has(kFCsum)) {
      return Status::Invalid("TX header asks for a checksum without VIRTIO_NET_F_CSUM");
    }
    o->needs_csum = true;
    o->csum_start = hdr.csum_start.get();
    o->csum_offset = hdr.csum_offset.get();
  }
  // DATA_VALID and RSC_INFO mean nothing on transmit (5.1.6.2.1: the driver
  // must not set them) and are ignored, as QEMU does.
  const uint8_t type = hdr.gso_type & static_cast<uint8_t>(~kGsoEcn);
  const bool ecn = (hdr.gso_type & kGsoEcn) != 0;
  switch (type) {
    case kGsoNone:
      if (ecn) {
        return Status::Invalid("TX header with the GSO ECN bit and no GSO type");
      }
      break;
    case kGsoTcpv4:
      if (!transport_.Has(kFHostTso4)) {
        return Status::Invalid("TX header asks for TSO4 without VIRTIO_NET_F_HOST_TSO4");
      }
      o->gso = eth::Gso::kTcp4;
      break;
    case kGsoTcpv6:
      if (!transport_.Has(kFHostTso6)) {
        return Status::Invalid("TX header asks for TSO6 without VIRTIO_NET_F_HOST_TSO6");
      }
      o->gso = eth::Gso::kTcp6;
      break;
    case kGsoUdpL4:
      if (!transport_.Has(kFHostUso)) {
        return Status::Invalid("TX header asks for USO without VIRTIO_NET_F_HOST_USO");
      }
      if (ecn) {
        return Status::Invalid("TX header with the GSO ECN bit on a UDP frame");
      }
      o->gso = eth::IpVersion(frame, len) == 6 ? eth::Gso::kUdp6
                                               : eth::Gso::kUdp4;
      break;
    default:
      return Status::Invalid("TX header with an unknown or unoffered gso_type");
  }
  if (ecn && !transport_.Has(kFHostEcn)) {
    return Status::Invalid("TX header asks for TSO with ECN without VIRTIO_NET_F_HOST_ECN");
  }
  if (o->gso != eth::Gso::kNone) {
    o->ecn = ecn;
    o->gso_size = hdr.gso_size.get();
    o->hdr_len = hdr.hdr_len.get();
  }
  if (!o->any()) {
    return Status::Ok();
  }
  if (Status s = eth::CheckOffload(frame, len, *o); !s.ok()) {
    return Status::Invalid(std::string("TX header does not fit the frame: ") +
                           s.message());
  }
  return Status::Ok();
}

TxStatus Function::PeekTx(uint16_t /*lane*/, uint8_t* buf,
                          port::TxFrame* frame, Effects& fx) {
  virtio::SplitQueue& q = transport_.queue(kTxQueue);
  if (tx_peeked_) {
    // The last peek was held: take the same chain again.
    q.Unpop(1);
    tx_peeked_ = false;
  }
  if (!running()) {
    return TxStatus::kNotReady;
  }
  if (!q.enabled()) {
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
  uint64_t payload = 0;
  if (readable < sizeof(NetHdr) + eth::kHeaderLen) {
    malformed = "TX chain shorter than virtio_net_hdr + Ethernet header";
  } else if (readable - sizeof(NetHdr) > eth::kMaxFrameLen) {
    malformed = "TX frame longer than the device maximum";
  } else {
    payload = readable - sizeof(NetHdr);
    Reader r(mem, chain);
    NetHdr hdr;
    Status s = r.ReadObj(&hdr);
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
    tx_completed_ = true;
    GuestError(malformed);
    stats_.tx_drop_malformed++;
    return TxStatus::kDropped;
  }
  tx_peeked_ = true;
  tx_peeked_head_ = chain.head();
  tx_peeked_len_ = static_cast<uint32_t>(payload);
  frame->data = buf;
  frame->len = static_cast<size_t>(payload);
  return TxStatus::kFrame;
}

void Function::ConsumeTx(uint16_t /*lane*/, Effects& fx) {
  if (!tx_peeked_) {
    return;
  }
  tx_peeked_ = false;
  if (Status s = transport_.queue(kTxQueue).Push(Mem(), tx_peeked_head_, 0);
      !s.ok()) {
    Fail(s, fx);
    return;
  }
  tx_completed_ = true;
  stats_.tx_packets++;
  stats_.tx_bytes += tx_peeked_len_;
}

void Function::EndTxBatch(uint16_t /*lane*/, Effects& fx) {
  if (tx_completed_ && !broken_ && running()) {
    NotifyQueue(kTxQueue, fx);
  }
  tx_completed_ = false;
}

}  // namespace snic::virtio_net
