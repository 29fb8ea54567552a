#pragma once
// Sites (interposers, fan-out modules) per round wafer by explicit rectangle packing, and the
// textbook gross-die-per-wafer formula beside it. Lengths are millimetres; the wafer centre is the
// origin, x to the right, y up (the notch is at the bottom, -y). See docs/packaging.md.
#include <optional>
#include <string>
#include <vector>

namespace osatsim::packaging {

struct WaferSpec {
  double diameter_mm = 300.0;
  double edge_exclusion_mm = 3.0;  // ring at the rim where no site may lie
  double street_mm = 0.2;  // scribe street between neighbouring sites; pitch = site + street
  // Radius of the usable circle, d/2 - edge exclusion.
  double usable_radius_mm() const { return diameter_mm / 2.0 - edge_exclusion_mm; }
};

// What placements the packer may use.
//  Grid:      one rectangular lattice across the wafer (straight full-length dicing streets, the
//             layout a blade saw and a regular stepper shot map give). Default; reproduces the
//             published CoWoS counts (16 at 52 x 54.5 mm, 9 at 66 x 71.5 mm).
//  Staggered: every row shifted independently (needs per-row dicing, e.g. laser or plasma).
//  Best:      whichever of the two fits more (the grid on a tie).
enum class PackingMode { Grid, Staggered, Best };
enum class PackingMethod { Grid, Staggered };

const char* to_string(PackingMode m);
const char* to_string(PackingMethod m);
std::optional<PackingMode> parse_packing_mode(const std::string& s);

// A placed site: lower-left corner (x, y) and size (w, h), mm, wafer centre at the origin.
struct SiteRect {
  double x = 0, y = 0, w = 0, h = 0;
};

struct Packing {
  int count = 0;  // sites of the chosen method
  PackingMethod method = PackingMethod::Grid;
  bool rotated = false;    // true: placed as h x w (site turned by 90 degrees)
  double placed_w_mm = 0;  // site width and height as placed (after rotation)
  double placed_h_mm = 0;
  // Grid: lower-left corner of the lattice site (0, 0); all sites are at
  // (offset_x + i*pitch_x, offset_y + j*pitch_y). Staggered: offset_y as for the grid,
  // offset_x = 0 and row_offsets_x gives the x of the first site of each non-empty row.
  double offset_x_mm = 0;
  double offset_y_mm = 0;
  std::vector<double> row_offsets_x_mm;
  std::vector<SiteRect> sites;  // count rectangles, rows bottom to top, left to right

  // Both methods are always evaluated, so callers can show what the other would give.
  int grid_count = 0;       // best aligned grid (either orientation: they are equal)
  int staggered_count = 0;  // best row-staggered packing over both orientations
  bool staggered_rotated = false;
};

// Largest number of sites (usable area / pitch area) pack_sites accepts; the exact grid search
// grows like sites^1.5 (about 2 s at 140,000 sites, see docs/performance.md).
inline constexpr double kMaxSites = 200000.0;

// Problems with a wafer/site pair ("site width must be > 0", ...); empty when fine. A site that
// is valid but too large for the usable circle is not a problem here: it simply packs 0.
std::vector<std::string> check_geometry(const WaferSpec& wafer, double site_w_mm, double site_h_mm);

// Packs w x h sites (both orientations) on the wafer. Exact: the grid optimum is found over all
// lattice offsets (candidate offsets are the vertices of the feasible translation regions, i.e.
// where two site corners lie on the usable circle), the staggered optimum over all vertical
// offsets (candidates are the offsets where a row's chord admits one site more or fewer).
// A site counts only if its four corners lie in the usable circle (tolerance 1e-9 mm).
// Inputs must pass check_geometry(); otherwise the result is empty (count 0).
Packing pack_sites(const WaferSpec& wafer, double site_w_mm, double site_h_mm,
                   PackingMode mode = PackingMode::Grid);

// Sites per wafer of the default (grid) packing: the number the scenario reader uses for a
// product with the given site (interposer / module) size. 0 for invalid input.
int sites_per_wafer(const WaferSpec& wafer, double site_w_mm, double site_h_mm);

// Textbook gross dies per wafer, GDW = pi (d/2)^2 / S - pi d / sqrt(2 S), with d the usable
// diameter (diameter - 2 edge exclusion) and S the site area including the street,
// (w + street)(h + street). Not clamped: it can go negative for very large sites.
double gross_die_formula(const WaferSpec& wafer, double site_w_mm, double site_h_mm);

}  // namespace osatsim::packaging
