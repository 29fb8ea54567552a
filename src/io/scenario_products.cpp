// YAML scenario reader: products (sites per wafer or site dimensions, dies per package) and
// release streams (docs/scenario.md).
#include "io/scenario_reader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstddef>
#include <string>

#include "core/dist.h"
#include "core/text.h"
#include "core/time.h"
#include "model/factory.h"

#include "packaging/geometry.h"

namespace osatsim::io::scenario_detail {

void ScenarioReader::read_product(const YAML::Node& v, int id) {
  model::Product& p = f_.products[id];
  const std::string key = fmt::format("products.{}", p.name);
  Map m(r_, v, key,
        {"name", "description", "route", "starts_as", "sites_per_wafer", "site", "wafer",
         "edge_exclusion", "street", "site_yield", "dies"});
  if (!m.ok()) return;
  bool good = true;
  if (const YAML::Node* n = m.get("route")) {
    p.route = routes_.resolve(r_, *n, m.sub("route"), "route");
    good = p.route != kNone;
  } else {
    r_.err(v, key, "a product needs its 'route'");
    good = false;
  }
  if (const YAML::Node* n = m.get("starts_as")) {
    good = r_.word<bool>(*n, m.sub("starts_as"), {{"wafers", false}, {"units", true}},
                         p.starts_as_units) &&
           good;
  }
  const YAML::Node* spw = m.get("sites_per_wafer");
  const YAML::Node* site = m.get("site");
  if (spw && site) {
    r_.err(*site, m.sub("site"), "give either 'sites_per_wafer' or 'site', not both");
    good = false;
  } else if (spw) {
    good =
        r_.integer(*spw, m.sub("sites_per_wafer"), p.sites_per_wafer, 1, kMaxSitesPerWafer) && good;
    for (const char* k : {"wafer", "edge_exclusion", "street"}) {
      if (m.has(k)) r_.err(*m.get(k), m.sub(k), "only with 'site' (site dimensions)");
    }
  } else if (site) {
    std::string text;
    double w = 0, h = 0;
    bool dims = false;
    if (r_.scalar(*site, m.sub("site"), text)) {
      const auto parts = core::split_dims(text, "xX");
      dims = parts && parse_number(parts->first, w) && parse_number(parts->second, h) && w > 0 &&
             h > 0;
      if (!dims)
        r_.err(*site, m.sub("site"),
               fmt::format("expected site dimensions 'WIDTHxHEIGHT' in mm, e.g. '52x54.5', got "
                           "'{}'",
                           text));
    }
    double wafer = 300, edge = 3, street = 0.2;
    if (const YAML::Node* n = m.get("wafer")) dims = r_.nonneg(*n, m.sub("wafer"), wafer) && dims;
    if (const YAML::Node* n = m.get("edge_exclusion"))
      dims = r_.nonneg(*n, m.sub("edge_exclusion"), edge) && dims;
    if (const YAML::Node* n = m.get("street"))
      dims = r_.nonneg(*n, m.sub("street"), street) && dims;
    if (dims) {
      packaging::WaferSpec spec;
      spec.diameter_mm = wafer;
      spec.edge_exclusion_mm = edge;
      spec.street_mm = street;
      const auto problems = packaging::check_geometry(spec, w, h);
      for (const auto& pr : problems) r_.err(*site, m.sub("site"), pr);
      if (problems.empty()) {
        const packaging::Packing packed = packaging::pack_sites(spec, w, h);
        p.sites_per_wafer = packed.count;
        p.site_packing = fmt::format(
            "site {:g}x{:g} mm on a {:g} mm wafer, edge exclusion {:g} mm, street {:g} mm: {} "
            "packing{}",
            w, h, wafer, edge, street, packaging::to_string(packed.method),
            packed.rotated ? ", site turned 90 degrees" : "");
        if (p.sites_per_wafer <= 0)
          r_.err(*site, m.sub("site"),
                 fmt::format("no {}x{} mm site fits on a {} mm wafer with {} mm edge exclusion", w,
                             h, wafer, edge));
      }
    }
    good = good && dims && p.sites_per_wafer > 0;
  } else {
    for (const char* k : {"wafer", "edge_exclusion", "street"}) {
      if (m.has(k)) r_.err(*m.get(k), m.sub(k), "only with 'site' (site dimensions)");
    }
  }
  if (p.starts_as_units && (spw || site)) {
    r_.err(spw ? *spw : *site, m.sub(spw ? "sites_per_wafer" : "site"),
           "a product that starts as units has no sites per wafer");
    good = false;
  }
  if (const YAML::Node* n = m.get("site_yield"))
    good = r_.probability(*n, m.sub("site_yield"), p.site_yield, true) && good;
  if (const YAML::Node* d = m.get("dies")) {
    if (!d->IsMap()) {
      r_.err(*d, m.sub("dies"), "expected a map 'component: count per package'");
    } else {
      for (const auto& kv : *d) {
        const std::string k = fmt::format("{}.{}", m.sub("dies"), kv.first.Scalar());
        const int c = components_.resolve(r_, kv.first, k, "component");
        int count = 0;
        // A bad count is reported here; the component still counts as listed (no follow-on
        // "no dies of component" at the steps that place it).
        if (!r_.integer(kv.second, k, count, 1, kMaxDiesPerPackage)) count = 1;
        if (c == kNone) continue;
        bool dup = false;
        for (const auto& dc : p.dies) dup = dup || dc.component == c;
        if (dup) {
          r_.err(kv.first, k, "component listed twice");
          continue;
        }
        p.dies.push_back(model::DieCount{c, count});
      }
    }
  }
  product_ok_[id] = good;
  if (spw) product_sites_node_[id] = *spw;
  if (site) product_sites_node_[id] = *site;
}

void ScenarioReader::read_release(const YAML::Node& v, int id) {
  model::ReleaseStream& s = f_.streams[id];
  const std::string key = fmt::format("releases.{}", s.name);
  Map m(r_, v, key,
        {"name", "description", "product", "priority", "wafers_per_lot", "units_per_lot",
         "interval", "wafers_per_month", "units_per_month", "lots_per_month", "lots_per_release",
         "first", "due", "max_releases"});
  if (!m.ok()) return;
  bool units = false;
  if (const YAML::Node* n = m.get("product")) {
    s.product = products_.resolve(r_, *n, m.sub("product"), "product");
    if (s.product != kNone) units = f_.products[s.product].starts_as_units;
  } else {
    r_.err(v, key, "a release stream needs its 'product'");
  }
  if (const YAML::Node* n = m.get("priority")) r_.integer(*n, m.sub("priority"), s.priority, 0);
  const YAML::Node* wpl = m.get("wafers_per_lot");
  const YAML::Node* upl = m.get("units_per_lot");
  if (wpl && upl) {
    r_.err(*upl, m.sub("units_per_lot"), "give either 'wafers_per_lot' or 'units_per_lot'");
  } else if (wpl || upl) {
    const char* k = wpl ? "wafers_per_lot" : "units_per_lot";
    r_.integer(wpl ? *wpl : *upl, m.sub(k), s.wafers_per_lot, 1, kMaxCount);
    if (s.product != kNone && units != (upl != nullptr))
      r_.err(wpl ? *wpl : *upl, m.sub(k),
             fmt::format("product '{}' starts as {}: use '{}'", f_.products[s.product].name,
                         units ? "units" : "wafers", units ? "units_per_lot" : "wafers_per_lot"));
  } else {
    r_.err(v, key, "a release stream needs 'wafers_per_lot' (or 'units_per_lot')");
  }
  if (const YAML::Node* n = m.get("lots_per_release"))
    r_.integer(*n, m.sub("lots_per_release"), s.lots_per_release, 1, kMaxCount);
  const YAML::Node* iv = m.get("interval");
  const YAML::Node* wpm = m.get("wafers_per_month");
  const YAML::Node* upm = m.get("units_per_month");
  const YAML::Node* lpm = m.get("lots_per_month");
  const int forms = (iv ? 1 : 0) + (wpm ? 1 : 0) + (upm ? 1 : 0) + (lpm ? 1 : 0);
  if (forms != 1) {
    r_.err(v, key,
           "give the release rate once: 'interval', 'wafers_per_month', 'units_per_month' or "
           "'lots_per_month'");
  } else if (iv) {
    if (r_.dist(*iv, m.sub("interval"), s.interval) && s.interval.mean <= 0)
      r_.err(*iv, m.sub("interval"), "the release interval must be > 0");
  } else {
    const YAML::Node& n = wpm ? *wpm : upm ? *upm : *lpm;
    const char* k = wpm ? "wafers_per_month" : upm ? "units_per_month" : "lots_per_month";
    double rate = 0;
    if (r_.number(n, m.sub(k), rate)) {
      if (rate <= 0) {
        r_.err(n, m.sub(k), fmt::format("must be > 0, got {}", n.Scalar()));
      } else {
        if (s.product != kNone && ((wpm && units) || (upm && !units)))
          r_.err(n, m.sub(k),
                 fmt::format("product '{}' starts as {}: use '{}'", f_.products[s.product].name,
                             units ? "units" : "wafers",
                             units ? "units_per_month" : "wafers_per_month"));
        const double lots = lpm ? rate : rate / std::max(1, s.wafers_per_lot);
        const double releases = lots / std::max(1, s.lots_per_release);
        s.interval = Dist::constant(static_cast<double>(days(kMonthDays)) / releases);
      }
    }
  }
  if (const YAML::Node* n = m.get("first")) r_.duration(*n, m.sub("first"), s.first_release);
  if (const YAML::Node* n = m.get("due")) {
    r_.duration(*n, m.sub("due"), s.due_offset);
  } else {
    r_.err(v, key, "a release stream needs its 'due' offset (release to due date)");
  }
  if (const YAML::Node* n = m.get("max_releases")) {
    long long x = 0;
    if (r_.integer(*n, m.sub("max_releases"), x, -1, 9'000'000'000'000'000LL)) s.max_releases = x;
  }
}

}  // namespace osatsim::io::scenario_detail
