#pragma once
// Random streams. One independent stream per source (a tool's failures, a step's processing
// times, a release stream, ...), seeded from (run seed, stream id): a change to one source does
// not shift the draws of any other (common random numbers), and replication i gives the same
// result on any machine, thread or process.
#include <cstdint>

namespace osatsim {

// xoshiro256++ generator (public-domain algorithm by its authors), seeded through SplitMix64.
class Rng {
 public:
  Rng() : Rng(0, 0) {}
  // A stream determined only by (seed, stream).
  Rng(std::uint64_t seed, std::uint64_t stream);

  std::uint64_t next_u64() {  // inline: one draw per processing time, transport, sample
    const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform on [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform on [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  // Exponential with the given mean (mean <= 0 gives 0).
  double exponential(double mean);
  // True with probability p.
  bool bernoulli(double p) { return p >= 1.0 || (p > 0.0 && uniform01() < p); }
  // Number of successes in n trials of probability p.
  std::int64_t binomial(std::int64_t n, double p);
  // Uniform integer in [0, n) for n > 0.
  std::uint64_t below(std::uint64_t n);

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

// Mixes identifiers into one stream id, e.g. stream_id(kind, index).
std::uint64_t stream_id(std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0);

}  // namespace osatsim
