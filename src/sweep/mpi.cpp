#include "sweep/mpi.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#ifdef OSATSIM_WITH_MPI
#include <mpi.h>
#endif

namespace osatsim::sweep {

int launcher_world_size() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"}) {
    if (const char* v = std::getenv(var)) {
      const int n = std::atoi(v);
      if (n > 0) return n;
    }
  }
  return 1;
}

#ifndef OSATSIM_WITH_MPI

bool mpi_built() { return false; }
MpiSession::MpiSession() = default;
MpiSession::~MpiSession() = default;
void MpiSession::abort_if_failed(int) {}
bool run_items_mpi(const MpiSession&, const Spec&, const RunItem&, const RunSettings&,
                   std::vector<Figures>&, std::string& why) {
  why = "this build has no MPI (OSATSIM_WITH_MPI off)";
  return false;
}

#else

namespace {

constexpr int kTagResult = 1;  // worker -> coordinator: the last item's journal line ("" first)
constexpr int kTagItem = 2;    // coordinator -> worker: the next item, -1 to stop

// Coordinator state shared by its MPI loop and its local worker thread.
struct Queue {
  std::mutex m;
  std::vector<std::size_t> todo;
  std::size_t next = 0;
  std::vector<Figures>* items = nullptr;
  std::FILE* journal = nullptr;
  int stop_after = 0, finished = 0;
  bool failed = false;
  std::string why;
  long take() {
    std::lock_guard<std::mutex> lock(m);
    return failed || next >= todo.size() ? -1 : static_cast<long>(todo[next++]);
  }
  void finish(std::size_t k, Figures f) {
    std::lock_guard<std::mutex> lock(m);
    std::fputs((journal_line(k, f) + "\n").c_str(), journal);
    std::fflush(journal);
    (*items)[k] = std::move(f);
    if (stop_after > 0 && ++finished >= stop_after) std::_Exit(137);  // as if killed
  }
  void fail(const std::string& w) {
    std::lock_guard<std::mutex> lock(m);
    if (!failed) why = w;
    failed = true;
  }
};

int run_one(const Spec& spec, const RunItem& run, long k, Figures& f, std::string& why) {
  const int R = spec.replications;
  return run(static_cast<int>(k) / R, static_cast<int>(k) % R, f, why) ? 1 : 0;
}

void serve(Queue& q, int workers) {
  int active = workers;
  while (active > 0) {
    int flag = 0;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, kTagResult, MPI_COMM_WORLD, &flag, &st);
    if (!flag) {  // polls gently: the coordinator's own worker thread shares the core
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    int len = 0;
    MPI_Get_count(&st, MPI_CHAR, &len);
    std::string msg(static_cast<std::size_t>(len), '\0');
    MPI_Recv(msg.data(), len, MPI_CHAR, st.MPI_SOURCE, kTagResult, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    if (!msg.empty() && msg.front() == '!') {
      q.fail(msg.substr(1));
    } else if (!msg.empty()) {
      std::size_t k = 0;
      Figures f;
      if (parse_journal_line(msg, k, f) && k < q.items->size()) q.finish(k, std::move(f));
      else q.fail("a worker sent an unreadable result");
    }
    long k = q.take();
    MPI_Send(&k, 1, MPI_LONG, st.MPI_SOURCE, kTagItem, MPI_COMM_WORLD);
    if (k < 0) --active;
  }
}

void work(const Spec& spec, const RunItem& run) {
  std::string msg;
  while (true) {
    MPI_Send(msg.data(), static_cast<int>(msg.size()), MPI_CHAR, 0, kTagResult, MPI_COMM_WORLD);
    long k = -1;
    MPI_Recv(&k, 1, MPI_LONG, 0, kTagItem, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (k < 0) return;
    Figures f;
    std::string why;
    msg = run_one(spec, run, k, f, why) ? journal_line(static_cast<std::size_t>(k), f) : "!" + why;
  }
}

}  // namespace

bool mpi_built() { return true; }

MpiSession::MpiSession() {
  if (launcher_world_size() <= 1) return;
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  if (size_ <= 1) {
    MPI_Finalize();
    size_ = 1;
  }
}

MpiSession::~MpiSession() {
  if (size_ > 1) MPI_Finalize();
}

void MpiSession::abort_if_failed(int code) {
  if (size_ > 1 && code != 0) MPI_Abort(MPI_COMM_WORLD, code);
}

bool run_items_mpi(const MpiSession& session, const Spec& spec, const RunItem& run,
                   const RunSettings& s, std::vector<Figures>& items, std::string& why) {
  if (session.rank() != 0) {
    items.clear();
    work(spec, run);
    return true;
  }
  Queue q;
  if (!open_journal(spec, s, items, q.todo, q.journal, why)) return false;
  q.items = &items;
  q.stop_after = s.stop_after;
  std::thread local([&] {
    for (long k = q.take(); k >= 0; k = q.take()) {
      Figures f;
      std::string w;
      if (!run_one(spec, run, k, f, w)) {
        q.fail(w);
        return;
      }
      q.finish(static_cast<std::size_t>(k), std::move(f));
    }
  });
  serve(q, session.size() - 1);
  local.join();
  std::fclose(q.journal);
  why = q.why;
  return !q.failed;
}

#endif

}  // namespace osatsim::sweep
