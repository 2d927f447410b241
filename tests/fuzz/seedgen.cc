// Writes the seed corpus of core_fuzz (tests/fuzz/corpus/): small inputs
// that reach a full init, traffic between VFs, uplink RX, holds, resets,
// policy changes, control commands and a few hostile rings.
//   seedgen OUT_DIR
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cstdio>
#include <string>
#include <vector>

#include "fuzz_format.h"

using namespace snic::fuzz;

namespace {

// Header: total_vfs index, queue size index, mtu index, ram index, fill,
// start flags, PF MAC byte, driver variant.
Encoder Hdr(unsigned vfs = 0, uint8_t flags = kStartEnableVfs | kStartInit |
                                              kStartPostRx,
            uint8_t variant = 0, uint8_t ram = 3, uint8_t qsize = 1) {
  return Encoder({static_cast<uint8_t>(vfs), qsize, 0, ram, 0, flags, 0x56,
                  variant});
}

// dst selector for PickMac: function f's MAC.
uint8_t To(unsigned f) { return static_cast<uint8_t>(4 + 8 * f); }
constexpr uint8_t kBcast = 0, kMcast = 1, kRemote = 2;

Encoder& Send(Encoder& e, unsigned fn, uint8_t dst, uint16_t len = 2 + 16 * 40,
              uint8_t mode = 0, uint8_t vlan = 0) {
  return e.op(kSend).u8(fn).u8(dst).u8(0).u8(vlan).u16(len).u8(mode);
}
Encoder& Run(Encoder& e) { return e.op(kRun); }
Encoder& Timer(Encoder& e, uint8_t delta = 8) {
  return e.op(kTimer).u8(delta).u8(0);
}
Encoder& Setting(Encoder& e, unsigned vf, unsigned which, unsigned value) {
  return e.op(kVfSetting).u8(vf).u8(which).u8(value);
}
Encoder& Uplink(Encoder& e, uint8_t dst, uint8_t vlan = 0, uint16_t len = 1,
                uint8_t mode = 0) {
  return e.op(kUplinkFrame).u8(dst).u8(vlan).u16(len).u8(mode);
}

// An L4 frame (kSendOffload / kUplinkOffload) of @payload bytes (< 16000,
// or a multiple of 4 up to 64500).
uint16_t L4Len(unsigned payload) {
  const unsigned p = payload > 9 ? payload - 9 : 0;
  if (p < 200) return static_cast<uint16_t>(p << 2);
  if (p < 4000) return static_cast<uint16_t>(p << 2 | 1);
  if (p < 16000) return static_cast<uint16_t>(p << 2 | 2);
  return static_cast<uint16_t>((p / 4) << 2 | 3);
}
// gso_size @mss (64..9063), or 1..128 with tiny.
uint16_t Mss(unsigned mss, bool tiny = false) {
  return static_cast<uint16_t>(tiny ? 0x8000 | (mss - 1) : mss - 64);
}
Encoder& Off(Encoder& e, unsigned fn, uint8_t dst, unsigned payload,
             uint8_t kind, uint16_t mss = Mss(1448), uint8_t fuzz = 0,
             uint16_t fval = 0, uint8_t vlan = 0) {
  return e.op(kSendOffload).u8(fn).u8(dst).u8(vlan).u16(L4Len(payload))
      .u8(kind).u16(mss).u8(fuzz).u16(fval);
}
Encoder& UpOff(Encoder& e, uint8_t dst, unsigned payload, uint8_t kind,
               uint16_t mss = Mss(1448), uint8_t fuzz = 0, uint16_t fval = 0,
               uint8_t vlan = 0) {
  return e.op(kUplinkOffload).u8(dst).u8(vlan).u16(L4Len(payload)).u8(kind)
      .u16(mss).u8(fuzz).u16(fval);
}
// Header[1] for the offload variants: all functions negotiate @variant
// (kOffload*), the uplink with a vnet header (and USO).
uint8_t OffQ(uint8_t variant = kOffloadAll, bool vnet = false,
             bool uso = false) {
  return static_cast<uint8_t>(1 | 0x08 | variant << 4 | (vnet ? 0x40 : 0) |
                              (uso ? 0x80 : 0));
}
// Re-initializes fn with offload variant @v (or none) and 4 KiB buffers.
Encoder& OffInit(Encoder& e, unsigned fn, int v) {
  const uint8_t rx = static_cast<uint8_t>(6 | 3 << 3 |
                                          (v < 0 ? 0 : kRxOffloads | v << 6));
  e.op(kDriverInit).u8(fn).u8(0).u8(0).u8(rx);
  return e.op(kPostRx).u8(fn).u8(255).u8(0);
}
// A guest-offloads control command of fn: a = kControl's bits.
Encoder& GuestOff(Encoder& e, unsigned fn, uint8_t a, uint8_t b = 0) {
  return e.op(kControl).u8(fn).u8(0xf0).u8(a).u8(b);
}

void Write(const std::string& dir, const std::string& name, const Encoder& e) {
  const std::string path = dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::perror(path.c_str());
    return;
  }
  std::fwrite(e.data().data(), 1, e.data().size(), f);
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: seedgen OUT_DIR\n");
    return 2;
  }
  const std::string d = argv[1];

  {  // VF0 -> VF1 unicast, then broadcast, then to the uplink
    Encoder e = Hdr();
    Send(e, 1, To(2));
    Send(e, 1, kBcast);
    Send(e, 2, kRemote);
    Run(e);
    Write(d, "traffic-vf-vf", e);
  }
  {  // every function to every other one
    Encoder e = Hdr(4);
    for (unsigned s = 0; s < 9; ++s) {
      for (unsigned t = 0; t < 9; ++t) {
        if (s != t) Send(e, s, To(t), static_cast<uint16_t>(2 + 16 * (s * 9 + t)));
      }
    }
    Run(e);
    Write(d, "traffic-mesh", e);
  }
  {  // big frames: jumbo, 64 KiB, too long; mergeable RX of small buffers
    Encoder e = Hdr(1, kStartEnableVfs | kStartInit, 0, 3, 1);
    e.op(kDriverInit).u8(2).u8(0).u8(2).u8(2 + 8 * 3);  // 64-byte buffers
    e.op(kPostRx).u8(2).u8(255).u8(0);
    Send(e, 1, To(2), 12);
    Send(e, 1, To(2), 13);
    Send(e, 1, To(2), 14);
    Send(e, 1, To(2), 15 + 16 * 100);
    Run(e);
    Write(d, "traffic-big", e);
  }
  {  // indirect, split header, no kick then kick
    Encoder e = Hdr(2);
    Send(e, 1, To(2), 2 + 16 * 100, kSendIndirect);
    Send(e, 1, To(2), 2 + 16 * 100, kSendSplitHdr);
    Send(e, 1, To(2), 2 + 16 * 100, kSendSplitHdr | kSendIndirect | kSendNoKick);
    e.op(kKick).u8(1).u8(1);
    Run(e);
    Write(d, "traffic-indirect", e);
  }
  {  // malformed TX: short chains, offload header
    Encoder e = Hdr();
    Send(e, 1, To(2), 0 + 16 * 5);
    Send(e, 1, To(2), 1, kSendBadHdr);
    Send(e, 1, To(2), 2 + 16 * 3);
    Run(e);
    Write(d, "traffic-malformed", e);
  }
  {  // variants: no mergeable, no event idx, no indirect, no ctrl, 64-bit writes
    for (uint8_t v : {1, 2, 4, 8, 16, 3}) {
      Encoder e = Hdr(3, kStartEnableVfs | kStartInit | kStartPostRx, v);
      Send(e, 1, To(3));
      Send(e, 3, To(1));
      Run(e);
      Uplink(e, To(1));
      Write(d, "variant-" + std::to_string(v), e);
    }
  }
  {  // INTx on the PF, MSI-X off everywhere
    Encoder e = Hdr(0, kStartEnableVfs | kStartInit | kStartPostRx | kStartNoMsix);
    Send(e, 0, To(1));
    Send(e, 1, To(0));
    Run(e);
    e.op(kMmioRead).u8(0).u8(1).u16(0).u8(0);
    Write(d, "intx", e);
  }
  {  // uplink RX to each VF, broadcast, multicast, tagged
    Encoder e = Hdr(4);
    for (unsigned f = 0; f < 9; ++f) Uplink(e, To(f), 0, static_cast<uint16_t>(1 + 8 * f));
    Uplink(e, kBcast);
    Uplink(e, kMcast);
    Uplink(e, To(1), 4 + 8 * 10, 2);
    Uplink(e, To(1), 5, 3);
    Uplink(e, kRemote);
    Write(d, "uplink-rx", e);
  }
  {  // uplink RX hold: VF1 has no RX buffers; the timer ends the hold
    Encoder e = Hdr(0, kStartEnableVfs | kStartInit);
    Uplink(e, To(1));
    Uplink(e, To(1));
    e.op(kClock).u8(4);
    Timer(e, 8);
    e.op(kPostRx).u8(1).u8(4).u8(0);
    Uplink(e, To(1));
    Write(d, "hold-uplink", e);
  }
  {  // uplink RX hold released by posting buffers
    Encoder e = Hdr(0, kStartEnableVfs | kStartInit);
    Uplink(e, To(2));
    e.op(kPostRx).u8(2).u8(2).u8(0);
    Uplink(e, To(2), 0, 1, 0x10);
    Write(d, "hold-uplink-release", e);
  }
  {  // TX hold: VF0 -> VF1 without RX buffers, the timer expires it
    Encoder e = Hdr(0, kStartEnableVfs | kStartInit);
    Send(e, 1, To(2));
    Send(e, 1, To(2));
    Send(e, 3, To(2));
    Run(e);
    e.op(kClock).u8(4);
    Timer(e, 8);
    Run(e);
    e.op(kPostRx).u8(2).u8(1).u8(0);
    Send(e, 1, To(2));
    Run(e);
    Write(d, "hold-tx", e);
  }
  {  // TX hold released by RX buffers
    Encoder e = Hdr(0, kStartEnableVfs | kStartInit);
    Send(e, 1, To(2));
    Run(e);
    e.op(kPostRx).u8(2).u8(8).u8(0);
    Run(e);
    Write(d, "hold-tx-release", e);
  }
  {  // the netdev is busy: frames wait for send_done
    Encoder e = Hdr(0, kStartEnableVfs | kStartInit | kStartPostRx);
    e.op(kUplinkMode).u8(2);
    Send(e, 1, kRemote);
    Send(e, 1, kRemote);
    Send(e, 2, kBcast);
    Run(e);
    e.op(kSendDone).u8(0);
    Run(e);
    e.op(kUplinkMode).u8(0);
    e.op(kSendDone).u8(0);
    Run(e);
    Write(d, "uplink-busy", e);
  }
  {  // busy netdev, the sender is reset: purge
    Encoder e = Hdr(0, kStartEnableVfs | kStartInit | kStartPostRx);
    e.op(kUplinkMode).u8(2);
    Send(e, 1, kRemote);
    Send(e, 1, kRemote);
    Run(e);
    e.op(kReset).u8(1);
    Run(e);
    e.op(kDriverInit).u8(1).u8(0).u8(3).u8(0);
    Send(e, 1, kRemote);
    Run(e);
    Write(d, "uplink-purge", e);
  }
  {  // resets in the middle of traffic: FLR, device status 0, NumVFs
    Encoder e = Hdr();
    Send(e, 1, To(2));
    Send(e, 2, To(1));
    e.op(kReset).u8(2);
    Run(e);
    e.op(kMmioWrite).u8(1).u8(0).u16(0x14).u8(0).u64(0);
    Run(e);
    e.op(kSetNumVfs).u8(2);
    Send(e, 0, To(3));
    Run(e);
    e.op(kSetNumVfs).u8(8);
    e.op(kDriverInit).u8(3).u8(0).u8(3).u8(0);
    e.op(kPostRx).u8(3).u8(8).u8(0);
    Send(e, 0, To(3));
    Run(e);
    Write(d, "resets", e);
  }
  {  // Bus Master Enable off with work queued, then on
    Encoder e = Hdr();
    e.op(kBusMaster).u8(2).u8(0);
    Send(e, 1, To(2));
    Send(e, 2, To(1));
    Run(e);
    e.op(kControl).u8(2).u8(0).u8(0).u8(1);
    e.op(kBusMaster).u8(2).u8(1);
    Run(e);
    e.op(kTimer).u8(8).u8(0);
    Write(d, "bme", e);
  }
  {  // policy: port VLANs, trunk with tags
    Encoder e = Hdr(4);
    Setting(e, 0, 1, 2);  // VF0 vlan 10
    Setting(e, 1, 1, 2);  // VF1 vlan 10
    Setting(e, 2, 1, 3);  // VF2 vlan 20
    Setting(e, 0, 2, 5);  // VF0 qos 5
    Send(e, 1, To(2));
    Send(e, 1, To(3));
    Send(e, 1, kBcast);
    Send(e, 1, kRemote);
    Send(e, 4, To(1), 2 + 16 * 50, 0, 4 + 8 * 1);  // VF3 (trunk) tagged vid 10
    Send(e, 0, To(1), 2 + 16 * 50, 0, 4 + 8 * 1);  // PF tagged vid 10
    Run(e);
    Uplink(e, To(1), 4 + 8 * 10);
    Uplink(e, To(1), 3);
    Uplink(e, kBcast, 3);
    Write(d, "policy-vlan", e);
  }
  {  // policy: spoofchk on/off with spoofed frames
    Encoder e = Hdr(0);
    Send(e, 1, To(2), 2 + 16 * 40, kSendSpoof);
    Setting(e, 0, 3, 1);  // spoofchk off
    Send(e, 1, To(2), 2 + 16 * 40, kSendSpoof);
    Send(e, 1, kBcast, 2 + 16 * 40, kSendSpoof);
    Run(e);
    Write(d, "policy-spoof", e);
  }
  {  // policy: link-state disable / enable, uplink link down
    Encoder e = Hdr(0);
    Setting(e, 1, 5, 2);  // VF1 disable
    Send(e, 1, To(2));
    Send(e, 2, To(1));
    Send(e, 2, kBcast);
    Run(e);
    Uplink(e, To(2));
    Setting(e, 1, 5, 1);  // enable
    e.op(kLink).u8(0);
    Send(e, 2, kRemote);
    Send(e, 1, To(0));
    Run(e);
    e.op(kLink).u8(1);
    Write(d, "policy-link", e);
  }
  {  // policy: trust, promisc, MAC changes from the guest
    Encoder e = Hdr(0);
    e.op(kControl).u8(1).u8(0).u8(0).u8(1);  // promisc refused (untrusted)
    Setting(e, 0, 4, 0);                      // trust on
    e.op(kControl).u8(1).u8(0).u8(0).u8(1);  // promisc
    e.op(kControl).u8(1).u8(2).u8(0).u8(9);  // MAC_ADDR_SET
    e.op(kControl).u8(1).u8(1).u8(3).u8(2);  // MAC table
    e.op(kControl).u8(2).u8(3).u8(0).u8(10); // VLAN add
    Send(e, 2, To(3));
    Send(e, 2, To(1));
    Run(e);
    Write(d, "policy-trust", e);
  }
  {  // policy: rate limit, then traffic over the timer
    Encoder e = Hdr(0);
    Setting(e, 0, 6, 1);  // 1 Mbit/s
    for (int i = 0; i < 6; ++i) Send(e, 1, To(2), 10);
    Run(e);
    Timer(e, 10);
    Run(e);
    Timer(e, 11);
    Run(e);
    Write(d, "policy-rate", e);
  }
  {  // policy: specs and whole policies, good and bad strings
    Encoder e = Hdr(0);
    e.op(kVfSpec).u8(1).u8(3).u8(0).u8(2).u8(1).u8(3).u8(9).u8(0);
    e.op(kVfSpec).u8(3).u8(2).u8(9).u8(1).u8(2).u8(0);
    e.op(kVfSpec).u8(0x80).u8(0xff).u8(5).bytes("vlan\x08" "0=1/9=x");
    e.op(kVfSpec).u8(0).u8(2).u8(0).u8(4 + 8).u8(1).u8(4 + 16);
    e.op(kVfPolicy).u8(2).u8(1).u16(30).u8(3).u8(0xff).u32(100);
    e.op(kVfPolicy).u8(3).u8(0).u16(0).u8(4).u8(2).u32(0);
    Setting(e, 1, 0x80, 0xff).u8(6).bytes("trust\x02on");
    Setting(e, 1, 0, 0x85);
    e.op(kGetters).u8(1).u8(3);
    Send(e, 3, To(4));
    Run(e);
    Write(d, "policy-strings", e);
  }
  {  // control queue: every class, bad ones too
    Encoder e = Hdr(0);
    for (unsigned k = 0; k < 8; ++k) e.op(kControl).u8(1).u8(k).u8(k * 37).u8(k * 11);
    e.op(kControl).u8(0).u8(1).u8(69).u8(69);
    Write(d, "control", e);
  }
  {  // hostile: a ring aimed at a BAR (notify region of VF1)
    Encoder e = Hdr(0, kStartEnableVfs);
    e.op(kDriverInit).u8(1).u8(0).u8(3).u8(0);
    // queue 0 desc address -> PickAddr(2: BAR of fn 1, notify)
    e.op(kMmioWrite).u8(1).u8(0).u16(0x14).u8(0).u64(0);
    e.op(kMmioWrite).u8(1).u8(0).u16(0x16).u8(1).u64(0);
    e.op(kMmioWrite).u8(1).u8(0).u16(0x20).u8(3).u64(0x200000 + 0x8000 + 0x3000);
    e.op(kMmioWrite).u8(1).u8(0).u16(0x1c).u8(1).u64(1);
    e.op(kMmioWrite).u8(1).u8(0).u16(0x14).u8(0).u64(15);
    Uplink(e, To(1));
    Write(d, "hostile-ring-at-bar", e);
  }
  {  // hostile: RX buffer pointing at a BAR, descriptor loop, bad head
    Encoder e = Hdr(0);
    e.op(kRingHack).u8(2).u8(0).u8(0).u16(0).u8(2 + 8 * 2).u32(0).u32(64).u16(2).u16(0);
    e.op(kRingHack).u8(2).u8(0).u8(1).u16(0).u8(0).u32(0).u32(0).u16(0).u16(0);
    Send(e, 1, To(2));
    Run(e);
    e.op(kRingHack).u8(3).u8(1).u8(0).u16(5).u8(6).u32(0).u32(64).u16(1).u16(5);
    e.op(kRingHack).u8(3).u8(1).u8(1).u16(5).u8(0).u32(0).u32(0).u16(0).u16(0);
    e.op(kKick).u8(3).u8(1);
    Run(e);
    e.op(kRingHack).u8(4).u8(1).u8(2).u16(0x4000).u8(0).u32(0).u32(0).u16(0).u16(0);
    e.op(kKick).u8(4).u8(1);
    Run(e);
    Write(d, "hostile-rings", e);
  }
  {  // hostile: MSI-X aimed at a doorbell, DMA blocked, memory garbage
    Encoder e = Hdr(0);
    e.op(kMsixEntry).u8(2).u8(1).u8(1 + 8 * 2).u32(4 * 1).u32(1);
    Send(e, 1, To(2));
    Run(e);
    e.op(kDmaBlock).u8(1).u8(1);
    Send(e, 1, To(2));
    Run(e);
    e.op(kMemWrite).u8(7 + 8 * 2).u32(1).u8(16).bytes("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff");
    Uplink(e, To(2));
    Write(d, "hostile-msix-dma", e);
  }
  {  // hostile: the netdev answers synchronously; a DMA into another device
    Encoder e = Hdr(0);
    e.op(kSyncAnswer).u8(3);
    Send(e, 1, kRemote);
    Run(e);
    e.op(kRingHack).u8(2).u8(0).u8(0).u16(0).u8(3).u32(1).u32(2048).u16(2).u16(0);
    e.op(kRingHack).u8(2).u8(0).u8(1).u16(0).u8(0).u32(0).u32(0).u16(0).u16(0);
    Uplink(e, To(2));
    Write(d, "hostile-sync", e);
  }
  {  // a frame between VFs whose RX buffer is another device's doorbell,
     // which answers at once: a receive from inside the core's DMA
    Encoder e = Hdr(0);
    e.op(kSyncAnswer).u8(2);
    e.op(kRingHack).u8(2).u8(0).u8(0).u16(0).u8(3).u32(1).u32(2048).u16(2).u16(0);
    Send(e, 1, To(2));
    Run(e);
    Write(d, "hostile-nested-receive", e);
  }
  {  // rings and buffers in a BAR: reads the core must refuse
    Encoder e = Hdr(0);
    e.op(kQueueHack).u8(1).u8(1).u8(0).u8(2 + 8 * 1).u32(1).u8(0);
    e.op(kKick).u8(1).u8(1);
    Run(e);
    e.op(kRingHack).u8(2).u8(1).u8(0).u16(0).u8(2 + 8 * 3).u32(1).u32(64).u16(0).u16(0);
    e.op(kRingHack).u8(2).u8(1).u8(1).u16(0).u8(0).u32(0).u32(0).u16(0).u16(0);
    e.op(kKick).u8(2).u8(1);
    Run(e);
    e.op(kQueueHack).u8(3).u8(0).u8(2).u8(2 + 8 * 3).u32(3).u8(0);
    Uplink(e, To(3));
    Write(d, "hostile-bar-rings", e);
  }
  {  // misaligned rings, a disabled TX queue under DRIVER_OK, tiny
     // mergeable RX buffer
    Encoder e = Hdr(0);
    e.op(kQueueHack).u8(1).u8(0).u8(0).u8(1).u32(0x05000100).u8(kQhackMisalign);
    e.op(kQueueHack).u8(2).u8(0).u8(0).u8(1 + 8 * 2).u32(0x100).u8(0x20);
    Run(e);
    e.op(kRingHack).u8(3).u8(0).u8(0).u16(0).u8(1 + 8 * 3).u32(0x100).u32(8).u16(2).u16(0);
    Uplink(e, To(3));
    Write(d, "hostile-queue-layout", e);
  }
  {  // DMA faults: writes only, reads only, after a few DMAs
    Encoder e = Hdr(0);
    e.op(kDmaBlock).u8(1).u8(2);
    Send(e, 1, To(2));
    Run(e);
    e.op(kDmaBlock).u8(2).u8(3);
    Uplink(e, To(2));
    e.op(kDmaBlock).u8(3).u8(4).u8(3);
    Send(e, 3, To(4));
    Run(e);
    e.op(kDmaBlock).u8(4).u8(5).u8(9);
    Uplink(e, To(4));
    Send(e, 4, To(1));
    Run(e);
    Write(d, "hostile-dma-faults", e);
  }
  {  // migration: round trip with traffic in flight and a hold, mutated
     // and truncated streams, the VM stopped and run again, announce
    Encoder e = Hdr(0);
    Setting(e, 1, 1, 2);  // VF1 vlan 10
    Send(e, 1, To(2));
    Send(e, 2, kRemote);
    e.op(kMigrate).u8(0);
    Run(e);
    Uplink(e, To(3));
    e.op(kRunState).u8(0);
    Uplink(e, To(3));
    Send(e, 3, To(1));
    Run(e);
    e.op(kRunState).u8(1);
    Run(e);
    e.op(kMigrate).u8(1).u8(2).u16(9).u8(1).u16(40).u8(0x80);
    e.op(kMigrate).u8(2).u16(100);
    e.op(kMigrate).u8(3).u8(4).bytes("tail");
    e.op(kAnnounce);
    e.op(kUplinkMode).u8(2);
    e.op(kAnnounce);
    e.op(kSendDone).u8(0);
    Write(d, "migration", e);
  }
  {  // raw MMIO everywhere in the BAR regions
    Encoder e = Hdr(0, kStartEnableVfs);
    for (unsigned r = 0; r < 7; ++r) {
      for (unsigned off : {0u, 0x14u, 0x16u, 0x20u, 0x37u, 0x1000u}) {
        e.op(kMmioRead).u8(1).u8(r).u16(off).u8(r);
        e.op(kMmioWrite).u8(1).u8(r).u16(off).u8(r + 1).u64(0x0101010101010101ull * r);
      }
    }
    e.op(kMmioRaw).u8(200).u32(7).u64(~0ull).u8(3).u64(5).u8(1);
    Write(d, "mmio-sweep", e);
  }
  {  // small RAM, tiny queues
    Encoder e = Hdr(4, kStartEnableVfs | kStartInit | kStartPostRx, 0, 0, 5);
    Send(e, 1, To(2));
    Send(e, 2, kBcast);
    Run(e);
    Uplink(e, kBcast);
    Write(d, "small", e);
  }
  {  // TSO4 between functions that take it, segment it (host offloads
     // only, checksum only, no offloads) and the uplink
    Encoder e = Hdr(0, kStartEnableVfs | kStartInit | kStartPostRx, 0, 3, OffQ());
    OffInit(e, 0, -1);
    OffInit(e, 1, kOffloadAll);
    OffInit(e, 2, kOffloadAll);
    OffInit(e, 3, kOffloadHostOnly);
    OffInit(e, 4, kOffloadCsumOnly);
    Off(e, 1, To(2), 5000, kL4Gso);
    Off(e, 1, To(3), 5000, kL4Gso | kL4FinPsh);
    Off(e, 1, To(4), 3000, kL4Gso);
    Off(e, 1, To(0), 3000, kL4Gso);
    Off(e, 1, kBcast, 6000, kL4Gso | kL4Split);
    Off(e, 2, kRemote, 4000, kL4Gso);
    Run(e);
    Write(d, "offload-tso4", e);
  }
  {  // TSO6 and ECN, tagged, through port VLANs
    Encoder e = Hdr(0, kStartEnableVfs | kStartInit | kStartPostRx, 0, 3, OffQ());
    for (unsigned f = 0; f < 5; ++f) OffInit(e, f, f == 3 ? kOffloadNoEcnUso : kOffloadAll);
    Setting(e, 1, 1, 2);  // VF1 vlan 10
    Setting(e, 2, 1, 2);  // VF2 vlan 10
    Off(e, 2, To(3), 8000, kL4Gso | kL4Ipv6 | kL4Ecn);
    Off(e, 2, To(4), 8000, kL4Gso | kL4Ipv6 | kL4Ecn | kL4FinPsh);
    Off(e, 2, To(0), 2000, kL4Gso | kL4Ipv6, Mss(1000));
    Off(e, 4, To(0), 3000, kL4Gso | kL4Ipv6, Mss(1400), 0, 0, 4 | 1 << 3);
    Off(e, 0, To(3), 3000, kL4Gso, Mss(1400), 0, 0, 4 | 1 << 3);
    Off(e, 0, To(2), 3000, kL4Gso, Mss(1400), 0, 0, 6 | 1 << 3);
    Off(e, 1, kRemote, 5000, kL4Gso | kL4Ecn);
    Run(e);
    Write(d, "offload-tso6-vlan", e);
  }
  {  // USO over IPv4 and IPv6, to takers and not
    Encoder e = Hdr(0, kStartEnableVfs | kStartInit | kStartPostRx, 0, 3, OffQ());
    for (unsigned f = 0; f < 5; ++f) OffInit(e, f, f % 2 ? kOffloadAll : kOffloadNoEcnUso);
    Off(e, 1, To(3), 6000, kL4Gso | kL4Udp, Mss(1400));
    Off(e, 1, To(2), 6000, kL4Gso | kL4Udp | kL4Ipv6, Mss(1200));
    Off(e, 3, kBcast, 3000, kL4Gso | kL4Udp | kL4Ipv6, Mss(700));
    Off(e, 3, kRemote, 3000, kL4Gso | kL4Udp, Mss(700));
    Run(e);
    Write(d, "offload-uso", e);
  }
  {  // partial checksums and complete ones, small and large, tiny gso_size
    Encoder e = Hdr(0, kStartEnableVfs | kStartInit | kStartPostRx, 0, 3, OffQ());
    for (unsigned f = 0; f < 5; ++f) OffInit(e, f, f == 2 ? -1 : kOffloadAll);
    Off(e, 1, To(2), 100, 0);
    Off(e, 1, To(3), 100, kL4Udp);
    Off(e, 1, To(2), 1400, kL4Ipv6);
    Off(e, 1, To(2), 1400, kL4Full | kL4Udp | kL4Ipv6);
    Off(e, 1, kBcast, 500, 0);
    Off(e, 3, To(2), 2000, kL4Gso, Mss(7, true));
    Off(e, 3, To(4), 900, kL4Gso | kL4Udp, Mss(3, true));
    Off(e, 3, To(1), 60000, kL4Gso, Mss(9000));
    Off(e, 4, To(1), 60000, kL4Gso, Mss(30, true));  // > 1024 segments
    Run(e);
    Write(d, "offload-csum", e);
  }
  {  // fuzzed header fields: dropped as malformed, or fine (hdr_len)
    Encoder e = Hdr(0, kStartEnableVfs | kStartInit | kStartPostRx, 0, 3, OffQ());
    for (unsigned f = 1; f < 3; ++f) OffInit(e, f, kOffloadAll);
    Off(e, 1, To(2), 3000, kL4Gso, Mss(1448), 1, 0);       // gso_size 0
    Off(e, 1, To(2), 3000, kL4Gso, Mss(1448), 1, 2);       // 0xffff
    Off(e, 1, To(2), 3000, kL4Gso, Mss(1448), 1, 1);       // tiny
    Off(e, 1, To(2), 3000, kL4Gso, Mss(1448), 2, 5);       // csum_start
    Off(e, 1, To(2), 300, 0, Mss(1448), 2, 400);
    Off(e, 1, To(2), 300, 0, Mss(1448), 3, 0xffff);        // csum_offset
    Off(e, 1, To(2), 300, 0, Mss(1448), 3, 40);
    Off(e, 1, To(2), 3000, kL4Gso, Mss(1448), 4, 4);       // TCPv6 on v4
    Off(e, 1, To(2), 3000, kL4Gso, Mss(1448), 4, 3);       // UFO
    Off(e, 1, To(2), 3000, kL4Gso | kL4Udp, Mss(1448), 4, 0x85);
    Off(e, 1, To(2), 3000, kL4Gso, Mss(1448), 5, 2);       // DATA_VALID
    Off(e, 1, To(2), 3000, kL4Gso, Mss(1448), 5, 0);
    Off(e, 1, To(2), 3000, kL4Gso, Mss(1448), 6, 9999);    // hdr_len
    Off(e, 1, To(2), 3000, kL4Gso, Mss(1448), 7, 40);      // cut
    Off(e, 1, To(2), 3000, kL4Gso, Mss(1448), 7, 10);
    Off(e, 0, To(1), 3000, kL4Gso, Mss(1448));             // PF: no offloads
    Off(e, 0, To(1), 300, 0);
    Run(e);
    Write(d, "offload-malformed", e);
  }
  {  // CTRL_GUEST_OFFLOADS_SET: narrow, widen, refused values
    Encoder e = Hdr(0, kStartEnableVfs | kStartInit | kStartPostRx, 0, 3, OffQ());
    for (unsigned f = 1; f < 4; ++f) OffInit(e, f, kOffloadAll);
    GuestOff(e, 2, 0x01);  // GUEST_CSUM only
    Off(e, 1, To(2), 5000, kL4Gso);
    Run(e);
    Off(e, 1, To(2), 500, 0);
    Run(e);
    GuestOff(e, 2, 0x00);  // nothing
    Off(e, 1, To(2), 5000, kL4Gso | kL4Ipv6);
    Run(e);
    Off(e, 1, To(2), 500, kL4Udp);
    Run(e);
    GuestOff(e, 2, 0x3f);  // all again
    Off(e, 1, To(2), 5000, kL4Gso | kL4Ecn);
    Run(e);
    GuestOff(e, 3, 0x03 | 0x40, 20);  // + an offload that is not one
    GuestOff(e, 3, 0x03, 0x20);       // 4-byte value
    GuestOff(e, 3, 0x03, 0x40);       // unknown command
    GuestOff(e, 3, 0x07);
    Off(e, 1, To(3), 5000, kL4Gso | kL4Ipv6);
    Run(e);
    e.op(kBusMaster).u8(3).u8(0);
    GuestOff(e, 3, 0x01);  // in flight
    Off(e, 1, To(3), 5000, kL4Gso);
    Run(e);
    e.op(kBusMaster).u8(3).u8(1);
    Off(e, 1, To(3), 5000, kL4Gso);
    Run(e);
    Run(e);
    Write(d, "offload-ctrl", e);
  }
  {  // a vnet-header uplink with USO: GSO frames out whole, in with headers
    Encoder e = Hdr(0, kStartEnableVfs | kStartInit | kStartPostRx, 0, 3,
                    OffQ(kOffloadAll, true, true));
    for (unsigned f = 0; f < 5; ++f) OffInit(e, f, f == 4 ? -1 : kOffloadAll);
    Off(e, 1, kRemote, 5000, kL4Gso);
    Off(e, 1, kRemote, 5000, kL4Gso | kL4Udp | kL4Ipv6);
    Off(e, 1, kRemote, 500, 0);
    Off(e, 1, kBcast, 4000, kL4Gso | kL4Ipv6);
    Run(e);
    UpOff(e, To(1), 5000, kL4Gso);
    UpOff(e, To(4), 5000, kL4Gso | kL4Ipv6);
    UpOff(e, kBcast, 3000, kL4Gso | kL4Udp);
    UpOff(e, To(2), 800, 0);
    UpOff(e, To(4), 800, kL4Udp);
    UpOff(e, To(4), 800, kL4Full | kL4Ecn);  // DATA_VALID
    UpOff(e, To(2), 3000, kL4Gso, Mss(1448), 1, 0);
    UpOff(e, To(2), 3000, kL4Gso, Mss(1448), 2, 3);
    UpOff(e, To(2), 3000, kL4Gso, Mss(1448), 4, 0x81);
    UpOff(e, To(2), 3000, kL4Gso, Mss(1448), 5, 2);
    UpOff(e, To(2), 3000, kL4Gso, Mss(1448), 7, 50);
    Uplink(e, To(3));
    Run(e);
    Write(d, "offload-uplink-vnet", e);
  }
  {  // a plain uplink: wire frames in (some corrupted), segments out
    Encoder e = Hdr(0, kStartEnableVfs | kStartInit | kStartPostRx, 0, 3,
                    OffQ(kOffloadAll, false));
    for (unsigned f = 1; f < 4; ++f) OffInit(e, f, kOffloadAll);
    Off(e, 1, kRemote, 5000, kL4Gso | kL4Ipv6);
    Off(e, 2, kRemote, 700, kL4Udp);
    UpOff(e, To(1), 1400, 0);
    UpOff(e, To(2), 1400, kL4Udp | kL4Ipv6);
    UpOff(e, To(3), 1400, 0, Mss(1448), 1, 60);
    Run(e);
    Write(d, "offload-uplink-plain", e);
  }
  {  // nothing at all: defaults
    Encoder e = Encoder({0, 0, 0, 0, 0, 0, 0, 0});
    e.op(kRun).op(kTimer).u8(3).u8(7);
    Write(d, "empty", e);
  }
  return 0;
}
