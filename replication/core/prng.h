#pragma once
// Seeded pseudo-random numbers. One 64-bit run seed derives everything; each subsystem draws
// from its own named sub-stream (seed mixed with a hash of the name), so adding draws in one
// subsystem never shifts the numbers another one sees. xoshiro256** seeded with splitmix64.
#include <cstdint>
#include <string_view>

#include "replication/core/assert.h"

namespace rb {

constexpr uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// FNV-1a, stable across platforms and compilers (std::hash is not).
constexpr uint64_t stable_hash(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

class Prng {
 public:
  explicit Prng(uint64_t seed = 0) { reseed(seed); }

  void reseed(uint64_t seed) {
    uint64_t sm = seed;
    for (auto& w : s_) w = splitmix64(sm);
  }

  // A child generator for a named subsystem, independent of this generator's position.
  static Prng substream(uint64_t seed, std::string_view name) {
    uint64_t mixed = seed ^ stable_hash(name);
    return Prng(splitmix64(mixed));
  }
  Prng substream(std::string_view name) const { return substream(s_[0] ^ s_[3], name); }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound). bound must be positive.
  uint64_t below(uint64_t bound) {
    RB_ASSERT(bound > 0);
    // Lemire's multiply-shift; the tiny bias is irrelevant for simulation.
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * bound) >> 64);
  }
  // Uniform in [lo, hi] inclusive.
  int64_t between(int64_t lo, int64_t hi) {
    RB_ASSERT(lo <= hi);
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }

 private:
  static constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4]{};
};

}  // namespace rb
