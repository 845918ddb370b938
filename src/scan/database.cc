#include <hs/hs.h>

#include <string>

#include "airlock/scan/scan.h"

namespace airlock::scan {

namespace {

unsigned ToHsFlags(unsigned flags, bool som) {
  unsigned f = som ? HS_FLAG_SOM_LEFTMOST : 0;
  if (flags & kCaseless) f |= HS_FLAG_CASELESS;
  if (flags & kDotAll) f |= HS_FLAG_DOTALL;
  if (flags & kMultiline) f |= HS_FLAG_MULTILINE;
  if (flags & kUtf8) f |= HS_FLAG_UTF8;
  if (flags & kUcp) f |= HS_FLAG_UCP;
  return f;
}

unsigned ToHsMode(Database::Mode mode, bool som) {
  if (mode == Database::Mode::kBlock) return HS_MODE_BLOCK;
  return som ? (HS_MODE_STREAM | HS_MODE_SOM_HORIZON_LARGE) : HS_MODE_STREAM;
}

}  // namespace

Result<std::shared_ptr<const Database>> Database::Compile(const std::vector<Pattern>& patterns,
                                                           Mode mode, bool start_of_match) {
  if (patterns.empty()) return Status::InvalidArgument("no patterns to compile");
  std::vector<const char*> exprs;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  exprs.reserve(patterns.size());
  for (const auto& p : patterns) {
    exprs.push_back(p.expression.c_str());
    flags.push_back(ToHsFlags(p.flags, start_of_match));
    ids.push_back(p.id);
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  hs_error_t rc = hs_compile_multi(exprs.data(), flags.data(), ids.data(),
                                   static_cast<unsigned>(exprs.size()), ToHsMode(mode, start_of_match), nullptr,
                                   &db, &err);
  if (rc != HS_SUCCESS) {
    std::string msg = "pattern compile failed";
    if (err != nullptr) {
      if (err->expression >= 0 && static_cast<std::size_t>(err->expression) < patterns.size()) {
        msg = "pattern #" + std::to_string(err->expression) + " (id " +
              std::to_string(patterns[err->expression].id) + ") rejected: ";
      } else {
        msg += ": ";
      }
      msg += err->message;
      hs_free_compile_error(err);
    }
    return Status::InvalidArgument(msg);
  }
  return std::shared_ptr<const Database>(new Database(db, mode));
}

Result<std::shared_ptr<const Database>> Database::CompileLiterals(
    const std::vector<Pattern>& literals, Mode mode) {
  if (literals.empty()) return Status::InvalidArgument("no literals to compile");
  std::vector<const char*> exprs;
  std::vector<std::size_t> lens;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  for (const auto& p : literals) {
    if (p.expression.empty()) {
      return Status::InvalidArgument("empty literal (id " + std::to_string(p.id) + ")");
    }
    exprs.push_back(p.expression.data());
    lens.push_back(p.expression.size());
    flags.push_back((p.flags & kCaseless) ? HS_FLAG_CASELESS : 0);
    ids.push_back(p.id);
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                           static_cast<unsigned>(exprs.size()), ToHsMode(mode, false), nullptr,
                           &db, &err) != HS_SUCCESS) {
    std::string msg = "literal compile failed";
    if (err != nullptr) {
      msg += ": ";
      msg += err->message;
      hs_free_compile_error(err);
    }
    return Status::InvalidArgument(msg);
  }
  return std::shared_ptr<const Database>(new Database(db, mode));
}

Database::~Database() { hs_free_database(db_); }

std::size_t Database::SizeBytes() const {
  std::size_t size = 0;
  hs_database_size(db_, &size);
  return size;
}

Result<std::string> Database::Serialize() const {
  char* bytes = nullptr;
  std::size_t len = 0;
  if (hs_serialize_database(db_, &bytes, &len) != HS_SUCCESS) {
    return Status::Internal("vectorscan could not serialise the database");
  }
  std::string out(bytes, len);
  free(bytes);  // allocated by vectorscan's misc allocator (malloc by default)
  return out;
}

Result<std::shared_ptr<const Database>> Database::Deserialize(std::string_view bytes, Mode mode) {
  char* info = nullptr;
  if (hs_serialized_database_info(bytes.data(), bytes.size(), &info) != HS_SUCCESS) {
    return Status::Corruption("not a serialised vectorscan database");
  }
  free(info);
  hs_database_t* db = nullptr;
  if (hs_deserialize_database(bytes.data(), bytes.size(), &db) != HS_SUCCESS) {
    return Status::Corruption("serialised vectorscan database is incompatible or damaged");
  }
  return std::shared_ptr<const Database>(new Database(db, mode));
}

Result<PatternInfo> InspectPattern(const Pattern& pattern) {
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_expression_info(pattern.expression.c_str(), ToHsFlags(pattern.flags, true), &info,
                         &err) != HS_SUCCESS) {
    std::string msg = err != nullptr ? err->message : "unknown error";
    if (err != nullptr) hs_free_compile_error(err);
    return Status::InvalidArgument("pattern (id " + std::to_string(pattern.id) +
                                   ") rejected: " + msg);
  }
  PatternInfo out{info->min_width, info->max_width};
  free(info);  // allocated with vectorscan's misc allocator (malloc by default)
  return out;
}

std::string EngineVersion() { return std::string("vectorscan ") + hs_version(); }

}  // namespace airlock::scan
