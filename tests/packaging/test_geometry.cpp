#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "packaging/geometry.h"

namespace osatsim::packaging {
namespace {

WaferSpec wafer300() {
  return WaferSpec{};
}  // 300 mm, 3 mm edge, 0.2 mm street

// Independent brute-force counters: enumerate lattice sites and test the four corners directly.
bool corners_inside(double r, double x, double y, double w, double h) {
  for (const double cx : {x, x + w})
    for (const double cy : {y, y + h})
      if (cx * cx + cy * cy > r * r) return false;
  return true;
}

int brute_grid_at(double r, double w, double h, double s, double x0, double y0) {
  const double px = w + s, py = h + s;
  const int n = static_cast<int>(2 * r / std::min(px, py)) + 3;
  int count = 0;
  for (int j = -n; j <= n; ++j)
    for (int i = -n; i <= n; ++i)
      if (corners_inside(r, x0 + i * px, y0 + j * py, w, h)) ++count;
  return count;
}

// Best over an offsets grid of step x step points per pitch cell.
int brute_grid(double r, double w, double h, double s, int steps) {
  int best = 0;
  for (int a = 0; a < steps; ++a)
    for (int b = 0; b < steps; ++b)
      best = std::max(best, brute_grid_at(r, w, h, s, (w + s) * a / steps, (h + s) * b / steps));
  return best;
}

// Staggered: each row packs greedily from the left end of its chord (counting directly).
int brute_row(double r, double w, double h, double s, double y) {
  if (y < -r || y + h > r) return 0;
  const double m = std::max(std::abs(y), std::abs(y + h));
  if (m > r) return 0;
  const double c = std::sqrt(r * r - m * m);
  int n = 0;
  for (double x = -c; x + w <= c; x += w + s)
    if (corners_inside(r + 1e-12, x, y, w, h)) ++n;
  return n;
}

int brute_staggered(double r, double w, double h, double s, int steps) {
  int best = 0;
  const double py = h + s;
  const int n = static_cast<int>(2 * r / py) + 3;
  for (int b = 0; b < steps; ++b) {
    int total = 0;
    for (int j = -n; j <= n; ++j) total += brute_row(r, w, h, s, py * b / steps + j * py);
    best = std::max(best, total);
  }
  return best;
}

struct Published {
  double w, h;
  int count;
};

// FACTS.md section 2.3: own packing cross-check, and the published 16 (B200, 3.3x reticle) and
// 9 (5.5x reticle / Rubin) interposers per 300 mm wafer; 3 mm edge, 0.2 mm street.
TEST(Geometry, ReproducesPublishedCountsWithTheGrid) {
  const Published cases[] = {{36, 45, 31},   {38, 46, 28}, {40, 45, 26}, {46, 52, 19},
                             {52, 54.5, 16}, {52, 66, 12}, {60, 70, 10}, {66, 71.5, 9},
                             {78, 88, 6},    {85, 96, 4}};
  for (const auto& c : cases) {
    EXPECT_EQ(sites_per_wafer(wafer300(), c.w, c.h), c.count) << c.w << " x " << c.h;
    EXPECT_EQ(sites_per_wafer(wafer300(), c.h, c.w), c.count) << c.h << " x " << c.w;
    const Packing p = pack_sites(wafer300(), c.w, c.h, PackingMode::Grid);
    EXPECT_EQ(p.count, c.count);
    EXPECT_EQ(p.grid_count, c.count);
    EXPECT_EQ(p.method, PackingMethod::Grid);
    EXPECT_GE(p.staggered_count, p.grid_count);  // staggering generalises the grid
  }
}

TEST(Geometry, PublishedGridCountsAgreeWithBruteForce) {
  // Sandwich: a brute-force offset scan never beats the exact optimum, and the optimum never
  // beats a scan on a circle enlarged by the scan step (any placement moves to a scan point by
  // less than one step diagonal).
  const double r = 147.0;
  for (const auto& [w, h] : {std::pair{52.0, 54.5}, std::pair{66.0, 71.5}}) {
    const int steps = 120;
    const double slack = std::hypot((w + 0.2) / steps, (h + 0.2) / steps);
    const int exact = sites_per_wafer(wafer300(), w, h);
    EXPECT_LE(brute_grid(r, w, h, 0.2, steps), exact);
    EXPECT_GE(brute_grid(r + slack, w, h, 0.2, steps), exact);
  }
}

TEST(Geometry, GridMatchesBruteForceOnSmallWafers) {
  struct Case {
    double d, edge, street, w, h;
  };
  const Case cases[] = {{10, 0, 0, 1, 1},          {10, 0, 0.1, 1, 1}, {9.3, 0.2, 0.1, 1, 1.5},
                        {12, 0.5, 0.05, 0.7, 1.3}, {8, 0, 0.2, 2, 1},  {7.1, 0, 0, 1, 1},
                        {15, 1, 0.3, 2.2, 3.1},    {6, 0, 0, 4, 1}};
  for (const auto& c : cases) {
    WaferSpec wafer{c.d, c.edge, c.street};
    const double r = wafer.usable_radius_mm();
    const int steps = 150;
    const double slack = std::hypot((c.w + c.street) / steps, (c.h + c.street) / steps);
    const Packing p = pack_sites(wafer, c.w, c.h, PackingMode::Grid);
    EXPECT_LE(brute_grid(r, c.w, c.h, c.street, steps), p.count) << c.d << " " << c.w;
    EXPECT_GE(brute_grid(r + slack, c.w, c.h, c.street, steps), p.count) << c.d << " " << c.w;
  }
}

TEST(Geometry, StaggeredMatchesBruteForce) {
  struct Case {
    double d, edge, street, w, h;
  };
  const Case cases[] = {{300, 3, 0.2, 52, 54.5}, {300, 3, 0.2, 66, 71.5}, {300, 3, 0.2, 36, 45},
                        {10, 0, 0.1, 1, 1},      {9.3, 0.2, 0.1, 1, 1.5}, {15, 1, 0.3, 2.2, 3.1}};
  for (const auto& c : cases) {
    WaferSpec wafer{c.d, c.edge, c.street};
    const double r = wafer.usable_radius_mm();
    const int steps = 4000;
    const double slack = (c.h + c.street) / steps;
    const Packing p = pack_sites(wafer, c.w, c.h, PackingMode::Staggered);
    const int brute = std::max(brute_staggered(r, c.w, c.h, c.street, steps),
                               brute_staggered(r, c.h, c.w, c.street, steps));
    const int brute_big = std::max(brute_staggered(r + slack, c.w, c.h, c.street, steps),
                                   brute_staggered(r + slack, c.h, c.w, c.street, steps));
    EXPECT_LE(brute, p.count) << c.w << " x " << c.h;
    EXPECT_GE(brute_big, p.count) << c.w << " x " << c.h;
    EXPECT_EQ(p.count, p.staggered_count);
  }
}

void expect_valid_layout(const WaferSpec& wafer, const Packing& p) {
  ASSERT_EQ(static_cast<int>(p.sites.size()), p.count);
  const double r = wafer.usable_radius_mm();
  for (const auto& s : p.sites) {
    EXPECT_NEAR(s.w, p.placed_w_mm, 1e-12);
    EXPECT_NEAR(s.h, p.placed_h_mm, 1e-12);
    EXPECT_TRUE(corners_inside(r + 1e-6, s.x, s.y, s.w, s.h)) << s.x << "," << s.y;
  }
  // No two sites overlap, and neighbours keep the street between them.
  for (std::size_t a = 0; a < p.sites.size(); ++a) {
    for (std::size_t b = a + 1; b < p.sites.size(); ++b) {
      const auto& u = p.sites[a];
      const auto& v = p.sites[b];
      const double gap_x = std::max(v.x - (u.x + u.w), u.x - (v.x + v.w));
      const double gap_y = std::max(v.y - (u.y + u.h), u.y - (v.y + v.h));
      EXPECT_GE(std::max(gap_x, gap_y), wafer.street_mm - 1e-9) << a << " vs " << b;
    }
  }
}

TEST(Geometry, RectanglesInsideUsableCircleAndDisjoint) {
  for (const PackingMode mode : {PackingMode::Grid, PackingMode::Staggered, PackingMode::Best}) {
    for (const auto& [w, h] : {std::pair{52.0, 54.5}, std::pair{66.0, 71.5}, std::pair{10.0, 13.0},
                               std::pair{26.0, 33.0}, std::pair{120.0, 150.0}}) {
      const Packing p = pack_sites(wafer300(), w, h, mode);
      expect_valid_layout(wafer300(), p);
    }
  }
  WaferSpec zero_street{200, 2, 0};
  expect_valid_layout(zero_street, pack_sites(zero_street, 7, 9, PackingMode::Best));
}

TEST(Geometry, BestChoosesTheLargerCountAndKeepsTheGridOnTies) {
  for (double w = 20; w < 100; w += 3.7) {
    const Packing p = pack_sites(wafer300(), w, w * 1.1, PackingMode::Best);
    EXPECT_EQ(p.count, std::max(p.grid_count, p.staggered_count));
    EXPECT_EQ(p.method == PackingMethod::Staggered, p.staggered_count > p.grid_count);
  }
}

TEST(Geometry, LargerSiteNeverFitsMore) {
  for (const PackingMode mode : {PackingMode::Grid, PackingMode::Staggered}) {
    int prev = 1 << 30;
    for (double w = 15; w <= 110; w += 0.5) {  // grow both sides, aspect 1.05
      const int n = pack_sites(wafer300(), w, w * 1.05, mode).count;
      EXPECT_LE(n, prev) << "w " << w;
      prev = n;
    }
    prev = 1 << 30;
    for (double h = 20; h <= 140; h += 0.5) {  // grow one side only
      const int n = pack_sites(wafer300(), 40, h, mode).count;
      EXPECT_LE(n, prev) << "h " << h;
      prev = n;
    }
  }
}

TEST(Geometry, GridCountIndependentOfOrientation) {
  for (double w = 18; w < 90; w += 4.3) {
    const double h = w * 1.37 - 5;
    EXPECT_EQ(pack_sites(wafer300(), w, h).grid_count, pack_sites(wafer300(), h, w).grid_count);
  }
}

TEST(Geometry, TrivialCases) {
  // A site only just inside the usable circle: diagonal 2r fits exactly once.
  const double r = 147;
  const double side = 2 * r / std::sqrt(2.0);
  EXPECT_EQ(sites_per_wafer(wafer300(), side, side), 1);
  EXPECT_EQ(sites_per_wafer(wafer300(), side + 0.01, side), 0);
  EXPECT_EQ(sites_per_wafer(wafer300(), 400, 10), 0);
  // Invalid input packs nothing.
  EXPECT_EQ(sites_per_wafer(wafer300(), -1, 10), 0);
  EXPECT_EQ(sites_per_wafer(WaferSpec{300, 200, 0.2}, 10, 10), 0);
  EXPECT_FALSE(check_geometry(wafer300(), 0, 10).empty());
  EXPECT_FALSE(check_geometry(WaferSpec{300, 3, -0.1}, 10, 10).empty());
  EXPECT_TRUE(check_geometry(wafer300(), 52, 54.5).empty());
  EXPECT_FALSE(check_geometry(wafer300(), 0.1, 0.1).empty());  // ~750,000 sites with the street
  EXPECT_EQ(sites_per_wafer(wafer300(), 0.1, 0.1), 0);
}

TEST(Geometry, LayoutIsCentredAndReproducible) {
  // The optimal site sets of these sizes are symmetric (3 x 3; rows 2-4-4-4-2), so centring the
  // lattice in its feasible region puts their bounding box on the wafer centre.
  for (const auto& [w, h] : {std::pair{66.0, 71.5}, std::pair{52.0, 54.5}}) {
    const Packing p = pack_sites(wafer300(), w, h);
    double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
    for (const auto& s : p.sites) {
      x0 = std::min(x0, s.x);
      x1 = std::max(x1, s.x + s.w);
      y0 = std::min(y0, s.y);
      y1 = std::max(y1, s.y + s.h);
    }
    EXPECT_NEAR(x0 + x1, 0.0, 1e-6) << w;
    EXPECT_NEAR(y0 + y1, 0.0, 1e-6) << w;
    const Packing q = pack_sites(wafer300(), w, h);
    ASSERT_EQ(q.sites.size(), p.sites.size());
    for (std::size_t k = 0; k < p.sites.size(); ++k) {
      EXPECT_EQ(q.sites[k].x, p.sites[k].x);
      EXPECT_EQ(q.sites[k].y, p.sites[k].y);
    }
  }
}

TEST(Geometry, GrossDieFormulaByHand) {
  // d = 300 - 2*3 = 294 mm, S = 52.2 * 54.7 = 2855.34 mm^2:
  // pi * 147^2 / 2855.34 - pi * 294 / sqrt(5710.68) = 23.7748 - 12.2218 = 11.5530
  EXPECT_NEAR(gross_die_formula(wafer300(), 52, 54.5), 11.553029, 1e-5);
  // 66 x 71.5: S = 66.2 * 71.7 = 4746.54 -> 4.8227
  EXPECT_NEAR(gross_die_formula(wafer300(), 66, 71.5), 4.822671, 1e-5);
  // Packing beats the formula for the large sites of advanced packaging.
  EXPECT_GT(sites_per_wafer(wafer300(), 52, 54.5), gross_die_formula(wafer300(), 52, 54.5));
}

TEST(Geometry, ParsesModes) {
  EXPECT_EQ(parse_packing_mode("grid"), PackingMode::Grid);
  EXPECT_EQ(parse_packing_mode("staggered"), PackingMode::Staggered);
  EXPECT_EQ(parse_packing_mode("best"), PackingMode::Best);
  EXPECT_FALSE(parse_packing_mode("hex").has_value());
}

}  // namespace
}  // namespace osatsim::packaging
