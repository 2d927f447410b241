// Unit tests: the C ABI facade (core/capi/) as the glue sees it.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

extern "C" int snic_c_abi_compiles(void);

namespace snic::testing {
namespace {

// c_abi_test.c is compiled as C99 with -pedantic-errors; calling it makes
// the C translation unit part of the test run, not only of the build.
TEST(CAbi, HeaderCompilesAsC99) { EXPECT_GT(snic_c_abi_compiles(), 0); }

}  // namespace
}  // namespace snic::testing
