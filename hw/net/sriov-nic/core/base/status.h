// sriov-nic core: the one error type of the core.
//
// Every fallible operation returns a Status: OK, or a code plus a message
// for the log. Guest mistakes on the data path carry a static string (no
// allocation on the per-frame path); user-facing errors (bad properties,
// policy, migration streams) carry a composed message. Codes let callers
// tell apart what they handle differently, as crosvm's Reader/Writer tell
// an under-provisioned chain (kShort) from an I/O error (kDma).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_BASE_STATUS_H
#define SNIC_CORE_BASE_STATUS_H

#include <string>
#include <utility>

namespace snic {

class [[nodiscard]] Status {
 public:
  enum class Code : unsigned char {
    kOk,
    kInvalid,  // the guest (or user) broke a rule: bad ring, bad value
    kShort,    // a descriptor chain is shorter than the data needs
    kDma,      // guest memory access failed (unmapped, IOMMU fault)
  };

  Status() = default;
  static Status Ok() { return Status(); }
  // @msg must be a string literal (it is not copied).
  static Status Invalid(const char* msg) {
    return Status(Code::kInvalid, msg);
  }
  static Status Short(const char* msg) {
    return Status(Code::kShort, msg);
  }
  static Status Dma(const char* msg) {
    return Status(Code::kDma, msg);
  }
  // A composed message (user-facing errors).
  static Status Invalid(std::string msg) {
    Status s(Code::kInvalid, nullptr);
    s.owned_ = std::move(msg);
    return s;
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const char* message() const {
    return static_msg_ != nullptr ? static_msg_ : owned_.c_str();
  }

 private:
  Status(Code c, const char* m) : code_(c), static_msg_(m) {}

  Code code_ = Code::kOk;
  const char* static_msg_ = nullptr;
  std::string owned_;
};

}  // namespace snic

#endif  // SNIC_CORE_BASE_STATUS_H
