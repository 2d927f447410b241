/*
 * sriov-nic: the C ABI between QEMU's glue (hw/net/sriov-nic/ C files) and the
 * device core (hw/net/sriov-nic/core, C++20, no QEMU headers).
 *
 * The core owns every piece of device state; the glue owns every QEMU type.
 * The core never calls QEMU directly: it performs DMA, raises interrupts,
 * sends frames and asks for deferred work through SnicHostOps, and every one
 * of those calls names the function it belongs to (SNIC_FN_PF = PF,
 * 1 + n = VF n), so the glue can route it through that function's own
 * PCIDevice (bus mastering, vIOMMU context, MSI-X table).
 *
 * The core is re-entrancy safe by refusal: while it changes state it only
 * calls dma_read/dma_write, msix_enabled, now_ns and log_guest_error; every
 * other host call happens after the state change is complete and may call
 * back into the core. A call into the core made from inside one of its own
 * DMA accesses (a ring aimed at a BAR) is refused: snic_core_mmio_* return
 * false (the glue fails that access, and with it the DMA), and
 * snic_core_uplink_receive returns 0 (QEMU keeps the frame; the core
 * flushes it later). Control calls made from there (set_num_vfs,
 * reset_function, set_bus_master, uplink_send_done, set_uplink_link,
 * set_running: a DMA that lands in config space, another NIC on the hub
 * flushing) are not refused: the core defers them and applies them, in
 * order, before the outermost call returns.
 *
 * Copyright (c) 2026 The sriov-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Plain C99; usable from C and C++. No function here throws.
 */
#ifndef SRIOV_NIC_SRIOV_NIC_H
#define SRIOV_NIC_SRIOV_NIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Function index: 0 is the PF, 1 + n is VF n. */
typedef uint16_t SnicFn;
#define SNIC_FN_PF 0

/* PCIe SR-IOV with ARI allows 255 VFs per PF. */
#define SNIC_MAX_VFS 255

/* Callbacks into the host (QEMU glue). All are required. */
/*
 * The virtio_net_hdr of a frame (virtio 1.2 5.1.6), as a vnet-header
 * netdev (a tap) exchanges it with the uplink. Host byte order.
 */
typedef struct SnicNetHdr {
    uint8_t flags;        /* 1: NEEDS_CSUM, 2: DATA_VALID */
    uint8_t gso_type;     /* 0 none, 1 TCPv4, 4 TCPv6, 5 UDP_L4; | 0x80 ECN */
    uint16_t hdr_len;
    uint16_t gso_size;
    uint16_t csum_start;
    uint16_t csum_offset;
} SnicNetHdr;

typedef struct SnicHostOps {
    /*
     * Guest memory access on behalf of function @fn (pci_dma_read/write on
     * that function's PCIDevice). Return 0 on success, non-zero if the
     * access failed (IOMMU fault, unmapped address, a refused register).
     * The core never calls these while @fn's Bus Master Enable is off.
     */
    int (*dma_read)(void *opaque, SnicFn fn, uint64_t addr, void *buf,
                    size_t len);
    int (*dma_write)(void *opaque, SnicFn fn, uint64_t addr, const void *buf,
                     size_t len);
    /*
     * A little-endian 16-bit read of @addr (2-byte aligned) that is
     * single-copy atomic: one load, never a byte of the old value and a
     * byte of the new. The core uses it for the ring fields a driver
     * stores concurrently (avail.idx, avail.flags, used_event); a
     * memcpy-based DMA read can tear those (glibc's 2-byte memcpy loads
     * byte 0 and then the word).
     */
    int (*dma_read_u16)(void *opaque, SnicFn fn, uint64_t addr,
                        uint16_t *val);
    /* Signal MSI-X @vector of function @fn. */
    void (*msix_notify)(void *opaque, SnicFn fn, uint16_t vector);
    /* Level of the PF's INTx line (VFs have none; only called for PF). */
    void (*set_intx)(void *opaque, SnicFn fn, bool level);
    /* True when MSI-X is enabled on function @fn. */
    bool (*msix_enabled)(void *opaque, SnicFn fn);
    /*
     * Send one frame out of the uplink (the QEMU netdev). Returns false
     * when the backend queued it and will call snic_core_uplink_send_done()
     * once it is out (once per queued frame, as QEMU's sent callback); the
     * core then sends nothing more until every queued frame is out, except
     * the remaining segments of the GSO frame it is cutting (QEMU queues
     * them behind the first, in order).
     */
    bool (*uplink_send)(void *opaque, const uint8_t *frame, size_t len);
    /* Deliver the frames QEMU queued for the core (may call back). */
    void (*uplink_flush)(void *opaque);
    /*
     * Drop the frame the backend queued (its function was reset); the host
     * then calls snic_core_uplink_send_done() (QEMU's purge does).
     */
    void (*uplink_purge)(void *opaque);
    /* Ask for snic_core_run() to be called soon from the main loop. */
    void (*schedule_run)(void *opaque);
    /* Arm (or re-arm) the one core timer; fire calls snic_core_timer(). */
    void (*timer_arm)(void *opaque, uint64_t deadline_ns);
    /* Monotonic clock in nanoseconds (QEMU_CLOCK_VIRTUAL). */
    uint64_t (*now_ns)(void *opaque);
    /* A guest mistake (LOG_GUEST_ERROR). */
    void (*log_guest_error)(void *opaque, SnicFn fn, const char *msg);
    /*
     * Optional (may be NULL): send one frame with its virtio_net_hdr out
     * of an uplink that exchanges one (snic_core_set_uplink_vnet_hdr).
     * Returns as uplink_send. Once vnet headers are on, every frame goes
     * this way (plain ones with a zero header).
     */
    bool (*uplink_send_hdr)(void *opaque, const struct SnicNetHdr *hdr,
                            const uint8_t *frame, size_t len);
    /*
     * Required when SnicConfig.num_vf_netdevs > 0 (else may be NULL): the
     * uplink_* operations for netdev link @link (1..num_vf_netdevs, the
     * VF netdevs). link_send sends with a header (@hdr non-NULL) once
     * snic_core_set_link_vnet_hdr turned headers on for that link, else
     * plain (@hdr NULL). Completion: snic_core_link_send_done(@link).
     */
    bool (*link_send)(void *opaque, uint16_t link,
                      const struct SnicNetHdr *hdr, const uint8_t *frame,
                      size_t len);
    void (*link_flush)(void *opaque, uint16_t link);
    void (*link_purge)(void *opaque, uint16_t link);
} SnicHostOps;

/*
 * What the guest sees: which PCI IDs, registers and queues every function
 * has. The switch, policy and counters are the same for every personality.
 */
typedef enum SnicPersonality {
    SNIC_PERSONALITY_VIRTIO_NET = 0,    /* modern virtio-net, 1af4:1041 */
    SNIC_PERSONALITY_IXGBE = 1,         /* Intel 82599: PF 8086:10F7 KX4,
                                         * VFs 8086:10ED */
} SnicPersonality;

/* The 82599's SR-IOV capability offers 63 VFs (64 pools, one the PF's). */
#define SNIC_IXGBE_MAX_VFS 63

typedef struct SnicConfig {
    uint16_t total_vfs;     /* 0..SNIC_MAX_VFS; personality ixgbe:
                             * 0..SNIC_IXGBE_MAX_VFS */
    uint8_t pf_mac[6];
    uint16_t mtu;           /* reported in virtio_net_config */
    uint16_t queue_size;    /* max queue size offered, power of 2 */
    uint32_t speed;         /* link speed in Mb/s (VIRTIO_NET_F_SPEED_DUPLEX,
                             * full duplex); 0: SNIC_DEFAULT_SPEED */
    bool no_offloads;       /* offer no checksum/TSO/USO offloads */
    uint16_t queue_pairs;   /* receive/transmit queue pairs of every
                             * function, 1..SNIC_MAX_QUEUE_PAIRS;
                             * 0: SNIC_DEFAULT_QUEUE_PAIRS */
    bool packed;            /* offer packed virtqueues
                             * (VIRTIO_F_RING_PACKED) */
    /*
     * VFs bound to a netdev of their own, bypassing the switch (QEMU's
     * composable SR-IOV model): netdev link 1 + k is VF vf_netdevs[k]
     * (0-based VF numbers, each < total_vfs, each once). Link 0 is the
     * uplink. Host policy still applies to those VFs.
     */
    uint16_t num_vf_netdevs;
    const uint16_t *vf_netdevs;
    /*
     * Zero (the default) is virtio-net. ixgbe takes none of the virtio
     * options: it refuses packed and vf_netdevs, and does not use
     * queue_size, queue_pairs and mtu's virtio meaning (the guest sizes its
     * rings; mtu still bounds the frames the switch plans for).
     */
    uint32_t personality;   /* a SnicPersonality (an integer: the core
                             * refuses values it does not know) */
} SnicConfig;

#define SNIC_DEFAULT_QUEUE_PAIRS 2
#define SNIC_MAX_QUEUE_PAIRS 16

#define SNIC_DEFAULT_SPEED 10000

typedef struct SnicCore SnicCore;

/* Returns NULL and fills @err (NUL-terminated) if @cfg is invalid. */
SnicCore *snic_core_new(const SnicConfig *cfg, const SnicHostOps *ops,
                        void *opaque, char *err, size_t err_len);
void snic_core_free(SnicCore *core);

/*
 * The BARs of one kind of function (the PF, or every VF: SR-IOV gives all
 * VFs of a PF one layout), owned by the core. BAR 0 holds the regions the
 * core serves (snic_core_mmio_* take their index; region 0 is at offset 0).
 * The MSI-X table and PBA, which the glue hands to QEMU's msix, follow the
 * regions in BAR 0 (msix_bar 0), or fill a BAR of their own (msix_bar
 * 1..5, msix_bar_size bytes), at msix_table_offset and msix_pba_offset
 * within it. virtio-net: one vector for configuration changes and one per
 * queue (2 * queue_pairs + 2), in BAR 0, the same layout for PF and VFs.
 * ixgbe: 64 vectors in the PF's BAR 4, 3 in each VF's BAR 3.
 * virtio_cap_type is the virtio_pci_cap cfg_type of a region (0: not a
 * virtio region).
 */
typedef struct SnicRegionInfo {
    const char *name;
    uint32_t offset;
    uint32_t size;
    uint8_t virtio_cap_type;
} SnicRegionInfo;

typedef struct SnicLayout {
    uint32_t bar_size;              /* BAR 0; a power of two */
    uint32_t num_regions;
    const SnicRegionInfo *regions;
    uint16_t msix_vectors;
    uint32_t msix_table_offset;
    uint32_t msix_pba_offset;
    uint32_t notify_off_multiplier; /* virtio_pci_notify_cap */
    uint8_t msix_bar;               /* 0: in BAR 0, else that BAR */
    uint32_t msix_bar_size;         /* msix_bar != 0: a power of two */
} SnicLayout;

/* The PF's layout, and that of every VF. */
const SnicLayout *snic_core_layout(const SnicCore *core);
const SnicLayout *snic_core_vf_layout(const SnicCore *core);

/* PCI function-level reset (system reset, FLR); clears Bus Master Enable. */
void snic_core_reset_function(SnicCore *core, SnicFn fn);
/* Bus Master Enable of @fn's command register changed. */
void snic_core_set_bus_master(SnicCore *core, SnicFn fn, bool on);

/*
 * The PF's SR-IOV NumVFs/VF Enable changed: @num_vfs VFs are now enabled
 * (0 when VF Enable is clear). VFs beyond it are reset and stop being ports.
 */
void snic_core_set_num_vfs(SnicCore *core, uint16_t num_vfs);
uint16_t snic_core_num_vfs(const SnicCore *core);
bool snic_core_function_enabled(const SnicCore *core, SnicFn fn);

/*
 * MMIO on @fn's BAR 0 in region @region (an index into the layout's
 * regions) at @offset within it. Bad accesses are guest errors the core
 * logs and absorbs (reads give 0). Returns false only for an access the
 * core refuses because it came from inside the core's own DMA.
 */
bool snic_core_mmio_read(SnicCore *core, SnicFn fn, uint32_t region,
                         uint64_t offset, unsigned size, uint64_t *value);
bool snic_core_mmio_write(SnicCore *core, SnicFn fn, uint32_t region,
                          uint64_t offset, uint64_t value, unsigned size);

/* Deferred work (TX bottom half); returns true if more work remains. */
bool snic_core_run(SnicCore *core);
void snic_core_timer(SnicCore *core);

/* Uplink receive path (NetClientInfo.can_receive / receive). */
bool snic_core_uplink_can_receive(SnicCore *core);
/*
 * Returns non-zero if consumed (delivered or dropped): len, or 1 for an
 * empty frame; 0 to have QEMU queue it (and stop delivering until the core
 * flushes the queue).
 */
size_t snic_core_uplink_receive(SnicCore *core, const uint8_t *frame,
                                size_t len);
void snic_core_uplink_send_done(SnicCore *core);
/*
 * The uplink's netdev exchanges virtio_net_hdr (QEMU: qemu_has_vnet_hdr
 * and qemu_set_vnet_hdr_len on the peer): GSO frames and partial
 * checksums then go to it whole (with @uso, UDP segmentation too) and come
 * from it through snic_core_uplink_receive_hdr. Needs the uplink_send_hdr
 * op; false (nothing changed) without it.
 */
bool snic_core_set_uplink_vnet_hdr(SnicCore *core, bool uso);
/*
 * As snic_core_uplink_receive, for a frame with its header. A header that
 * does not fit the frame is dropped as malformed (rx_drop_malformed).
 */
size_t snic_core_uplink_receive_hdr(SnicCore *core, const SnicNetHdr *hdr,
                                    const uint8_t *frame, size_t len);
/* Uplink link state (NetClientInfo.link_status_changed). */
void snic_core_set_uplink_link(SnicCore *core, bool up);

/*
 * The same for netdev link @link: 0 is the uplink (the calls above), 1 + k
 * the netdev of VF SnicConfig.vf_netdevs[k]. A link that does not exist is
 * ignored (receive: the frame is consumed and dropped).
 */
bool snic_core_link_can_receive(SnicCore *core, uint16_t link);
size_t snic_core_link_receive(SnicCore *core, uint16_t link,
                              const uint8_t *frame, size_t len);
size_t snic_core_link_receive_hdr(SnicCore *core, uint16_t link,
                                  const SnicNetHdr *hdr, const uint8_t *frame,
                                  size_t len);
void snic_core_link_send_done(SnicCore *core, uint16_t link);
bool snic_core_set_link_vnet_hdr(SnicCore *core, uint16_t link, bool uso);
void snic_core_set_link_up(SnicCore *core, uint16_t link, bool up);

/* Per-function counters; they survive function resets. */
typedef struct SnicStats {
    uint64_t rx_packets;          /* frames delivered to the guest */
    uint64_t rx_bytes;            /* their length, without virtio_net_hdr */
    uint64_t tx_packets;          /* frames taken from the TX queue */
    uint64_t tx_bytes;
    uint64_t rx_drop_no_buffers;  /* no RX buffer posted / queue not ready */
    uint64_t rx_drop_filtered;    /* addressed to us, rejected by RX filter */
    uint64_t rx_drop_too_small;   /* frame does not fit the posted buffer */
    uint64_t rx_drop_link_down;   /* frames for a VF whose link is down */
    uint64_t tx_drop_malformed;   /* bad header, too short or too long */
    uint64_t tx_drop_policy;      /* sum of the tx_drop_* policy reasons */
    uint64_t tx_drop_spoof;       /* source MAC is not the VF's (spoofchk) */
    uint64_t tx_drop_vlan;        /* tag not allowed (port VLAN, anti-spoof) */
    uint64_t tx_drop_link_down;   /* TX while the VF's link-state is down */
    uint64_t tx_rate_waits;       /* times TX paused by max-tx-rate */
    uint64_t tx_holds;            /* frames that waited for RX buffers */
    uint64_t ctrl_commands;       /* control virtqueue commands answered */
    uint64_t ctrl_errors;         /* ... of which answered VIRTIO_NET_ERR */
    uint64_t ctrl_refused_untrusted; /* ctrl requests refused: trust off */
    uint64_t mac_table_overflows; /* MAC_TABLE_SET lists beyond the cap */
    uint64_t guest_errors;        /* guest mistakes logged */
    uint64_t needs_reset;         /* times the function entered NEEDS_RESET */
    uint64_t tx_gso;              /* GSO (TSO/USO) frames from the guest */
    uint64_t tx_csum_completed;   /* partial checksums the device completed */
    uint64_t rx_gso;              /* GSO frames delivered whole */
    uint64_t rx_segmented;        /* GSO frames delivered as segments */
} SnicStats;

/* Fills @stats for function @fn; returns false (zeroed) if @fn is invalid. */
bool snic_core_get_stats(const SnicCore *core, SnicFn fn, SnicStats *stats);

/* Counters of the uplink port (the QEMU netdev), as the switch sees it. */
typedef struct SnicUplinkStats {
    uint64_t rx_packets;           /* frames from the netdev */
    uint64_t rx_bytes;
    uint64_t rx_drop_malformed;    /* shorter than Ethernet or too long */
    uint64_t rx_drop_unclaimed;    /* no port took it */
    uint64_t rx_drop_no_buffers;   /* its only destination had no room */
    uint64_t rx_holds;             /* frames left queued in QEMU a while */
    uint64_t tx_packets;           /* frames to the netdev */
    uint64_t tx_bytes;
    uint64_t tx_queued;            /* the netdev queued one (busy) */
    uint64_t tx_drop_link_down;    /* not sent: the netdev's link is down */
    uint64_t tx_purged;            /* queued frames dropped: their VF reset */
    uint64_t tx_segmented;         /* GSO frames sent as segments */
} SnicUplinkStats;

void snic_core_get_uplink_stats(const SnicCore *core, SnicUplinkStats *stats);
/* Counters of netdev link @link (see above); false (zeroed) if none. */
bool snic_core_get_link_stats(const SnicCore *core, uint16_t link,
                              SnicUplinkStats *stats);

/* ---- Host-side per-VF policy (the control plane of a DPU-style NIC) ---- */

typedef enum SnicLinkState {
    SNIC_LINK_AUTO = 0,     /* follows the uplink's link */
    SNIC_LINK_ENABLE = 1,   /* always up */
    SNIC_LINK_DISABLE = 2,  /* always down: no traffic in or out */
} SnicLinkState;

typedef struct SnicVfPolicy {
    uint8_t mac[6];         /* reported at the VF's next reset */
    uint16_t vlan;          /* port VLAN: 0 = none, 1..4094 */
    uint8_t qos;            /* 802.1p priority (0..7) of the port VLAN tag */
    bool spoofchk;          /* default on: drop TX with a foreign source MAC */
    bool trust;             /* default off: refuse promisc/allmulti/MAC set */
    uint8_t link_state;     /* SnicLinkState, default SNIC_LINK_AUTO */
    uint32_t max_tx_rate;   /* Mbit/s, 0 = unlimited; excess waits */
} SnicVfPolicy;

/*
 * Validate and apply the whole policy of VF @vf (0-based VF number) at once.
 * On error nothing changes, @err gets a message for the user and false is
 * returned. A MAC already used by the PF or another VF is refused. The MAC
 * takes effect at the VF's next reset (device reset, FLR or VF enable);
 * link-state changes raise the VF's config-change interrupt; VLAN, spoof,
 * trust and rate changes take effect on the next frame. Setting vlan to 0
 * with qos unchanged clears qos too (as `ip link ... vlan 0`); a non-zero
 * qos without a VLAN is refused.
 */
bool snic_core_set_vf_policy(SnicCore *core, uint16_t vf,
                             const SnicVfPolicy *policy, char *err,
                             size_t err_len);
/* Current policy of VF @vf; false (zeroed) if @vf >= total VFs. */
bool snic_core_get_vf_policy(const SnicCore *core, uint16_t vf,
                             SnicVfPolicy *policy);
/*
 * One setting of VF @vf by name, in the syntax of the startup specs below
 * ("vlan", "10"; "spoofchk", "off"; "mac", "02:00:00:00:00:10"), validated
 * like snic_core_set_vf_policy. get writes the value (NUL-terminated) into
 * @buf and returns false for an unknown setting or VF.
 */
bool snic_core_set_vf_setting(SnicCore *core, uint16_t vf, const char *setting,
                              const char *value, char *err, size_t err_len);
bool snic_core_get_vf_setting(const SnicCore *core, uint16_t vf,
                              const char *setting, char *buf, size_t len);
/*
 * Apply one setting to a list of VFs from a startup property string:
 * @setting is "mac", "vlan", "qos", "spoofchk", "trust", "link-state" or
 * "max-tx-rate"; @spec is "N=VALUE" entries separated by '/', where N is a
 * VF number or '*' for every VF (later entries win), e.g. "0=10/1=20",
 * "*=off/3=on", "0=02:00:00:00:00:10". Values: MAC as xx:xx:xx:xx:xx:xx,
 * numbers in decimal, on/off, auto/enable/disable. All or nothing.
 */
bool snic_core_apply_vf_spec(SnicCore *core, const char *setting,
                             const char *spec, char *err, size_t err_len);

/* ---- Migration ---- */

/*
 * The VM's run state (a vm change state handler): while stopped the core
 * issues no DMA and delivers nothing; frames stay in the guest's rings and
 * in QEMU's queues until it runs again.
 */
void snic_core_set_running(SnicCore *core, bool running);
/*
 * The whole device state (every function, the switch, policy, counters)
 * as a versioned byte stream in *@buf (malloc'ed; the caller frees it).
 * Returns its length, 0 if out of memory. Save with the VM stopped.
 */
size_t snic_core_save_state(SnicCore *core, uint8_t **buf);
/*
 * Loads a state saved by snic_core_save_state. All or nothing: on error
 * nothing changes and @err names the field that is wrong or the property
 * that differs from the source's. The glue then re-syncs what PCI config
 * space holds (Bus Master Enable).
 */
bool snic_core_load_state(SnicCore *core, const uint8_t *buf, size_t len,
                          char *err, size_t err_len);
/*
 * After a migration (NetClientInfo.announce): every running function is
 * announced, by its driver where it negotiated VIRTIO_NET_F_GUEST_ANNOUNCE,
 * else by a RARP from its MAC sent on the uplink (QEMU sends the PF's).
 */
void snic_core_announce(SnicCore *core);

#ifdef __cplusplus
}
#endif

#endif /* SRIOV_NIC_SRIOV_NIC_H */
