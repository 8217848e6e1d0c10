#pragma once
// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every stored record and
// state file. The same function as iSCSI / ext4 / Kafka record batches use, so a record's CRC can be
// checked with any standard implementation.
//
// crc32c() picks the SSE4.2 `crc32` instruction when the CPU has it (checked once via cpuid) and a
// table-driven slicing-by-8 routine otherwise. Both give identical results; tests compare them.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rb::storage {

// CRC32C of data[0, n). crc32c("123456789") == 0xE3069283.
uint32_t crc32c(const void* data, size_t n);
inline uint32_t crc32c(std::string_view s) { return crc32c(s.data(), s.size()); }

// Continues a CRC: crc32c_extend(crc32c(a), b) == crc32c(a + b). crc32c_extend(0, x) == crc32c(x).
uint32_t crc32c_extend(uint32_t crc, const void* data, size_t n);

// The two implementations, exposed for tests and benchmarks. crc32c_hw must only be called when
// crc32c_hw_available() is true.
uint32_t crc32c_extend_sw(uint32_t crc, const void* data, size_t n);
uint32_t crc32c_extend_hw(uint32_t crc, const void* data, size_t n);
bool crc32c_hw_available();

}  // namespace rb::storage
