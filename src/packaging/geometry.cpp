#include "packaging/geometry.h"

#include <fmt/format.h>
#include <algorithm>

#include <cmath>
#include <numbers>
#include <random>

namespace osatsim::packaging {
namespace {

// A corner may lie this far outside the usable circle and still count (rounding of the exact
// boundary cases the optimiser constructs).
constexpr double kTol = 1e-9;

struct Lattice {
  double r = 0;   // usable radius
  double rt = 0;  // r + tolerance
  double w = 0, h = 0, s = 0;
  double px = 0, py = 0;
};

Lattice make_lattice(const WaferSpec& wafer, double w, double h) {
  Lattice l;
  l.r = wafer.usable_radius_mm();
  l.rt = l.r + kTol;
  l.w = w;
  l.h = h;
  l.s = wafer.street_mm;
  l.px = w + wafer.street_mm;
  l.py = h + wafer.street_mm;
  return l;
}

// Half-chord available to a row whose sites span [y, y + h]: sites of the row must lie within
// [-c, c] horizontally. Negative when the row does not fit at all.
double row_half_chord(const Lattice& l, double y) {
  if (y < -l.rt || y + l.h > l.rt) return -1.0;
  const double m = std::max(std::abs(y), std::abs(y + l.h));
  const double rem = l.rt * l.rt - m * m;
  return rem < 0 ? -1.0 : std::sqrt(rem);
}

// Row index range that can intersect the usable circle for a lattice with vertical offset y0.
std::pair<long, long> row_range(const Lattice& l, double y0) {
  return {static_cast<long>(std::floor((-l.rt - y0) / l.py)) - 1,
          static_cast<long>(std::ceil((l.rt - l.h - y0) / l.py)) + 1};
}

// Sites of the grid with lattice site (0, 0) at (x0, y0); appends rectangles to `out` if given.
int grid_count_at(const Lattice& l, double x0, double y0, std::vector<SiteRect>* out) {
  int total = 0;
  const auto [jlo, jhi] = row_range(l, y0);
  for (long j = jlo; j <= jhi; ++j) {
    const double y = y0 + static_cast<double>(j) * l.py;
    const double c = row_half_chord(l, y);
    if (c < l.w / 2.0) continue;
    const long ilo = static_cast<long>(std::ceil((-c - x0) / l.px));
    const long ihi = static_cast<long>(std::floor((c - l.w - x0) / l.px));
    if (ihi < ilo) continue;
    total += static_cast<int>(ihi - ilo + 1);
    if (out) {
      for (long i = ilo; i <= ihi; ++i)
        out->push_back({x0 + static_cast<double>(i) * l.px, y, l.w, l.h});
    }
  }
  return total;
}

bool site_fits(const Lattice& l, double x, double y) {
  const double c = row_half_chord(l, y);
  return c >= 0 && x >= -c && x + l.w <= c;
}

struct GridBest {
  int count = 0;
  double x0 = 0, y0 = 0;
};

// Exact best grid offset. For an optimal set S of sites, the translations keeping S inside the
// circle form an intersection of discs (one per corner of S), a convex region whose vertices are
// points where two corners lie on the circle. So evaluating every translation at which two lattice
// corners lie on the circle finds the optimum. By periodicity the first corner can be taken from
// site (0, 0); each unordered pair is visited once; pairs whose sites do not fit are skipped.
GridBest best_grid(const Lattice& l) {
  GridBest best;
  // A centred lattice and a corner-centred one as the baseline (they also cover the degenerate
  // cases below).
  for (const auto& [x0, y0] :
       {std::pair{-l.w / 2.0, -l.h / 2.0}, std::pair{-l.w - l.s / 2.0, -l.h - l.s / 2.0}}) {
    const int n = grid_count_at(l, x0, y0, nullptr);
    if (n > best.count) best = {n, x0, y0};
  }
  const double r = l.r;
  const long imax = static_cast<long>(std::ceil(2.0 * r / l.px)) + 1;
  const long jmax = static_cast<long>(std::ceil(2.0 * r / l.py)) + 1;
  auto corner = [&](int k, long i, long j) {
    return std::pair{static_cast<double>(i) * l.px + ((k & 1) ? l.w : 0.0),
                     static_cast<double>(j) * l.py + ((k & 2) ? l.h : 0.0)};
  };
  for (int k1 = 0; k1 < 4; ++k1) {
    const auto [c1x, c1y] = corner(k1, 0, 0);
    for (long j = 0; j <= jmax; ++j) {
      for (long i = -imax; i <= imax; ++i) {
        if (j == 0 && i < 0) continue;  // the pair reversed is visited from the other corner
        for (int k2 = 0; k2 < 4; ++k2) {
          if (i == 0 && j == 0 && k2 <= k1) continue;
          const auto [c2x, c2y] = corner(k2, i, j);
          const double dx = c2x - c1x, dy = c2y - c1y;
          const double d2 = dx * dx + dy * dy;
          if (d2 > 4.0 * r * r || d2 <= 0) continue;
          const double d = std::sqrt(d2);
          const double hh = std::sqrt(std::max(0.0, r * r - d2 / 4.0));
          // Circle centres (translations putting a corner on the origin-centred circle's centre).
          const double mx = -(c1x + c2x) / 2.0, my = -(c1y + c2y) / 2.0;
          const double ux = -dx / d, uy = -dy / d;  // direction from centre 1 to centre 2
          for (const double sg : {1.0, -1.0}) {
            const double tx = mx - sg * hh * uy;
            const double ty = my + sg * hh * ux;
            if (!site_fits(l, tx, ty)) continue;
            if (!site_fits(l, tx + static_cast<double>(i) * l.px,
                           ty + static_cast<double>(j) * l.py))
              continue;
            double x0 = std::fmod(tx, l.px);
            if (x0 < 0) x0 += l.px;
            double y0 = std::fmod(ty, l.py);
            if (y0 < 0) y0 += l.py;
            // Reducing modulo the pitch moves the whole lattice by whole pitches: same set.
            const int n = grid_count_at(l, x0, y0, nullptr);
            if (n > best.count) best = {n, x0, y0};
          }
        }
      }
    }
  }
  return best;
}

struct Circle {
  double x = 0, y = 0, r = -1;
  bool contains(double px, double py) const { return std::hypot(px - x, py - y) <= r + 1e-9; }
};

Circle circle2(double ax, double ay, double bx, double by) {
  return {(ax + bx) / 2.0, (ay + by) / 2.0, std::hypot(ax - bx, ay - by) / 2.0};
}

Circle circle3(double ax, double ay, double bx, double by, double cx, double cy) {
  const double bxr = bx - ax, byr = by - ay, cxr = cx - ax, cyr = cy - ay;
  const double d = 2.0 * (bxr * cyr - byr * cxr);
  if (std::abs(d) < 1e-12) {  // (nearly) collinear: the widest pair spans the circle
    Circle best = circle2(ax, ay, bx, by);
    for (const Circle c : {circle2(ax, ay, cx, cy), circle2(bx, by, cx, cy)})
      if (c.r > best.r) best = c;
    return best;
  }
  const double b2 = bxr * bxr + byr * byr, c2 = cxr * cxr + cyr * cyr;
  const double ux = (cyr * b2 - byr * c2) / d, uy = (bxr * c2 - cxr * b2) / d;
  return {ax + ux, ay + uy, std::hypot(ux, uy)};
}

// Smallest circle enclosing the points (Welzl's incremental algorithm; the points are shuffled
// with a fixed seed, so the result is reproducible).
Circle min_enclosing_circle(std::vector<std::pair<double, double>> pts) {
  std::mt19937_64 rng(12345);
  std::shuffle(pts.begin(), pts.end(), rng);
  Circle c;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    if (c.r >= 0 && c.contains(pts[i].first, pts[i].second)) continue;
    c = {pts[i].first, pts[i].second, 0.0};
    for (std::size_t j = 0; j < i; ++j) {
      if (c.contains(pts[j].first, pts[j].second)) continue;
      c = circle2(pts[i].first, pts[i].second, pts[j].first, pts[j].second);
      for (std::size_t k = 0; k < j; ++k) {
        if (c.contains(pts[k].first, pts[k].second)) continue;
        c = circle3(pts[i].first, pts[i].second, pts[j].first, pts[j].second, pts[k].first,
                    pts[k].second);
      }
    }
  }
  return c;
}

// Moves an optimal grid so that its sites sit as centrally as possible: the centre of the smallest
// circle around the sites' corners goes to the wafer centre. The set of sites is unchanged (it
// fitted before, so its enclosing circle is no larger than the usable circle); this maximises the
// clearance to the edge-exclusion ring, which makes the map symmetric where possible.
GridBest centre_grid(const Lattice& l, const GridBest& g) {
  std::vector<SiteRect> sites;
  grid_count_at(l, g.x0, g.y0, &sites);
  if (sites.empty()) return g;
  std::vector<std::pair<double, double>> pts;
  for (std::size_t k = 0; k < sites.size(); ++k) {
    // Only the first and last site of each row can be extreme.
    const bool first = k == 0 || sites[k - 1].y != sites[k].y;
    const bool last = k + 1 == sites.size() || sites[k + 1].y != sites[k].y;
    if (!first && !last) continue;
    const auto& s = sites[k];
    for (const double cx : {s.x, s.x + s.w})
      for (const double cy : {s.y, s.y + s.h}) pts.emplace_back(cx, cy);
  }
  const Circle c = min_enclosing_circle(std::move(pts));
  double x0 = std::fmod(g.x0 - c.x, l.px);
  if (x0 < 0) x0 += l.px;
  double y0 = std::fmod(g.y0 - c.y, l.py);
  if (y0 < 0) y0 += l.py;
  if (grid_count_at(l, x0, y0, nullptr) != g.count) return g;  // numerical safety net
  return {g.count, x0, y0};
}

// Sites in one row of chord half-width c: n w + (n - 1) s <= 2 c.
int row_sites(const Lattice& l, double c) {
  if (c < 0) return 0;
  return std::max(0, static_cast<int>(std::floor((2.0 * c + l.s) / l.px)));
}

int staggered_count_at(const Lattice& l, double y0, std::vector<SiteRect>* out,
                       std::vector<double>* row_x) {
  int total = 0;
  const auto [jlo, jhi] = row_range(l, y0);
  for (long j = jlo; j <= jhi; ++j) {
    const double y = y0 + static_cast<double>(j) * l.py;
    const int n = row_sites(l, row_half_chord(l, y));
    if (n <= 0) continue;
    total += n;
    const double x = -(static_cast<double>(n) * l.px - l.s) / 2.0;  // row centred
    if (row_x) row_x->push_back(x);
    if (out) {
      for (int i = 0; i < n; ++i) out->push_back({x + i * l.px, y, l.w, l.h});
    }
  }
  return total;
}

struct StaggerBest {
  int count = 0;
  double y0 = 0;
};

// Exact best vertical offset for independent rows. A row spanning [y, y + h] holds n sites iff
// max(|y|, |y + h|) <= T_n = sqrt(r^2 - ((n pitch - s) / 2)^2); so the total only changes where
// y or y + h crosses +-T_n. All such offsets (mod the row pitch) and the midpoints between them
// are evaluated; the conditions are closed, so the maximum is attained at one of them.
StaggerBest best_staggered(const Lattice& l) {
  std::vector<double> cand{0.0};
  for (int n = 1;; ++n) {
    const double half = (n * l.px - l.s) / 2.0;
    if (half > l.r) break;
    const double t = std::sqrt(l.r * l.r - half * half);
    for (const double v : {t, -t, t - l.h, -t - l.h}) {
      double y0 = std::fmod(v, l.py);
      if (y0 < 0) y0 += l.py;
      cand.push_back(y0);
    }
  }
  std::sort(cand.begin(), cand.end());
  const std::size_t nc = cand.size();
  for (std::size_t k = 0; k < nc; ++k) {
    const double next = k + 1 < nc ? cand[k + 1] : cand[0] + l.py;
    cand.push_back((cand[k] + next) / 2.0);
  }
  std::sort(cand.begin(), cand.end());
  std::vector<int> counts(cand.size());
  std::size_t arg = 0;
  for (std::size_t k = 0; k < cand.size(); ++k) {
    counts[k] = staggered_count_at(l, cand[k], nullptr, nullptr);
    if (counts[k] > counts[arg]) arg = k;
  }
  // The count is constant between neighbouring candidates, so the run of best candidates around
  // `arg` spans an interval of optimal offsets: take its middle (rows clear of the edge on both
  // sides).
  std::size_t lo = arg, hi = arg;
  while (lo > 0 && counts[lo - 1] == counts[arg]) --lo;
  while (hi + 1 < cand.size() && counts[hi + 1] == counts[arg]) ++hi;
  const double mid = (cand[lo] + cand[hi]) / 2.0;
  if (staggered_count_at(l, mid, nullptr, nullptr) == counts[arg]) return {counts[arg], mid};
  return {counts[arg], cand[arg]};
}

}  // namespace

const char* to_string(PackingMode m) {
  switch (m) {
    case PackingMode::Grid:
      return "grid";
    case PackingMode::Staggered:
      return "staggered";
    case PackingMode::Best:
      return "best";
  }
  return "grid";
}

const char* to_string(PackingMethod m) {
  return m == PackingMethod::Staggered ? "staggered" : "grid";
}

std::optional<PackingMode> parse_packing_mode(const std::string& s) {
  if (s == "grid") return PackingMode::Grid;
  if (s == "staggered") return PackingMode::Staggered;
  if (s == "best") return PackingMode::Best;
  return std::nullopt;
}

std::vector<std::string> check_geometry(const WaferSpec& wafer, double site_w_mm,
                                        double site_h_mm) {
  std::vector<std::string> problems;
  auto finite_pos = [](double v) { return std::isfinite(v) && v > 0; };
  if (!finite_pos(wafer.diameter_mm)) problems.push_back("wafer diameter must be > 0 mm");
  if (!std::isfinite(wafer.edge_exclusion_mm) || wafer.edge_exclusion_mm < 0)
    problems.push_back("edge exclusion must be >= 0 mm");
  if (!std::isfinite(wafer.street_mm) || wafer.street_mm < 0)
    problems.push_back("street width must be >= 0 mm");
  if (!finite_pos(site_w_mm)) problems.push_back("site width must be > 0 mm");
  if (!finite_pos(site_h_mm)) problems.push_back("site height must be > 0 mm");
  if (problems.empty() && wafer.usable_radius_mm() <= 0)
    problems.push_back("edge exclusion leaves no usable wafer area");
  if (problems.empty()) {
    const double r = wafer.usable_radius_mm();
    const double cells =
        std::numbers::pi * r * r / ((site_w_mm + wafer.street_mm) * (site_h_mm + wafer.street_mm));
    if (cells > kMaxSites)
      problems.push_back(fmt::format(
          "site of {:g} x {:g} mm is too small for explicit packing: about {:.0f} sites, more "
          "than the limit of {:.0f}",
          site_w_mm, site_h_mm, cells, kMaxSites));
  }
  return problems;
}

Packing pack_sites(const WaferSpec& wafer, double site_w_mm, double site_h_mm, PackingMode mode) {
  Packing p;
  if (!check_geometry(wafer, site_w_mm, site_h_mm).empty()) return p;
  const Lattice l = make_lattice(wafer, site_w_mm, site_h_mm);
  const Lattice lr = make_lattice(wafer, site_h_mm, site_w_mm);

  // The grid count is the same in both orientations (a quarter turn maps the circle onto itself
  // and a w x h lattice onto an h x w one), so the grid is placed as given.
  const GridBest g = centre_grid(l, best_grid(l));
  p.grid_count = g.count;

  const StaggerBest s0 = best_staggered(l);
  const StaggerBest s1 = best_staggered(lr);
  p.staggered_rotated = s1.count > s0.count;
  p.staggered_count = std::max(s0.count, s1.count);

  const bool use_staggered = mode == PackingMode::Staggered ||
                             (mode == PackingMode::Best && p.staggered_count > p.grid_count);
  if (use_staggered) {
    const Lattice& ls = p.staggered_rotated ? lr : l;
    const double y0 = p.staggered_rotated ? s1.y0 : s0.y0;
    p.method = PackingMethod::Staggered;
    p.rotated = p.staggered_rotated;
    p.placed_w_mm = ls.w;
    p.placed_h_mm = ls.h;
    p.offset_y_mm = y0;
    p.count = staggered_count_at(ls, y0, &p.sites, &p.row_offsets_x_mm);
  } else {
    p.method = PackingMethod::Grid;
    p.rotated = false;
    p.placed_w_mm = l.w;
    p.placed_h_mm = l.h;
    p.offset_x_mm = g.x0;
    p.offset_y_mm = g.y0;
    p.count = grid_count_at(l, g.x0, g.y0, &p.sites);
  }
  return p;
}

int sites_per_wafer(const WaferSpec& wafer, double site_w_mm, double site_h_mm) {
  return pack_sites(wafer, site_w_mm, site_h_mm, PackingMode::Grid).count;
}

double gross_die_formula(const WaferSpec& wafer, double site_w_mm, double site_h_mm) {
  const double d = 2.0 * wafer.usable_radius_mm();
  const double s = (site_w_mm + wafer.street_mm) * (site_h_mm + wafer.street_mm);
  return std::numbers::pi * (d / 2.0) * (d / 2.0) / s - std::numbers::pi * d / std::sqrt(2.0 * s);
}

}  // namespace osatsim::packaging
