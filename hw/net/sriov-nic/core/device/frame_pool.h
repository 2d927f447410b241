// sriov-nic core: frame buffers for the calls in flight.
//
// A TX step copies the guest's frame into a buffer that must live until
// its effects are performed (the uplink send), and any call may need room
// for the other VLAN form of a frame. Entries can nest through performed
// effects (an uplink send the netdev answers synchronously), so buffers
// come from a pool instead of members: a nested call gets its own. The
// pool grows to the deepest nesting seen and never shrinks.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_DEVICE_FRAME_POOL_H
#define SNIC_CORE_DEVICE_FRAME_POOL_H

#include <cstdint>
#include <memory>
#include <vector>

#include "../eth/frame.h"

namespace snic::device {

class FramePool {
 public:
  class Buffer {
   public:
    Buffer(FramePool& pool, uint8_t* data) : pool_(&pool), data_(data) {}
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer() { pool_->free_.push_back(data_); }
    uint8_t* data() const { return data_; }

   private:
    FramePool* pool_;
    uint8_t* data_;
  };

  // A buffer of eth::kFrameBufferLen bytes until the Buffer goes away.
  Buffer Get() {
    if (free_.empty()) {
      all_.push_back(std::make_unique<uint8_t[]>(eth::kFrameBufferLen));
      free_.push_back(all_.back().get());
    }
    uint8_t* p = free_.back();
    free_.pop_back();
    return Buffer(*this, p);
  }

 private:
  std::vector<std::unique_ptr<uint8_t[]>> all_;
  std::vector<uint8_t*> free_;
};

}  // namespace snic::device

#endif  // SNIC_CORE_DEVICE_FRAME_POOL_H
