// vectorscan (Hyperscan API) behind RAII owners.
//
// Life of a pattern database, in two phases like RE2's Set:
//
//   std::vector<Pattern> patterns = {{"\\bfoo\\b", 1, kCaseless}, ...};
//   auto db = Database::Compile(patterns, Database::Mode::kBlock);
//   if (!db.ok()) { ... db.status().message() names the pattern id ... }
//   Scanner scanner(*db);                  // owns a scratch pool
//   scanner.Scan(text, [](const Match& m) { ...; return true; });
//
// Every pattern is compiled with start-of-match (HS_FLAG_SOM_LEFTMOST), so a
// Match carries a byte span, not just an end offset.
//
// Thread-safety: a Database is immutable once compiled and may be shared by
// any number of threads. A Scanner is safe for concurrent use: each Scan call
// leases a scratch from the scanner's pool (vectorscan requires one scratch
// per concurrent caller) and returns it afterwards. A Stream is not
// thread-safe: one stream belongs to one caller.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "airlock/core/status.h"

struct hs_database;
struct hs_scratch;
struct hs_stream;

namespace airlock::scan {

enum PatternFlags : unsigned {
  kNone = 0,
  kCaseless = 1u << 0,
  kDotAll = 1u << 1,
  kMultiline = 1u << 2,
  // Treat the pattern and input as UTF-8 (HS_FLAG_UTF8): `.` and classes
  // match whole characters, and caseless folds non-ASCII letters.
  kUtf8 = 1u << 3,
  // Unicode properties for \w, \d, \s (HS_FLAG_UCP; needs kUtf8).
  // vectorscan rejects \b in this mode, hence a flag of its own.
  kUcp = 1u << 4,
};

struct Pattern {
  std::string expression;
  unsigned id = 0;  // reported back in Match::id; need not be unique
  unsigned flags = kNone;
};

struct Match {
  unsigned id;
  std::uint64_t from;  // byte offset of the leftmost start
  std::uint64_t to;    // exclusive end
};

// What a scan calls per match; return false to stop the scan early.
//
// A non-owning reference to a callable (like std::function_ref): it never
// allocates, so the per-window scans of the analyzer cost no heap traffic.
// The callable must outlive the call that receives the reference; pass a
// lambda straight to Scan/Write/Close, never keep a MatchCallback made
// from a temporary.
class MatchCallback {
 public:
  template <typename F,
            typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, MatchCallback> &&
                                        std::is_invocable_r_v<bool, F&, const Match&>>>
  MatchCallback(F&& f)  // NOLINT(google-explicit-constructor): used like std::function
      : obj_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* o, const Match& m) -> bool {
          return (*static_cast<std::remove_reference_t<F>*>(o))(m);
        }) {}
  bool operator()(const Match& m) const { return call_(obj_, m); }

 private:
  void* obj_;
  bool (*call_)(void*, const Match&);
};

class Database {
 public:
  enum class Mode { kBlock, kStream };

  // Compiles all patterns into one database. On failure the status names the
  // index and id of the offending pattern and vectorscan's reason.
  // With `start_of_match` false, Match::from is always 0: such databases scan
  // several times faster and serve as prefilters (see detect/analyzer.cc).
  static Result<std::shared_ptr<const Database>> Compile(const std::vector<Pattern>& patterns,
                                                          Mode mode, bool start_of_match = true);

  // Compiles plain literals (no regex syntax; Pattern::expression is the
  // bytes to find, only kCaseless applies) without start-of-match. Literal
  // sets of many thousands compile in a fraction of the time the same
  // strings take as regexes, and scan fast.
  static Result<std::shared_ptr<const Database>> CompileLiterals(
      const std::vector<Pattern>& literals, Mode mode);

  // Serialisation for the compiled-database cache. Deserialize checks that the
  // bytes were produced by a compatible vectorscan build for this platform.
  Result<std::string> Serialize() const;
  static Result<std::shared_ptr<const Database>> Deserialize(std::string_view bytes, Mode mode);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Mode mode() const { return mode_; }
  std::size_t SizeBytes() const;
  hs_database* raw() const { return db_; }

 private:
  Database(hs_database* db, Mode mode) : db_(db), mode_(mode) {}
  hs_database* db_;
  Mode mode_;
};

// A pool of scratch spaces for one database. Leases are cheap after warm-up.
class ScratchPool {
 public:
  explicit ScratchPool(std::shared_ptr<const Database> db);
  ~ScratchPool();
  ScratchPool(const ScratchPool&) = delete;
  ScratchPool& operator=(const ScratchPool&) = delete;

  class Lease {
   public:
    Lease(ScratchPool* pool, hs_scratch* s) : pool_(pool), scratch_(s) {}
    Lease(Lease&& o) noexcept : pool_(o.pool_), scratch_(o.scratch_) { o.scratch_ = nullptr; }
    ~Lease();
    hs_scratch* get() const { return scratch_; }

   private:
    ScratchPool* pool_;
    hs_scratch* scratch_;
  };

  Result<Lease> Acquire();
  std::size_t ScratchSizeBytes() const;

 private:
  void Release(hs_scratch* s);
  std::shared_ptr<const Database> db_;
  hs_scratch* prototype_ = nullptr;
  std::mutex mu_;
  std::vector<hs_scratch*> free_;
};

class Stream;

class Scanner {
 public:
  explicit Scanner(std::shared_ptr<const Database> db);

  // Block mode: scans `text` as one unit.
  // REQUIRES: database mode is kBlock.
  Status Scan(std::string_view text, const MatchCallback& on_match) const;

  // Stream mode: matches may span Write() calls; offsets are relative to the
  // start of the stream.
  // REQUIRES: database mode is kStream.
  Result<std::unique_ptr<Stream>> OpenStream() const;

  const Database& database() const { return *db_; }

 private:
  friend class Stream;
  std::shared_ptr<const Database> db_;
  mutable std::shared_ptr<ScratchPool> pool_;
};

class Stream {
 public:
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Feeds the next chunk; matches that end inside it are reported.
  Status Write(std::string_view chunk, const MatchCallback& on_match);
  // Ends the stream; matches that can only be confirmed at end of data
  // (e.g. those ending in `$` or `\b`) are reported here.
  Status Close(const MatchCallback& on_match);
  std::uint64_t bytes_written() const { return written_; }

 private:
  friend class Scanner;
  Stream(std::shared_ptr<ScratchPool> pool, hs_stream* s, ScratchPool::Lease lease)
      : pool_(std::move(pool)), stream_(s), lease_(std::move(lease)) {}
  std::shared_ptr<ScratchPool> pool_;
  hs_stream* stream_;
  ScratchPool::Lease lease_;
  std::uint64_t written_ = 0;
};

struct PatternInfo {
  unsigned min_width = 0;
  unsigned max_width = 0;  // kUnbounded when the pattern has no upper bound
  static constexpr unsigned kUnbounded = ~0u;
};
// Width bounds of one pattern (vectorscan's hs_expression_info).
Result<PatternInfo> InspectPattern(const Pattern& pattern);

// "vectorscan 5.4.9 ..." — part of the compiled-database cache key.
std::string EngineVersion();

}  // namespace airlock::scan
