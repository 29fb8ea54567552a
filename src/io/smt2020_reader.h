#pragma once
// Internals of the SMT2020 reader (docs/smt2020.md): the reader of one model directory. Its
// methods are spread over the reader's files by input file (see io/smt2020_table.h).
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/diagnostics.h"
#include "io/smt2020_table.h"
#include "model/factory.h"

namespace osatsim::io::smt2020_detail {

class Reader {
 public:
  Reader(const fs::path& dir, Diagnostics& diags) : dir_(dir), diags_(diags) {}

  model::Factory run();

 private:
  // --- tool.txt.1l ---
  void read_tools();

  // --- part.txt and the route files ---
  void read_parts();

  struct StepRef {
    int step;    // 0-based step holding the reference
    int target;  // 1-based target as written
    int line;
    int col;
  };

  model::Route read_route(const std::string& file, const std::string& route_name, Table& parts,
                          const Row& part_row, int c_file);
  // The columns of a route file (-1 when absent).
  struct RouteColumns {
    int route, step, desc, fam, pdist, pt, pt2, ptu, per, bmn, bmx, setup, when, st, stu, sve,
        for_step, bi, biu, pi, piu, rwk, rw, rwt, pct, cqs, cq, cqu;
  };
  // References of a route's steps to other steps (dedication, rework, queue-time exit).
  struct StepRefs {
    std::vector<StepRef> dedic, rework, cqt;
  };
  void read_route_step_basics(Table& t, const Row& r, const RouteColumns& cols,
                              const std::string& route_name, int idx, NameMap<int>& desc_line,
                              model::Step& s);
  void read_route_step_batch_setup(Table& t, const Row& r, const RouteColumns& cols, int idx,
                                   model::Step& s, StepRefs& refs);
  void read_route_step_flow(Table& t, const Row& r, const RouteColumns& cols, int idx,
                            model::Step& s, StepRefs& refs);
  void resolve_step_refs(Table& t, const StepRefs& refs, model::Route& route);

  // --- setup.txt ---
  void read_setups();

  // --- setupgrp.txt ---
  void read_setup_groups();

  // --- downcal.txt ---
  void read_downcal();

  // --- pmcal.txt ---
  void read_pmcal();

  // --- attach.txt ---
  void read_attach();

  // --- fromto.txt ---
  void read_fromto();

  // --- order.txt and WIP.txt ---
  struct OrderRow {
    model::ReleaseStream s;
    std::int64_t start = 0, due = 0;  // seconds since 2000
  };
  struct WipRow {
    model::InitialLot lot;
    std::int64_t start = 0, due = 0;
    bool has_start = false;
  };

  model::ProductId product_of(Table& t, const Row& r, int c);

  void read_orders_and_wip();
  std::vector<OrderRow> read_orders();
  std::vector<WipRow> read_wip();

  // "Init_<type>_<k>" -> the stream named <type>, or kNone.
  model::StreamId stream_of_wip_lot(const std::string& lot) const;

  struct PendingSetupGroup {
    model::ToolGroupId group;
    std::string name;
    int line;
    int col;
  };

  fs::path dir_;
  Diagnostics& diags_;
  model::Factory f_;
  std::string tools_file_;
  std::string sgrp_col_name_ = "SETUPGRP";
  NameMap<int> group_line_;
  NameMap<model::ToolGroupId> group_id_;
  NameMap<model::RouteId> route_ids_;
  NameMap<model::ProductId> product_id_;
  std::unordered_set<std::string> good_product_;
  NameMap<model::DownCalendarId> down_id_;
  NameMap<model::PmCalendarId> pm_id_;
  std::vector<PendingSetupGroup> pending_setup_group_;
  std::unordered_set<std::string> broken_part_;  // parts defined with problems (reported)
  std::unordered_set<std::string> broken_cal_;   // calendars defined with problems (reported)
  // Whether a file was read with its required columns; when not, references into it are not
  // reported as unknown (the missing file is the one problem to fix).
  bool tools_ok_ = false, parts_ok_ = false, routes_ok_ = true, setup_groups_ok_ = false,
       down_ok_ = false, pm_ok_ = false;
};

}  // namespace osatsim::io::smt2020_detail
