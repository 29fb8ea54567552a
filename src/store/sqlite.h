#pragma once
// A small RAII wrapper of SQLite (docs/results.md "Results store"): a connection, a prepared
// statement and a transaction. Every failure throws store::Error with SQLite's message.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace osatsim::store {

// bad_input: the file is not ours to use (newer schema, not a database, missing): exit code 2.
// Otherwise the operation failed (locked, disk full, ...): exit code 1.
class Error : public std::runtime_error {
 public:
  Error(const std::string& what, bool bad_input) : std::runtime_error(what), bad_input_(bad_input) {}
  bool bad_input() const { return bad_input_; }

 private:
  bool bad_input_;
};

class Db {
 public:
  // Opens `path` (read-write; created when `create`), busy timeout `busy_ms`.
  Db(const std::string& path, bool create, int busy_ms = 5000);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const std::string& sql);
  std::int64_t last_insert_id() const;
  int changes() const;
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  [[noreturn]] void fail(const std::string& doing) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Stmt {
 public:
  Stmt(Db& db, const std::string& sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Binding is 1-based, as in SQLite; every bind returns *this for chaining.
  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, double v);
  Stmt& bind(int i, const std::string& v);
  Stmt& bind_null(int i);
  // True while a row is available; false when done.
  bool step();
  // Runs a statement that returns no rows.
  void run();
  void reset();

  // Columns are 0-based.
  std::int64_t int64(int c) const;
  double real(int c) const;
  std::string text(int c) const;
  bool is_null(int c) const;

 private:
  Db& db_;
  sqlite3_stmt* st_ = nullptr;
};

// BEGIN IMMEDIATE on construction (takes the write lock at once), ROLLBACK on destruction unless
// commit() ran.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace osatsim::store
