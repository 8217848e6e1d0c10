#pragma once
// Little-endian fixed-width integers in a byte string: the small hand-written encodings of the
// broker core (offset commits, snapshot state) and of coordinator pushes share these.
#include <cstddef>
#include <cstdint>
#include <string>

namespace rb {

inline void put_u64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Reads 8 bytes at `pos` and advances it; false (pos unchanged) when fewer than 8 remain.
inline bool get_u64(const std::string& s, size_t& pos, uint64_t& v) {
  if (pos + 8 > s.size()) return false;
  v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(s[pos + i])) << (8 * i);
  pos += 8;
  return true;
}

}  // namespace rb
