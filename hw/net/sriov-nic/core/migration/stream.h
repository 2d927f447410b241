// sriov-nic core: the byte stream of the migration state.
//
// Little-endian fixed-width fields, written in a fixed order (state.h
// gives it). Decoding never reads past the end of the buffer: a short
// stream is an error naming the field that was being read, and so is every
// value a check refuses. Names are built as a path ("fn 2: queue 1:
// used_idx") so that the message of a failed load says where the stream is
// wrong.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_MIGRATION_STREAM_H
#define SNIC_CORE_MIGRATION_STREAM_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../base/status.h"

namespace snic::migration {

class Encoder {
 public:
  void U8(uint8_t v) { bytes_.push_back(v); }
  void Bool(bool v) { U8(v ? 1 : 0); }
  void U16(uint16_t v) { Le(v, 2); }
  void U32(uint32_t v) { Le(v, 4); }
  void U64(uint64_t v) { Le(v, 8); }
  void I64(int64_t v) { Le(static_cast<uint64_t>(v), 8); }
  void Bytes(const uint8_t* p, size_t n) { bytes_.insert(bytes_.end(), p, p + n); }

  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  void Le(uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
      bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
  }
  std::vector<uint8_t> bytes_;
};

class Decoder {
 public:
  Decoder(const uint8_t* data, size_t len) : data_(data), len_(len) {}

  // The path the following reads belong to (a scope, see Scope).
  void Push(const std::string& part) { path_.push_back(part); }
  void Pop() { path_.pop_back(); }

  // Each read names its field; the first failure sticks (later reads are
  // no-ops returning 0) so callers check ok() once per section.
  uint8_t U8(const char* field) { return static_cast<uint8_t>(Le(field, 1)); }
  bool Bool(const char* field);
  uint16_t U16(const char* field) {
    return static_cast<uint16_t>(Le(field, 2));
  }
  uint32_t U32(const char* field) {
    return static_cast<uint32_t>(Le(field, 4));
  }
  uint64_t U64(const char* field) { return Le(field, 8); }
  int64_t I64(const char* field) { return static_cast<int64_t>(Le(field, 8)); }
  void Bytes(const char* field, uint8_t* out, size_t n);

  // Records a refused value of @field (why, e.g. "is 300, more than 256").
  void Fail(const char* field, const std::string& why);
  // Fails with the message of @s (from a layer's own check) unless OK.
  void Check(const Status& s);

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  size_t remaining() const { return len_ - pos_; }

 private:
  uint64_t Le(const char* field, unsigned n);
  std::string Where(const char* field) const;

  const uint8_t* data_;
  size_t len_;
  size_t pos_ = 0;
  std::vector<std::string> path_;
  Status status_;
};

// Names a section of the stream for the duration of a scope.
class Scope {
 public:
  Scope(Decoder& d, const std::string& part) : d_(d) { d_.Push(part); }
  ~Scope() { d_.Pop(); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Decoder& d_;
};

}  // namespace snic::migration

#endif  // SNIC_CORE_MIGRATION_STREAM_H
