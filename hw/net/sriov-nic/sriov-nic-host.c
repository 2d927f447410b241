/*
 * sriov-nic: the core's callbacks into QEMU (SnicHostOps). Every DMA and
 * interrupt goes through the PCIDevice of the function it names, so bus
 * mastering, the vIOMMU context and the MSI-X table are per function, and
 * a disabled VF's DMA goes nowhere.
 *
 * Copyright (c) 2026 The sriov-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "exec/address-spaces.h"
#include "qemu/atomic.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/pci/pcie_sriov.h"
#include "qemu/log.h"
#include "net/net.h"
#include "standard-headers/linux/virtio_net.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "sriov-nic.h"
#include "trace.h"

PCIDevice *sriov_nic_fn_dev(SriovNicState *s, SnicFn fn)
{
    if (fn == SNIC_FN_PF) {
        return PCI_DEVICE(s);
    }
    /* NULL unless VF Enable is set and fn - 1 < NumVFs. */
    return pcie_sriov_get_vf_at_index(PCI_DEVICE(s), fn - 1);
}

static int sriov_nic_dma_read(void *opaque, SnicFn fn, uint64_t addr,
                              void *buf, size_t len)
{
    PCIDevice *d = sriov_nic_fn_dev(opaque, fn);

    if (!d) {
        return -1;
    }
    return pci_dma_read(d, addr, buf, len) != MEMTX_OK;
}

static int sriov_nic_dma_write(void *opaque, SnicFn fn, uint64_t addr,
                               const void *buf, size_t len)
{
    PCIDevice *d = sriov_nic_fn_dev(opaque, fn);

    if (!d) {
        return -1;
    }
    return pci_dma_write(d, addr, buf, len) != MEMTX_OK;
}

static int sriov_nic_dma_read_u16(void *opaque, SnicFn fn, uint64_t addr,
                                  uint16_t *val)
{
    PCIDevice *d = sriov_nic_fn_dev(opaque, fn);
    MemTxResult r;

    if (!d) {
        return -1;
    }
    /*
     * One 16-bit load (lduw_le_p), unlike pci_dma_read's memcpy, which
     * can tear a field the vCPU stores at the same moment. The barrier is
     * dma_memory_rw's.
     */
    smp_mb();
    *val = address_space_lduw_le(pci_get_address_space(d), addr,
                                 MEMTXATTRS_UNSPECIFIED, &r);
    return r != MEMTX_OK;
}

static void sriov_nic_msix_notify(void *opaque, SnicFn fn, uint16_t vector)
{
    PCIDevice *d = sriov_nic_fn_dev(opaque, fn);

    if (d && msix_enabled(d) && vector < d->msix_entries_nr) {
        trace_sriov_nic_msix_notify(fn, vector);
        msix_notify(d, vector);
    }
}

/*
 * The PF's interrupt level when it has no MSI-X (the core resolves it).
 * With MSI enabled (ixgbe_set_interrupt_capability's fallback when MSI-X
 * fails) the level's rising edge is the message, as on the 82599 (82599
 * datasheet 7.3.1: MSI is sent on the same condition that would assert
 * INTx), and the pin stays deasserted (PCI 3.0 6.8: a function with MSI
 * enabled does not use INTx). A masked message stays pending in the
 * capability (msi_notify).
 */
static void sriov_nic_set_intx(void *opaque, SnicFn fn, bool level)
{
    SriovNicState *s = opaque;
    PCIDevice *d = PCI_DEVICE(s);
    bool rose = level && !s->intx_level;

    if (fn != SNIC_FN_PF) {
        return;
    }
    s->intx_level = level;
    if (msi_enabled(d)) {
        pci_set_irq(d, 0);
        if (rose) {
            msi_notify(d, 0);
        }
    } else {
        pci_set_irq(d, level);
    }
}

static bool sriov_nic_msix_enabled(void *opaque, SnicFn fn)
{
    PCIDevice *d = sriov_nic_fn_dev(opaque, fn);

    return d && msix_enabled(d);
}

SriovNicLink *sriov_nic_vf_link(SriovNicState *s, uint16_t vf)
{
    for (uint16_t i = 0; i < s->num_vf_links; i++) {
        if (s->vf_links[i].vf == vf) {
            return &s->vf_links[i];
        }
    }
    return NULL;
}

static SriovNicLink *sriov_nic_link(SriovNicState *s, uint16_t link)
{
    return link == 0 ? &s->uplink : &s->vf_links[link - 1];
}

static void sriov_nic_link_sent(NetClientState *nc, ssize_t len)
{
    SriovNicLink *l = qemu_get_nic_opaque(nc);

    snic_core_link_send_done(l->pf->core, l->link);
}

/* One frame out of @l's netdev, with its header when @hdr is non-NULL. */
static bool sriov_nic_link_send_frame(SriovNicLink *l, const SnicNetHdr *hdr,
                                      const uint8_t *frame, size_t len)
{
    NetClientState *nc;
    struct virtio_net_hdr_mrg_rxbuf vh;
    struct iovec iov[2];

    if (!l->nic) {
        return true;  /* (not yet realized: nowhere to go) */
    }
    nc = qemu_get_queue(l->nic);
    if (!hdr) {
        return qemu_send_packet_async(nc, frame, len,
                                      sriov_nic_link_sent) != 0;
    }
    vh = (struct virtio_net_hdr_mrg_rxbuf) {
        .hdr = {
            .flags = hdr->flags,
            .gso_type = hdr->gso_type,
            .hdr_len = cpu_to_le16(hdr->hdr_len),
            .gso_size = cpu_to_le16(hdr->gso_size),
            .csum_start = cpu_to_le16(hdr->csum_start),
            .csum_offset = cpu_to_le16(hdr->csum_offset),
        },
    };
    iov[0] = (struct iovec) { .iov_base = &vh, .iov_len = sizeof(vh) };
    iov[1] = (struct iovec) { .iov_base = (void *)frame, .iov_len = len };
    return qemu_sendv_packet_async(nc, iov, 2, sriov_nic_link_sent) != 0;
}

static bool sriov_nic_uplink_send(void *opaque, const uint8_t *frame,
                                  size_t len)
{
    SriovNicState *s = opaque;

    return sriov_nic_link_send_frame(&s->uplink, NULL, frame, len);
}

static bool sriov_nic_uplink_send_hdr(void *opaque, const SnicNetHdr *hdr,
                                      const uint8_t *frame, size_t len)
{
    SriovNicState *s = opaque;

    return sriov_nic_link_send_frame(&s->uplink, hdr, frame, len);
}

static bool sriov_nic_vf_link_send(void *opaque, uint16_t link,
                                   const SnicNetHdr *hdr,
                                   const uint8_t *frame, size_t len)
{
    return sriov_nic_link_send_frame(sriov_nic_link(opaque, link), hdr,
                                     frame, len);
}

static void sriov_nic_link_flush(void *opaque, uint16_t link)
{
    SriovNicLink *l = sriov_nic_link(opaque, link);

    if (l->nic) {
        qemu_flush_queued_packets(qemu_get_queue(l->nic));
    }
}

static void sriov_nic_link_purge(void *opaque, uint16_t link)
{
    SriovNicLink *l = sriov_nic_link(opaque, link);

    if (l->nic) {
        /* Calls sriov_nic_link_sent for the purged frame. */
        qemu_purge_queued_packets(qemu_get_queue(l->nic));
    }
}

static void sriov_nic_uplink_flush(void *opaque)
{
    sriov_nic_link_flush(opaque, 0);
}

static void sriov_nic_uplink_purge(void *opaque)
{
    sriov_nic_link_purge(opaque, 0);
}

static void sriov_nic_schedule_run(void *opaque)
{
    SriovNicState *s = opaque;

    qemu_bh_schedule(s->bh);
}

static void sriov_nic_timer_arm(void *opaque, uint64_t deadline_ns)
{
    SriovNicState *s = opaque;

    timer_mod(s->timer, deadline_ns);
}

static uint64_t sriov_nic_now_ns(void *opaque)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

static void sriov_nic_log_guest_error(void *opaque, SnicFn fn,
                                      const char *msg)
{
    SriovNicState *s = opaque;

    qemu_log_mask(LOG_GUEST_ERROR, "%s: %s %u: %s\n",
                  DEVICE(s)->id ? DEVICE(s)->id : TYPE_SRIOV_NIC,
                  fn == SNIC_FN_PF ? "PF" : "VF",
                  fn == SNIC_FN_PF ? 0 : fn - 1, msg);
}

const SnicHostOps sriov_nic_host_ops = {
    .dma_read = sriov_nic_dma_read,
    .dma_write = sriov_nic_dma_write,
    .dma_read_u16 = sriov_nic_dma_read_u16,
    .msix_notify = sriov_nic_msix_notify,
    .set_intx = sriov_nic_set_intx,
    .msix_enabled = sriov_nic_msix_enabled,
    .uplink_send = sriov_nic_uplink_send,
    .uplink_flush = sriov_nic_uplink_flush,
    .uplink_purge = sriov_nic_uplink_purge,
    .schedule_run = sriov_nic_schedule_run,
    .timer_arm = sriov_nic_timer_arm,
    .now_ns = sriov_nic_now_ns,
    .log_guest_error = sriov_nic_log_guest_error,
    .uplink_send_hdr = sriov_nic_uplink_send_hdr,
    .link_send = sriov_nic_vf_link_send,
    .link_flush = sriov_nic_link_flush,
    .link_purge = sriov_nic_link_purge,
};
