#include "core/rng.h"

#include <cmath>

namespace osatsim {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Rng::Rng(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t x = seed;
  std::uint64_t h = splitmix64(x) ^ (stream * 0xd1b54a32d192ed03ULL);
  for (auto& s : s_) s = splitmix64(h);
}

double Rng::exponential(double mean) {
  if (mean <= 0.0) return 0.0;
  // 1 - u lies in (0, 1], so the logarithm is finite.
  return -mean * std::log(1.0 - uniform01());
}

std::int64_t Rng::binomial(std::int64_t n, double p) {
  if (n <= 0 || p <= 0.0) return 0;
  if (p >= 1.0) return n;
  // Exact: count successes by geometric skips (O(n p) draws), using the rarer outcome.
  const bool flip = p > 0.5;
  const double q = flip ? 1.0 - p : p;
  const double log_q = std::log1p(-q);
  std::int64_t successes = 0;
  std::int64_t pos = 0;
  while (true) {
    const double u = 1.0 - uniform01();  // (0, 1]
    pos += static_cast<std::int64_t>(std::floor(std::log(u) / log_q)) + 1;
    if (pos > n) break;
    ++successes;
  }
  return flip ? n - successes : successes;
}

std::uint64_t Rng::below(std::uint64_t n) {
  if (n <= 1) return 0;
  // Lemire's nearly-divisionless method with rejection for exact uniformity.
  __uint128_t m = static_cast<__uint128_t>(next_u64()) * n;
  std::uint64_t l = static_cast<std::uint64_t>(m);
  if (l < n) {
    const std::uint64_t t = -n % n;
    while (l < t) {
      m = static_cast<__uint128_t>(next_u64()) * n;
      l = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

std::uint64_t stream_id(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  std::uint64_t x = a * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
  std::uint64_t h = splitmix64(x) ^ b;
  h = splitmix64(h) ^ c;
  return splitmix64(h);
}

}  // namespace osatsim
