// sriov-nic core: the virtio transport's state in the migration stream.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_VIRTIO_STATE_CODEC_H
#define SNIC_CORE_VIRTIO_STATE_CODEC_H

#include "../migration/stream.h"
#include "transport.h"

namespace snic::virtio {

void EncodeState(migration::Encoder& e, const Transport::State& s);
// Reads @num_queues queues; checking the values is Transport::Check's.
void DecodeState(migration::Decoder& d, uint16_t num_queues,
                 Transport::State* s);

}  // namespace snic::virtio

#endif  // SNIC_CORE_VIRTIO_STATE_CODEC_H
