// Test model of the stock drivers' mailbox code, replayed against
// snic::ixgbe::Mailboxes: the VF side of ixgbevf (mbx.c, vf.c; identical
// in Debian 6.1 and 6.12) and the PF side of ixgbe (ixgbe_mbx.c and the
// message handling of ixgbe_sriov.c), register access by register access.
//
// The drivers' busy-wait loops call `tick` between polls, which is where a
// test lets the other side run (interleavings, contention).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_UNIT_IXGBE_MBX_DRIVER_MODEL_H
#define SNIC_TESTS_UNIT_IXGBE_MBX_DRIVER_MODEL_H

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "ixgbe/mailbox.h"
#include "ixgbe/regs.h"
#include "ixgbe/vf.h"

namespace snic::ixgbe::model {

// ixgbevf mbx.h / ixgbe_mbx.h message words.
inline constexpr uint32_t kVfReset = 0x01;
inline constexpr uint32_t kVfSetMacAddr = 0x02;
inline constexpr uint32_t kVfApiNegotiate = 0x08;
inline constexpr uint32_t kVfGetQueue = 0x09;
inline constexpr uint32_t kMsgSuccess = 0x80000000; // ACK
inline constexpr uint32_t kMsgFailure = 0x40000000; // NACK
inline constexpr uint32_t kMsgCts = 0x20000000;
inline constexpr uint32_t kPfControlMsg = 0x0100;
enum Api : uint32_t {
  kApi10 = 0,
  kApi11 = 2,
  kApi12 = 3,
  kApi13 = 4,
  kApi14 = 5,
  kApi15 = 6
};

inline constexpr int kOk = 0;
inline constexpr int kErr = -1;
inline constexpr int kTimeout = -2;

// The VF driver: hw->mbx with its software copy of the read-to-clear bits.
struct VfDriver {
  VfDriver(Mailboxes &mbx, unsigned index) : m(mbx), vf(index) {}
  Mailboxes &m;
  unsigned vf;
  std::function<void()> tick = [] {};
  uint32_t sw = 0;    // hw->mbx.vf_mailbox
  int timeout = 0;    // mbx->timeout: 0 until reset_hw_vf sets it
  bool legacy = true; // ixgbevf_mbx_ops_legacy vs ixgbevf_mbx_ops
  uint32_t api = kApi10;

  // When set, the VF's accesses go through its register file (VFMAILBOX
  // at 0x2FC, VFMBMEM at 0x200), as the driver's readl/writel do.
  Vf *regs = nullptr;
  // When set instead, they go through these (a whole chip: ixgbe::Nic,
  // whose VF writes raise the PF's EICR.MAILBOX themselves).
  std::function<uint32_t(uint32_t)> rd;
  std::function<void(uint32_t, uint32_t)> wr;
  uint32_t ReadCtl() {
    return rd ? rd(kVfMailbox) : regs ? regs->Read(kVfMailbox) : m.VfReadCtl(vf);
  }
  uint32_t ReadMem(unsigned i) {
    return rd     ? rd(kVfMbMem + 4 * i)
           : regs ? regs->Read(kVfMbMem + 4 * i)
                  : m.VfReadMem(vf, i);
  }
  void WriteMem(unsigned i, uint32_t v) {
    if (wr) {
      wr(kVfMbMem + 4 * i, v);
    } else if (regs) {
      (void)regs->Write(kVfMbMem + 4 * i, v);
    } else {
      m.VfWriteMem(vf, i, v);
    }
  }

  // mbx.c ixgbevf_read_mailbox_vf
  uint32_t ReadMailbox() {
    uint32_t v = ReadCtl() | sw;
    sw |= v & kVfMbxReadToClear;
    return v;
  }
  void Write(uint32_t v) {
    if (wr) {
      wr(kVfMailbox, v);
      return;
    }
    Pending(regs ? regs->Write(kVfMailbox, v).mbx : m.VfWriteCtl(vf, v));
  }
  void ClearMsg() {
    ReadMailbox();
    sw &= ~kVfMbxPfSts;
  }
  void ClearAck() {
    ReadMailbox();
    sw &= ~kVfMbxPfAck;
  }
  void ClearRst() {
    ReadMailbox();
    sw &= ~(kVfMbxRsti | kVfMbxRstd);
  }
  bool CheckBit(uint32_t mask) { return (ReadMailbox() & mask) != 0; }
  int CheckForMsg() { return CheckBit(kVfMbxPfSts) ? kOk : kErr; }
  int CheckForAck() {
    if (!CheckBit(kVfMbxPfAck))
      return kErr;
    ClearAck();
    return kOk;
  }
  // mbx.c ixgbevf_check_for_rst_vf
  int CheckForRst() {
    if (!CheckBit(kVfMbxRsti | kVfMbxRstd))
      return kErr;
    ClearRst();
    return kOk;
  }
  // mbx.c ixgbevf_obtain_mbx_lock_vf
  int ObtainLock() {
    if (timeout == 0)
      return kErr;
    for (int n = timeout; n-- > 0;) {
      Write(ReadMailbox() | kVfMbxVfu);
      if (ReadMailbox() & kVfMbxVfu)
        return kOk;
      tick();
    }
    return kTimeout;
  }
  void ReleaseLock() {
    if (!legacy)
      Write(ReadMailbox() & ~kVfMbxVfu);
  }
  int PollForAck() {
    int n = timeout;
    while (n && CheckForAck()) {
      --n;
      tick();
    }
    return n ? kOk : kTimeout;
  }
  int PollForMsg() {
    int n = timeout;
    while (n && CheckForMsg()) {
      --n;
      tick();
    }
    return n ? kOk : kTimeout;
  }
  // mbx.c ixgbevf_write_mbx_vf_legacy / ixgbevf_write_mbx_vf
  int WriteMbx(const uint32_t *msg, unsigned size) {
    if (timeout == 0)
      return kErr;
    int r = ObtainLock();
    if (r != kOk) {
      ReleaseLock();
      return r;
    }
    if (legacy) {
      CheckForMsg();
      ClearMsg();
      CheckForAck();
      ClearAck();
    } else {
      ClearMsg();
      ClearAck();
    }
    for (unsigned i = 0; i < size; ++i)
      WriteMem(i, msg[i]);
    if (legacy) {
      Write(kVfMbxReq); // drops VFU
      return kOk;
    }
    Write(ReadMailbox() | kVfMbxReq);
    r = PollForAck();
    ReleaseLock();
    return r;
  }
  // mbx.c ixgbevf_read_mbx_vf_legacy / ixgbevf_read_mbx_vf
  int ReadMbx(uint32_t *msg, unsigned size) {
    if (legacy) {
      int r = ObtainLock();
      if (r != kOk)
        return r;
      for (unsigned i = 0; i < size; ++i)
        msg[i] = ReadMem(i);
      Write(kVfMbxAck);
      return kOk;
    }
    if (CheckForMsg())
      return kErr;
    ClearMsg();
    for (unsigned i = 0; i < size; ++i)
      msg[i] = ReadMem(i);
    Write(ReadMailbox() | kVfMbxAck);
    return kOk;
  }
  // mbx.c ixgbevf_poll_mbx
  int PollMbx(uint32_t *msg, unsigned size) {
    if (timeout == 0)
      return kErr;
    int r = PollForMsg();
    return r == kOk ? ReadMbx(msg, size) : r;
  }
  // vf.c ixgbevf_write_msg_read_ack
  int WriteMsgReadAck(uint32_t *msg, uint32_t *ret, unsigned size) {
    int r = WriteMbx(msg, size);
    if (r)
      return r;
    return PollMbx(ret, size);
  }

  // vf.c ixgbevf_reset_hw_vf after stop_adapter; `vfctrl_rst` is the
  // VFCTRL.RST write (the VF register file's job; here the mailbox part).
  // Returns kOk with perm_addr filled on success.
  std::function<void()> vfctrl_rst;
  std::array<uint8_t, 6> perm_addr{};
  bool perm_addr_valid = false;
  uint32_t mc_filter_type = 0;
  int ResetHw() {
    api = kApi10;
    timeout = 0; // init_params: IXGBE_VF_MBX_INIT_TIMEOUT... is set below
    legacy = true;
    if (vfctrl_rst)
      vfctrl_rst();
    int t = 200; // IXGBE_VF_INIT_TIMEOUT
    while (!CheckForRst() && t) {
      --t;
      tick();
    }
    if (!t)
      return kErr;  // IXGBE_ERR_RESET_FAILED
    timeout = 2000; // IXGBE_VF_MBX_INIT_TIMEOUT
    uint32_t msg[4] = {kVfReset, 0, 0, 0};
    WriteMbx(msg, 1);
    tick(); // mdelay(10)
    int r = PollMbx(msg, 4);
    if (r)
      return r;
    if (msg[0] != (kVfReset | kMsgSuccess) &&
        msg[0] != (kVfReset | kMsgFailure)) {
      return kErr;
    }
    perm_addr_valid = msg[0] == (kVfReset | kMsgSuccess);
    if (perm_addr_valid) {
      for (unsigned i = 0; i < 6; ++i) {
        perm_addr[i] = static_cast<uint8_t>(msg[1 + i / 4] >> (8 * (i % 4)));
      }
    }
    mc_filter_type = msg[3];
    return kOk;
  }
  // vf.c ixgbevf_negotiate_api_version_vf; ixgbevf_main.c switches to
  // ixgbevf_mbx_ops at API 1.5.
  int NegotiateApi(uint32_t want) {
    uint32_t msg[3] = {kVfApiNegotiate, want, 0};
    int r = WriteMsgReadAck(msg, msg, 3);
    if (r)
      return r;
    msg[0] &= ~kMsgCts;
    if (msg[0] != (kVfApiNegotiate | kMsgSuccess))
      return kErr;
    api = want;
    if (api >= kApi15)
      legacy = false;
    return kOk;
  }
  // vf.c ixgbevf_set_rar_vf
  int SetMac(const std::array<uint8_t, 6> &mac) {
    uint32_t msg[3] = {kVfSetMacAddr, 0, 0};
    for (unsigned i = 0; i < 6; ++i)
      msg[1 + i / 4] |= uint32_t{mac[i]} << (8 * (i % 4));
    int r = WriteMsgReadAck(msg, msg, 3);
    msg[0] &= ~kMsgCts;
    if (!r && msg[0] == (kVfSetMacAddr | kMsgFailure))
      return kErr;
    return r;
  }
  // vf.c ixgbevf_get_queues
  uint32_t num_tx = 0, num_rx = 0, trans_vlan = 0, def_q = 0;
  int GetQueues() {
    uint32_t msg[5] = {kVfGetQueue, 0, 0, 0, 0};
    int r = WriteMsgReadAck(msg, msg, 5);
    if (r)
      return r;
    msg[0] &= ~kMsgCts;
    if (msg[0] != (kVfGetQueue | kMsgSuccess))
      return kErr;
    num_tx = msg[1];
    num_rx = msg[2];
    trans_vlan = msg[3];
    def_q = msg[4];
    return kOk;
  }
  // vf.c ixgbevf_check_mac_link_vf (82599 VF: VFLINKS, then a one-word
  // read whose CTS says the PF is talking). Returns -1 when the VF must
  // reset (ixgbevf_watchdog_update_link), and the link state.
  bool get_link_status = true;
  int CheckMacLink(bool vflinks_up, bool *link_up) {
    int ret = 0;
    if (!CheckForRst() || timeout == 0)
      get_link_status = true;
    if (get_link_status && vflinks_up) {
      uint32_t in = 0;
      if (ReadMbx(&in, 1) == kOk) {
        if (!(in & kMsgCts)) {
          if (in & kMsgFailure)
            ret = -1;
        } else if (timeout == 0) {
          ret = -1;
        } else {
          get_link_status = false;
        }
      }
    }
    *link_up = !get_link_status;
    return ret;
  }

  std::vector<MailboxEvents> events;
  void Pending(const MailboxEvents &ev) { events.push_back(ev); }
};

// The PF driver: ixgbe_mbx.c plus the parts of ixgbe_sriov.c
// ixgbe_rcv_msg_from_vf that the VF's probe exercises.
struct PfDriver {
  explicit PfDriver(Mailboxes &mbx) : m(mbx) {}
  Mailboxes &m;
  std::function<void()> tick = [] {};
  struct VfInfo {
    bool clear_to_send = false;
    uint32_t api = kApi10;
    std::array<uint8_t, 6> mac{};
    bool pf_set_mac = false;
    int resets_seen = 0;
    int read_errors = 0;
  };
  std::array<VfInfo, kMaxPools> info{};
  unsigned num_vfs = 0;
  unsigned q_per_pool = 2;
  std::vector<MailboxEvents> events;

  // When set, the PF's mailbox accesses go through these register hooks
  // (PF BAR0 offsets, a whole chip: ixgbe::Nic) instead of `m`.
  std::function<uint32_t(uint32_t)> rd;
  std::function<void(uint32_t, uint32_t)> wr;
  uint32_t Mbvficr(unsigned idx) {
    return rd ? rd(reg::MBVFICR(idx)) : m.ReadMbvficr(idx);
  }
  void ClearMbvficr(unsigned idx, uint32_t v) {
    wr ? wr(reg::MBVFICR(idx), v) : m.WriteMbvficr(idx, v);
  }
  uint32_t Vflre(unsigned idx) {
    return rd ? rd(reg::PFVFLRE(idx)) : m.ReadVflre(idx);
  }
  void ClearVflre(unsigned idx, uint32_t v) {
    wr ? wr(reg::PFVFLREC(idx), v) : m.WriteVflrec(idx, v);
  }
  uint32_t Ctl(unsigned vf) { return rd ? rd(reg::PFMAILBOX(vf)) : m.PfReadCtl(vf); }
  void SetCtl(unsigned vf, uint32_t v) {
    if (wr) {
      wr(reg::PFMAILBOX(vf), v);
    } else {
      events.push_back(m.PfWriteCtl(vf, v));
    }
  }
  uint32_t Mem(unsigned vf, unsigned w) {
    return rd ? rd(reg::PFMBMEM(vf) + 4 * w) : m.PfReadMem(vf, w);
  }
  void SetMem(unsigned vf, unsigned w, uint32_t v) {
    wr ? wr(reg::PFMBMEM(vf) + 4 * w, v) : m.PfWriteMem(vf, w, v);
  }

  // ixgbe_mbx.c ixgbe_check_for_bit_pf
  bool CheckBit(uint32_t mask, unsigned idx) {
    if (Mbvficr(idx) & mask) {
      ClearMbvficr(idx, mask);
      return true;
    }
    return false;
  }
  bool CheckForMsg(unsigned vf) { return CheckBit(1u << (vf % 16), vf / 16); }
  bool CheckForAck(unsigned vf) {
    return CheckBit(1u << (16 + vf % 16), vf / 16);
  }
  // ixgbe_check_for_rst_pf, 82599 branch (PFVFLRE, cleared via PFVFLREC)
  bool CheckForRst(unsigned vf) {
    unsigned idx = vf < 32 ? 0 : 1;
    uint32_t bit = 1u << (vf % 32);
    if (Vflre(idx) & bit) {
      ClearVflre(idx, bit);
      return true;
    }
    return false;
  }
  // ixgbe_obtain_mbx_lock_pf: one try, no retry
  int ObtainLock(unsigned vf) {
    SetCtl(vf, kPfMbxPfu);
    return (Ctl(vf) & kPfMbxPfu) ? kOk : kErr;
  }
  // ixgbe_write_mbx_pf
  int WriteMbx(const uint32_t *msg, unsigned size, unsigned vf) {
    if (ObtainLock(vf))
      return kErr;
    CheckForMsg(vf);
    CheckForAck(vf);
    for (unsigned i = 0; i < size; ++i)
      SetMem(vf, i, msg[i]);
    SetCtl(vf, kPfMbxSts);
    return kOk;
  }
  // ixgbe_read_mbx_pf
  int ReadMbx(uint32_t *msg, unsigned size, unsigned vf) {
    if (ObtainLock(vf))
      return kErr;
    for (unsigned i = 0; i < size; ++i)
      msg[i] = Mem(vf, i);
    SetCtl(vf, kPfMbxAck);
    return kOk;
  }
  // ixgbe_sriov.c ixgbe_vf_reset_msg (the mailbox part)
  void VfResetMsg(unsigned vf) {
    for (unsigned w = 0; w < kMbxWords; ++w)
      SetMem(vf, w, 0); // clear_mbx
    VfInfo &i = info[vf];
    i.clear_to_send = true;
    uint32_t msg[4] = {kVfReset, 0, 0, 0};
    if (i.pf_set_mac) {
      msg[0] |= kMsgSuccess;
      for (unsigned b = 0; b < 6; ++b)
        msg[1 + b / 4] |= uint32_t{i.mac[b]} << (8 * (b % 4));
    } else {
      msg[0] |= kMsgFailure;
    }
    msg[3] = 0; // mc_filter_type
    WriteMbx(msg, 4, vf);
  }
  // ixgbe_sriov.c ixgbe_rcv_msg_from_vf
  int RcvMsg(unsigned vf) {
    uint32_t msg[kMbxWords] = {};
    if (ReadMbx(msg, kMbxWords, vf)) {
      ++info[vf].read_errors; // "Error receiving message from VF"
      return kErr;
    }
    if (msg[0] & (kMsgSuccess | kMsgFailure))
      return kOk;
    if (msg[0] == kVfReset) {
      VfResetMsg(vf);
      return kOk;
    }
    VfInfo &i = info[vf];
    if (!i.clear_to_send) {
      msg[0] |= kMsgFailure;
      WriteMbx(msg, 1, vf);
      return kOk;
    }
    bool ok = true;
    switch (msg[0] & 0xFFFF) {
    case kVfSetMacAddr:
      for (unsigned b = 0; b < 6; ++b)
        i.mac[b] = static_cast<uint8_t>(msg[1 + b / 4] >> (8 * (b % 4)));
      break;
    case kVfApiNegotiate:
      ok = msg[1] <= kApi14 && msg[1] != 1; // ixgbe_negotiate_vf_api
      if (ok)
        i.api = msg[1];
      break;
    case kVfGetQueue:
      ok = i.api >= kApi11;
      msg[1] = q_per_pool;
      msg[2] = q_per_pool;
      msg[3] = 0;
      msg[4] = 0;
      break;
    default:
      ok = false;
    }
    msg[0] |= ok ? kMsgSuccess : kMsgFailure;
    msg[0] |= kMsgCts;
    WriteMbx(msg, (msg[0] & 0xFFFF) == kVfGetQueue ? 5 : 3, vf);
    return kOk;
  }
  // ixgbe_sriov.c ixgbe_rcv_ack_from_vf
  void RcvAck(unsigned vf) {
    if (!info[vf].clear_to_send) {
      uint32_t msg = kMsgFailure;
      WriteMbx(&msg, 1, vf);
    }
  }
  // ixgbe_sriov.c ixgbe_msg_task
  void MsgTask() {
    for (unsigned vf = 0; vf < num_vfs; ++vf) {
      // ixgbe_vf_reset_event resets the VF's filters; clear_to_send stays
      // (6.1 and 6.12: only ixgbe_down and the link-state and trust knobs
      // clear it).
      if (CheckForRst(vf))
        ++info[vf].resets_seen;
      if (CheckForMsg(vf))
        RcvMsg(vf);
      if (CheckForAck(vf))
        RcvAck(vf);
    }
  }
};

} // namespace snic::ixgbe::model

#endif // SNIC_TESTS_UNIT_IXGBE_MBX_DRIVER_MODEL_H
