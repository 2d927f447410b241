// sriov-nic core: the receiveqs of a virtio-net function (virtio 1.2
// 5.1.6.3, 5.1.6.4 mergeable buffers, 5.1.6.4.3 hash reports).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "function.h"
#include "net_hdr.h"

#include <algorithm>

namespace snic::virtio_net {

using port::RxResult;
using virtio::DescriptorChain;
using virtio::Writer;

// One frame goes into as many receive buffers as it needs: one without
// VIRTIO_NET_F_MRG_RXBUF (a frame that does not fit is dropped, the buffer
// stays), as many as it takes with it (num_buffers in the first buffer's
// header says how many; a frame larger than a whole ring of buffers is
// dropped). Buffers are published only when the
// whole frame is written, so a ring short of buffers gives them all back
// untouched (kNoBuffers: the sender may wait and retry).
// 5.1.6.4.1: the header a received frame gets. The forwarder delivers only
// offloads rx_offloads takes; anything else is left out (flags 0: the
// driver checks the checksums itself).
NetHdrHash Function::RxHeader(const uint8_t* frame, size_t len,
                              const eth::Offload& o,
                              const FrameHash& hash) const {
  const port::RxOffloads& rx = state_.rx_offloads;
  NetHdrHash h{};
  if (!rx.Takes(o) || !rx.csum) {
    h.hdr.num_buffers.set(1);
  } else {
    h.hdr = MakeNetHdr(o, frame, len);
  }
  if (hash.report != kReportNone) {
    h.hash_value.set(hash.value);
    h.hash_report.set(hash.report);
  }
  return h;
}

RxResult Function::Deliver(const uint8_t* frame, size_t len,
                           const eth::Offload& offload, Effects& fx) {
  if (!running()) {
    return RxResult::kNotReady;
  }
  FrameHash hash;
  uint16_t pair = 0;
  if (Multiqueue() || transport_.Has(kFHashReport)) {
    pair = SelectRxPair(rss_, curr_pairs_, frame, len, &hash);
  }
  if (!transport_.Has(kFHashReport)) {
    hash = FrameHash{};
  }
  const uint16_t rxq = RxQueueOf(pair);
  if (pair >= UsablePairs() || !QueueLive(rxq)) {
    // The driver steered the frame to a queue it has not set up.
    return RxResult::kNotReady;
  }
  virtio::Virtqueue& q = transport_.queue(rxq);
  const virtio::GuestMemory mem = Mem();
  const virtio::QueueFeatures qf = transport_.queue_features();
  const bool mergeable = transport_.Has(kFMrgRxbuf);
  const uint16_t max_bufs = mergeable ? q.size() : 1;

  const NetHdrHash full = RxHeader(frame, len, offload, hash);
  const auto* hbytes = reinterpret_cast<const uint8_t*>(&full);
  const uint64_t hdr_len = HdrLen();
  const uint64_t total = hdr_len + len;
  // Writes bytes [pos, pos + count) of the stream "header, then frame".
  auto write_stream = [&](Writer& w, uint64_t pos, uint64_t count) {
    if (pos < hdr_len) {
      const uint64_t n = std::min<uint64_t>(count, hdr_len - pos);
      if (Status s = w.Write(hbytes + pos, static_cast<size_t>(n)); !s.ok()) {
        return s;
      }
      pos += n;
      count -= n;
    }
    return count == 0 ? Status::Ok()
                      : w.Write(frame + (pos - hdr_len),
                                static_cast<size_t>(count));
  };

  DescriptorChain first;
  DescriptorChain next;
  uint16_t n = 0;
  uint64_t done = 0;
  while (done < total) {
    if (n == max_bufs) {
      // Even a full ring of these buffers cannot hold the frame.
      q.Unpop(n);
      stats_.rx_drop_too_small++;
      return RxResult::kTooSmall;
    }
    DescriptorChain& c = n == 0 ? first : next;
    bool got = false;
    if (Status s = q.Pop(mem, qf, &c, &got); !s.ok()) {
      Fail(s, fx);
      return RxResult::kBroken;
    }
    if (!got) {
      q.Unpop(n);
      return RxResult::kNoBuffers;
    }
    n++;
    if (c.writable_bytes() == 0) {
      // QEMU: "virtio-net receive queue contains no in buffers".
      Fail(Status::Invalid("RX buffer without a device-writable descriptor"),
           fx);
      return RxResult::kBroken;
    }
    if (n == 1 && c.writable_bytes() < (mergeable ? hdr_len : total)) {
      q.Unpop(n);
      if (mergeable) {
        GuestError("mergeable RX buffer smaller than virtio_net_hdr");
      }
      stats_.rx_drop_too_small++;
      return RxResult::kTooSmall;
    }
    Writer w(mem, c);
    const uint64_t chunk = std::min<uint64_t>(w.remaining(), total - done);
    Status s = write_stream(w, done, chunk);
    if (s.ok()) {
      s = q.Fill(mem, static_cast<uint16_t>(n - 1), c.head(),
                 static_cast<uint32_t>(chunk));
    }
    if (!s.ok()) {
      Fail(s, fx);
      return RxResult::kBroken;
    }
    done += chunk;
  }
  if (n > 1) {
    Le16 num;
    num.set(n);
    Writer w(mem, first);
    if (Status s = w.WriteAt(kNumBuffersOffset, &num, sizeof(num)); !s.ok()) {
      Fail(s, fx);
      return RxResult::kBroken;
    }
  }
  if (Status s = q.Flush(mem, n); !s.ok()) {
    Fail(s, fx);
    return RxResult::kBroken;
  }
  stats_.rx_packets++;
  stats_.rx_bytes += len;
  NotifyQueue(rxq, fx);
  return RxResult::kDelivered;
}

}  // namespace snic::virtio_net
