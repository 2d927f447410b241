// Test double for SnicHostOps: guest memory as a byte vector, recorded
// interrupts, uplink frames and log lines. Lives in tests/, never in the
// core. Like QEMU it routes DMA that lands on a function's BAR to the core
// (bar_windows), failing the DMA when the core refuses it, and answers a
// purge with the send-done callback.
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_FAKES_FAKE_HOST_H
#define SNIC_TESTS_FAKES_FAKE_HOST_H

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sriov_nic/sriov_nic.h"

namespace snic::testing {

class FakeHost {
 public:
  explicit FakeHost(size_t mem_size = 1 << 20) : mem(mem_size, 0) {}

  // Guest RAM: [0, mem.size()). Accesses outside fail like an unmapped DMA.
  std::vector<uint8_t> mem;
  // Functions whose DMA fails (an IOMMU without mappings, say).
  std::vector<SnicFn> dma_blocked;
  // IOMMU faults of one function on part of its address space: its DMA
  // touching [base, base + len) fails, only its writes when write_only (a
  // read-only mapping), as QEMU's pci_dma_read/write through a vIOMMU
  // with no (writable) mapping there.
  struct DmaFault {
    SnicFn fn;
    uint64_t base;
    uint64_t len;
    bool write_only;
  };
  std::vector<DmaFault> dma_faults;
  // Guest-physical windows that are a function's BAR 0 regions: DMA there
  // becomes an MMIO access of that function (as QEMU's memory dispatch).
  struct BarWindow {
    uint64_t base;  // guest-physical address of BAR 0
    SnicFn fn;
  };
  std::vector<BarWindow> bar_windows;
  SnicCore* core = nullptr;  // for the routed accesses and callbacks

  std::vector<std::pair<SnicFn, uint16_t>> msix;
  std::vector<std::pair<SnicFn, bool>> intx;
  std::vector<std::vector<uint8_t>> uplink_frames;
  // The header of each uplink frame, when vnet headers are on.
  std::vector<SnicNetHdr> uplink_hdrs;
  std::vector<std::string> guest_errors;
  std::vector<std::pair<SnicFn, uint64_t>> dma_writes;  // fn, address
  bool record_dma_writes = false;
  bool msix_on = true;
  bool uplink_accepts = true;
  int flushes = 0;
  int purges = 0;
  // The VF netdev links (link_* ops): frames sent out of each, with
  // their header when the link has vnet headers (else a zero header).
  struct LinkFrame {
    uint16_t link;
    std::vector<uint8_t> frame;
    bool has_hdr;
    SnicNetHdr hdr;
  };
  std::vector<LinkFrame> link_frames;
  bool link_accepts = true;
  int link_flushes = 0;
  int link_purges = 0;
  std::vector<uint8_t> LinkFrameAt(uint16_t link, size_t i) const {
    for (const LinkFrame& f : link_frames) {
      if (f.link == link && i-- == 0) return f.frame;
    }
    return {};
  }
  size_t LinkFrameCount(uint16_t link) const {
    size_t n = 0;
    for (const LinkFrame& f : link_frames) n += f.link == link;
    return n;
  }
  // Runs inside uplink_flush / uplink_send, as QEMU delivers frames
  // synchronously (qemu_flush_queued_packets -> receive, slirp answering
  // at once): exercises core re-entrancy.
  std::function<void()> on_flush;
  std::function<void(const std::vector<uint8_t>&)> on_send;
  // Runs after every DMA write into RAM, inside the core's state change
  // (as a DMA that also lands in config space, or a device model that
  // QEMU runs from the write): exercises calls made from the core's DMA.
  std::function<void(SnicFn, uint64_t)> on_dma_write;
  int runs_scheduled = 0;
  uint64_t now = 0;
  uint64_t timer_deadline = 0;
  int timers_armed = 0;

  const SnicHostOps& ops() const { return ops_; }
  void* opaque() { return this; }

  bool InRange(uint64_t addr, size_t len) const {
    return addr <= mem.size() && len <= mem.size() - addr;
  }
  bool Blocked(SnicFn fn) const {
    for (SnicFn b : dma_blocked) {
      if (b == fn) return true;
    }
    return false;
  }
  bool Faults(SnicFn fn, uint64_t addr, size_t len, bool write) const {
    for (const DmaFault& f : dma_faults) {
      if (f.fn != fn || (f.write_only && !write)) continue;
      if (addr < f.base + f.len && f.base < addr + len) return true;
    }
    return false;
  }
  std::vector<std::string> TakeErrors() {
    auto e = std::move(guest_errors);
    guest_errors.clear();
    return e;
  }

 private:
  static FakeHost* Self(void* o) { return static_cast<FakeHost*>(o); }

  // -1: not a BAR; 0: the access went to the device; 1: refused.
  int RouteToBar(uint64_t addr, size_t len, bool write, void* buf) {
    if (core == nullptr) return -1;
    const SnicLayout* l = snic_core_layout(core);
    for (const BarWindow& w : bar_windows) {
      if (addr < w.base || addr - w.base >= l->bar_size) continue;
      const uint64_t off = addr - w.base;
      for (uint32_t r = 0; r < l->num_regions; ++r) {
        const SnicRegionInfo& ri = l->regions[r];
        if (off < ri.offset || off - ri.offset >= ri.size) continue;
        const unsigned size = len >= 8 ? 8 : len >= 4 ? 4 : len >= 2 ? 2 : 1;
        bool ok;
        if (write) {
          uint64_t v = 0;
          std::memcpy(&v, buf, size);
          ok = snic_core_mmio_write(core, w.fn, r, off - ri.offset, v, size);
        } else {
          uint64_t v = 0;
          ok = snic_core_mmio_read(core, w.fn, r, off - ri.offset, size, &v);
          std::memcpy(buf, &v, size);
        }
        return ok ? 0 : 1;
      }
      return 0;  // MSI-X table / unused: absorbed
    }
    return -1;
  }

  static int DmaRead(void* o, SnicFn fn, uint64_t addr, void* buf, size_t len) {
    FakeHost* h = Self(o);
    if (h->Blocked(fn) || h->Faults(fn, addr, len, false)) return -1;
    const int r = h->RouteToBar(addr, len, false, buf);
    if (r >= 0) return r;
    if (!h->InRange(addr, len)) return -1;
    std::memcpy(buf, h->mem.data() + addr, len);
    return 0;
  }
  static int DmaWrite(void* o, SnicFn fn, uint64_t addr, const void* buf,
                      size_t len) {
    FakeHost* h = Self(o);
    if (h->Blocked(fn) || h->Faults(fn, addr, len, true)) return -1;
    if (h->record_dma_writes) h->dma_writes.emplace_back(fn, addr);
    const int r = h->RouteToBar(addr, len, true, const_cast<void*>(buf));
    if (r >= 0) return r;
    if (!h->InRange(addr, len)) return -1;
    std::memcpy(h->mem.data() + addr, buf, len);
    if (h->on_dma_write) h->on_dma_write(fn, addr);
    return 0;
  }
  static int DmaReadU16(void* o, SnicFn fn, uint64_t addr, uint16_t* v) {
    uint8_t b[2];
    if (DmaRead(o, fn, addr, b, 2) != 0) return -1;
    *v = uint16_t(b[0] | b[1] << 8);
    return 0;
  }
  static void MsixNotify(void* o, SnicFn fn, uint16_t v) {
    Self(o)->msix.emplace_back(fn, v);
  }
  static void SetIntx(void* o, SnicFn fn, bool level) {
    Self(o)->intx.emplace_back(fn, level);
  }
  static bool MsixEnabled(void* o, SnicFn) { return Self(o)->msix_on; }
  static bool UplinkSend(void* o, const uint8_t* f, size_t len) {
    FakeHost* h = Self(o);
    h->uplink_frames.emplace_back(f, f + len);
    if (h->on_send) h->on_send(h->uplink_frames.back());
    return h->uplink_accepts;
  }
  static bool UplinkSendHdr(void* o, const SnicNetHdr* hdr, const uint8_t* f,
                            size_t len) {
    Self(o)->uplink_hdrs.push_back(*hdr);
    return UplinkSend(o, f, len);
  }
  static void UplinkFlush(void* o) {
    Self(o)->flushes++;
    if (Self(o)->on_flush) Self(o)->on_flush();
  }
  static void UplinkPurge(void* o) {
    FakeHost* h = Self(o);
    h->purges++;
    if (!h->uplink_frames.empty()) h->uplink_frames.pop_back();
    if (h->core) snic_core_uplink_send_done(h->core);  // as QEMU's purge
  }
  static bool LinkSend(void* o, uint16_t link, const SnicNetHdr* hdr,
                       const uint8_t* f, size_t len) {
    FakeHost* h = Self(o);
    h->link_frames.push_back(
        {link, std::vector<uint8_t>(f, f + len), hdr != nullptr,
         hdr != nullptr ? *hdr : SnicNetHdr{}});
    return h->link_accepts;
  }
  static void LinkFlush(void* o, uint16_t) {
    Self(o)->link_flushes++;
    if (Self(o)->on_flush) Self(o)->on_flush();
  }
  static void LinkPurge(void* o, uint16_t link) {
    FakeHost* h = Self(o);
    h->link_purges++;
    for (size_t i = h->link_frames.size(); i-- > 0;) {
      if (h->link_frames[i].link == link) {
        h->link_frames.erase(h->link_frames.begin() + i);
        break;
      }
    }
    if (h->core) snic_core_link_send_done(h->core, link);  // as QEMU's purge
  }
  static void ScheduleRun(void* o) { Self(o)->runs_scheduled++; }
  static void TimerArm(void* o, uint64_t d) {
    Self(o)->timer_deadline = d;
    Self(o)->timers_armed++;
  }
  static uint64_t NowNs(void* o) { return Self(o)->now; }
  static void GuestError(void* o, SnicFn, const char* m) {
    Self(o)->guest_errors.emplace_back(m);
  }

  SnicHostOps ops_{DmaRead,     DmaWrite,   DmaReadU16,  MsixNotify,  SetIntx,
                   MsixEnabled, UplinkSend, UplinkFlush, UplinkPurge,
                   ScheduleRun, TimerArm,   NowNs,       GuestError,
                   UplinkSendHdr, LinkSend, LinkFlush,  LinkPurge};
};

struct CoreDeleter {
  void operator()(SnicCore* c) const { snic_core_free(c); }
};
using CorePtr = std::unique_ptr<SnicCore, CoreDeleter>;

// The configuration the tests use: PF MAC 52:54:00:12:34:56, MTU 1500,
// queues of up to 256 entries.
inline SnicConfig TestConfig(uint16_t total_vfs) {
  SnicConfig c{};
  c.total_vfs = total_vfs;
  const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
  std::memcpy(c.pf_mac, mac, 6);
  c.mtu = 1500;
  c.queue_size = 256;
  return c;
}

}  // namespace snic::testing

#endif  // SNIC_TESTS_FAKES_FAKE_HOST_H
