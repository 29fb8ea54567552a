#pragma once
// The MPI backend of a sweep (docs/scale-out.md): when the binary is started by mpirun or srun
// with more than one process, rank 0 coordinates (hands out (variant, replication) items on
// request, runs items on a thread of its own, gathers, journals and writes) and the other ranks
// ask for the next item whenever they finish one. Without MPI (or a single process) nothing here
// initialises MPI.
#include <string>
#include <vector>

#include "sweep/run.h"

namespace osatsim::sweep {

// Built with MPI (OSATSIM_WITH_MPI).
bool mpi_built();

// The process count announced by the launcher (OMPI_COMM_WORLD_SIZE, PMI_SIZE), 1 without one.
int launcher_world_size();

// MPI_Init when the launcher started more than one process, MPI_Finalize on destruction.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  bool active() const { return size_ > 1; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  // Ends the whole job with `code` when a rank stops with a non-zero code while others run.
  void abort_if_failed(int code);

 private:
  int rank_ = 0, size_ = 1;
};

// run_items over the ranks of `session` (active). Rank 0 returns the items in item order; the
// other ranks return true with `items` empty.
bool run_items_mpi(const MpiSession& session, const Spec& spec, const RunItem& run,
                   const RunSettings& settings, std::vector<Figures>& items, std::string& why);

}  // namespace osatsim::sweep
