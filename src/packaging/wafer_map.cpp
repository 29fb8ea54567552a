#include "packaging/wafer_map.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace osatsim::packaging {
namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string wafer_map_svg(const WaferSpec& wafer, const Packing& packing,
                          const std::vector<std::string>& caption) {
  // Drawing units are millimetres; SVG y grows downwards, so wafer y is negated.
  const double rw = wafer.diameter_mm / 2.0;
  const double ru = std::max(0.0, wafer.usable_radius_mm());
  const double margin = rw * 0.08;
  const double font = rw * 0.04;  // caption font size
  const double line = font * 1.45;
  const double title_h = line * 1.6;
  const double caption_h = line * (static_cast<double>(caption.size()) + 2.2);
  const double width = 2.0 * (rw + margin);
  const double height = title_h + 2.0 * (rw + margin) + caption_h;
  const double x_min = -(rw + margin);
  const double y_min = -(rw + margin) - title_h;
  const double px_per_mm = 900.0 / width;

  std::string s;
  s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" "
      "viewBox=\"{:.3f} {:.3f} {:.3f} {:.3f}\" font-family=\"Helvetica, Arial, sans-serif\">\n",
      width * px_per_mm, height * px_per_mm, x_min, y_min, width, height);
  s += fmt::format(
      "<rect x=\"{:.3f}\" y=\"{:.3f}\" width=\"{:.3f}\" height=\"{:.3f}\" "
      "fill=\"#ffffff\"/>\n",
      x_min, y_min, width, height);
  // Title.
  s += fmt::format(
      "<text x=\"0\" y=\"{:.3f}\" text-anchor=\"middle\" font-size=\"{:.3f}\" "
      "font-weight=\"bold\" fill=\"#1f2933\">{} sites of {:g} x {:g} mm on a {:g} mm wafer "
      "({} packing)</text>\n",
      -(rw + margin) - title_h * 0.35, font * 1.25, packing.count,
      packing.rotated ? packing.placed_h_mm : packing.placed_w_mm,
      packing.rotated ? packing.placed_w_mm : packing.placed_h_mm, wafer.diameter_mm,
      to_string(packing.method));

  // Wafer outline with a notch at 6 o'clock (1 mm deep, 90 degree V, SEMI-style), filled with
  // the edge-exclusion colour; the usable circle is drawn over it.
  const double notch_depth = std::min(1.0, rw * 0.05);
  const double half = notch_depth;  // 90 degree opening
  const double ax = -half, ay = std::sqrt(std::max(0.0, rw * rw - half * half));
  s += fmt::format(
      "<path class=\"wafer\" d=\"M {:.4f} {:.4f} A {:.4f} {:.4f} 0 1 1 {:.4f} {:.4f} "
      "L 0 {:.4f} Z\" fill=\"#f4d9d4\" stroke=\"#52606d\" stroke-width=\"{:.3f}\"/>\n",
      ax, ay, rw, rw, -ax, ay, rw - notch_depth, rw * 0.004);
  s += fmt::format(
      "<circle class=\"usable\" cx=\"0\" cy=\"0\" r=\"{:.4f}\" fill=\"#f5f7fa\" "
      "stroke=\"#c0392b\" stroke-width=\"{:.3f}\" stroke-dasharray=\"{:.3f} {:.3f}\"/>\n",
      ru, rw * 0.003, rw * 0.012, rw * 0.008);
  // Centre cross.
  const double cross = rw * 0.03;
  s += fmt::format(
      "<path d=\"M {0:.3f} 0 L {1:.3f} 0 M 0 {0:.3f} L 0 {1:.3f}\" stroke=\"#9aa5b1\" "
      "stroke-width=\"{2:.3f}\"/>\n",
      -cross, cross, rw * 0.002);

  // Sites.
  const double min_side =
      packing.sites.empty() ? 0.0 : std::min(packing.placed_w_mm, packing.placed_h_mm);
  const bool label = min_side >= rw * 0.1 && packing.sites.size() < 1000;
  const double label_font = std::min(min_side * 0.3, font * 1.1);
  s += "<g class=\"sites\">\n";
  int k = 0;
  for (const auto& r : packing.sites) {
    ++k;
    s += fmt::format(
        "<rect class=\"site\" x=\"{:.4f}\" y=\"{:.4f}\" width=\"{:.4f}\" height=\"{:.4f}\" "
        "fill=\"#3b6ea5\" fill-opacity=\"0.85\" stroke=\"#1d3f66\" stroke-width=\"{:.3f}\"/>\n",
        r.x, -(r.y + r.h), r.w, r.h, std::min(min_side * 0.02, rw * 0.003));
    if (label) {
      s += fmt::format(
          "<text x=\"{:.3f}\" y=\"{:.3f}\" text-anchor=\"middle\" dominant-baseline=\"central\" "
          "font-size=\"{:.3f}\" fill=\"#ffffff\">{}</text>\n",
          r.x + r.w / 2.0, -(r.y + r.h / 2.0), label_font, k);
    }
  }
  s += "</g>\n";

  // Notch label.
  s += fmt::format(
      "<text x=\"0\" y=\"{:.3f}\" text-anchor=\"middle\" font-size=\"{:.3f}\" "
      "fill=\"#52606d\">notch</text>\n",
      rw + font * 1.2, font * 0.8);

  // Legend and caption.
  double y = rw + margin + line * 0.6;
  const double sw = font * 0.9;
  const double lx = -(rw + margin) + margin * 0.6;
  s += fmt::format(
      "<rect x=\"{:.3f}\" y=\"{:.3f}\" width=\"{:.3f}\" height=\"{:.3f}\" fill=\"#3b6ea5\"/>\n"
      "<text x=\"{:.3f}\" y=\"{:.3f}\" font-size=\"{:.3f}\" fill=\"#1f2933\">site</text>\n",
      lx, y - sw * 0.85, sw, sw, lx + sw * 1.4, y, font);
  const double lx2 = lx + font * 6;
  s += fmt::format(
      "<rect x=\"{:.3f}\" y=\"{:.3f}\" width=\"{:.3f}\" height=\"{:.3f}\" fill=\"#f4d9d4\" "
      "stroke=\"#c0392b\" stroke-width=\"{:.3f}\"/>\n"
      "<text x=\"{:.3f}\" y=\"{:.3f}\" font-size=\"{:.3f}\" fill=\"#1f2933\">edge exclusion "
      "{:g} mm (usable diameter {:g} mm)</text>\n",
      lx2, y - sw * 0.85, sw, sw, rw * 0.003, lx2 + sw * 1.4, y, font, wafer.edge_exclusion_mm,
      2.0 * ru);
  for (const auto& c : caption) {
    y += line;
    s += fmt::format(
        "<text x=\"{:.3f}\" y=\"{:.3f}\" font-size=\"{:.3f}\" fill=\"#1f2933\">{}</text>\n", lx, y,
        font, xml_escape(c));
  }
  s += "</svg>\n";
  return s;
}

}  // namespace osatsim::packaging
