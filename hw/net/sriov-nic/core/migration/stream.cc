// sriov-nic core: the byte stream of the migration state.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "stream.h"

namespace snic::migration {

std::string Decoder::Where(const char* field) const {
  std::string w;
  for (const std::string& p : path_) {
    w += p + ": ";
  }
  return w + field;
}

uint64_t Decoder::Le(const char* field, unsigned n) {
  if (!ok()) {
    return 0;
  }
  if (len_ - pos_ < n) {
    status_ = Status::Invalid("the stream ends inside " + Where(field));
    return 0;
  }
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) {
    v |= uint64_t{data_[pos_ + i]} << (8 * i);
  }
  pos_ += n;
  return v;
}

bool Decoder::Bool(const char* field) {
  const uint8_t v = U8(field);
  if (v > 1) {
    Fail(field, "is " + std::to_string(v) + ", not 0 or 1");
  }
  return v == 1;
}

void Decoder::Bytes(const char* field, uint8_t* out, size_t n) {
  if (!ok()) {
    return;
  }
  if (len_ - pos_ < n) {
    status_ = Status::Invalid("the stream ends inside " + Where(field));
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    out[i] = data_[pos_ + i];
  }
  pos_ += n;
}

void Decoder::Fail(const char* field, const std::string& why) {
  if (ok()) {
    status_ = Status::Invalid(Where(field) + " " + why);
  }
}

void Decoder::Check(const Status& s) {
  if (ok() && !s.ok()) {
    std::string w;
    for (const std::string& p : path_) {
      w += p + ": ";
    }
    status_ = Status::Invalid(w + s.message());
  }
}

}  // namespace snic::migration
