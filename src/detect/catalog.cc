#include "airlock/detect/catalog.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

#include "airlock/core/crypto.h"

namespace airlock::detect {

namespace fs = std::filesystem;

namespace {

std::string Where(const std::string& source, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.line < 0) return source;
  return source + ":" + std::to_string(m.line + 1);
}

Status Bad(const std::string& source, const YAML::Node& node, const std::string& why) {
  return Status::InvalidArgument(Where(source, node) + ": " + why);
}

const std::set<std::string>& KnownKeys() {
  static const std::set<std::string> keys = {
      "id",       "entity_type", "data_class", "jurisdiction", "description",
      "patterns", "caseless",    "utf8",       "validator",    "score",
      "context",  "dictionary",  "expander",   "enabled",  "fields",
      "container", "spaced",     "locator"};
  return keys;
}

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IoError(path + ": read failed");
  return ss.str();
}

Result<std::vector<std::string>> LoadDictionary(const std::string& path) {
  auto text = ReadText(path);
  if (!text.ok()) return text.status();
  std::vector<std::string> out;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    out.push_back(line);
  }
  return out;
}

Status ParseContext(const YAML::Node& node, const std::string& source, ContextSpec* ctx) {
  if (!node.IsMap()) return Bad(source, node, "context must be a mapping");
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "words") {
      if (!v.IsMap()) return Bad(source, v, "context.words must map a language to a word list");
      for (const auto& lang : v) {
        if (!lang.second.IsSequence()) {
          return Bad(source, lang.second, "context.words." + lang.first.as<std::string>() +
                                              " must be a list of words");
        }
        for (const auto& w : lang.second) {
          std::string word = w.as<std::string>();
          std::transform(word.begin(), word.end(), word.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
          if (word.empty()) return Bad(source, w, "empty context word");
          // The analyzer looks for hits at most 256 bytes before a window.
          if (word.size() > 200) return Bad(source, w, "context word longer than 200 bytes");
          ctx->words.emplace_back(lang.first.as<std::string>(), word);
        }
      }
    } else if (key == "before") {
      ctx->before = v.as<std::size_t>();
    } else if (key == "after") {
      ctx->after = v.as<std::size_t>();
    } else if (key == "boost") {
      ctx->boost = v.as<double>();
    } else if (key == "required") {
      ctx->required = v.as<bool>();
    } else if (key == "without_context") {
      ctx->without_context = v.as<double>();
    } else {
      return Bad(source, kv.first, "unknown context key '" + key + "'");
    }
  }
  if (ctx->before > 4096 || ctx->after > 4096) {
    return Bad(source, node, "context window larger than 4096 bytes");
  }
  return Status::Ok();
}

Status ParseDetector(const YAML::Node& node, const std::string& source,
                     const std::string& base_dir, Detector* d) {
  if (!node.IsMap()) return Bad(source, node, "a detector must be a mapping");
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    if (KnownKeys().count(key) == 0) return Bad(source, kv.first, "unknown key '" + key + "'");
  }
  d->source = Where(source, node);
  auto required_string = [&](const char* key, std::string* out) -> Status {
    const YAML::Node v = node[key];
    if (!v || !v.IsScalar() || v.as<std::string>().empty()) {
      return Bad(source, node, std::string("missing '") + key + "'");
    }
    *out = v.as<std::string>();
    return Status::Ok();
  };
  if (Status s = required_string("id", &d->id); !s.ok()) return s;
  if (Status s = required_string("entity_type", &d->entity_type); !s.ok()) return s;
  std::string dc;
  if (Status s = required_string("data_class", &dc); !s.ok()) return s;
  if (!ParseDataClass(dc, &d->data_class)) {
    return Bad(source, node["data_class"], "unknown data_class '" + dc + "'");
  }
  if (node["jurisdiction"]) d->jurisdiction = node["jurisdiction"].as<std::string>();
  if (node["description"]) d->description = node["description"].as<std::string>();
  if (node["caseless"]) d->caseless = node["caseless"].as<bool>();
  if (node["utf8"]) d->utf8 = node["utf8"].as<bool>();
  if (node["validator"]) d->validator = node["validator"].as<std::string>();
  if (node["expander"]) d->expander = node["expander"].as<std::string>();
  if (node["locator"]) d->locator = node["locator"].as<std::string>();
  if (node["container"]) d->container = node["container"].as<bool>();
  if (const YAML::Node sp = node["spaced"]) {
    if (!sp.IsScalar()) return Bad(source, sp, "spaced must be true or false");
    d->spaced = sp.as<bool>();
  }
  if (node["score"]) {
    d->score = node["score"].as<double>();
    if (d->score < 0 || d->score > 1) return Bad(source, node["score"], "score must be in [0, 1]");
  }
  if (const YAML::Node p = node["patterns"]) {
    if (!p.IsSequence()) return Bad(source, p, "patterns must be a list");
    for (const auto& e : p) {
      if (!e.IsScalar() || e.as<std::string>().empty()) return Bad(source, e, "empty pattern");
      d->patterns.push_back(e.as<std::string>());
    }
  }
  if (const YAML::Node dict = node["dictionary"]) {
    fs::path path = fs::path(base_dir) / dict.as<std::string>();
    auto words = LoadDictionary(path.string());
    if (!words.ok()) return Bad(source, dict, words.status().message());
    d->dictionary = std::move(*words);
  }
  if (const YAML::Node f = node["fields"]) {
    if (!f.IsSequence()) return Bad(source, f, "fields must be a list of field names");
    for (const auto& e : f) {
      std::string name = NormaliseFieldName(e.as<std::string>());
      if (name.empty()) return Bad(source, e, "empty field name");
      d->fields.push_back(std::move(name));
    }
  }
  if (d->patterns.empty() && d->dictionary.empty() && d->fields.empty()) {
    return Bad(source, node,
               "detector '" + d->id + "' has neither patterns, dictionary nor fields");
  }
  if (const YAML::Node c = node["context"]) {
    if (Status s = ParseContext(c, source, &d->context); !s.ok()) return s;
  }
  // Joining spaced-out characters makes many digit and letter runs out of
  // ordinary text; only a checksum or structural check keeps that honest.
  if (d->spaced && d->validator.empty()) {
    return Bad(source, node["spaced"], "detector '" + d->id + "': spaced: true needs a validator");
  }
  if (d->spaced && d->patterns.empty()) {
    return Bad(source, node["spaced"], "detector '" + d->id + "': spaced: true needs patterns");
  }
  return Status::Ok();
}

}  // namespace

Result<Catalog> Catalog::Parse(const std::string& yaml_text, const std::string& source,
                               const std::string& base_dir) {
  Catalog cat;
  try {
    YAML::Node root = YAML::Load(yaml_text);
    if (!root || root.IsNull()) return cat;  // an empty file is an empty catalog
    if (!root.IsMap() || !root["detectors"]) {
      return Bad(source, root, "expected a mapping with a 'detectors' list");
    }
    const YAML::Node list = root["detectors"];
    if (!list.IsSequence()) return Bad(source, list, "'detectors' must be a list");
    for (const auto& node : list) {
      Detector d;
      if (Status s = ParseDetector(node, source, base_dir, &d); !s.ok()) return s;
      if (node["enabled"] && !node["enabled"].as<bool>()) continue;
      cat.detectors_.push_back(std::move(d));
    }
  } catch (const YAML::Exception& e) {
    // yaml-cpp messages describe syntax, not content; its mark gives the line.
    std::string where = source;
    if (e.mark.line >= 0) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    return Status::InvalidArgument(where + ": " + e.msg);
  }
  // Reject duplicates inside one file.
  std::set<std::string> ids;
  for (const auto& d : cat.detectors_) {
    if (!ids.insert(d.id).second) {
      return Status::InvalidArgument(d.source + ": duplicate detector id '" + d.id + "'");
    }
  }
  return cat;
}

Result<Catalog> Catalog::LoadFile(const std::string& path) {
  auto text = ReadText(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path, fs::path(path).parent_path().string());
}

Result<Catalog> Catalog::LoadDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::NotFound(dir + ": not a directory");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml")) {
      files.push_back(e.path());
    }
  }
  if (ec) return Status::IoError(dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  Catalog all;
  for (const auto& f : files) {
    auto one = LoadFile(f.string());
    if (!one.ok()) return one.status();
    if (Status s = all.Merge(std::move(*one)); !s.ok()) return s;
  }
  return all;
}

Status Catalog::Merge(Catalog other) {
  std::set<std::string> ids;
  for (const auto& d : detectors_) ids.insert(d.id);
  for (auto& d : other.detectors_) {
    if (ids.count(d.id) != 0) {
      return Status::InvalidArgument(d.source + ": duplicate detector id '" + d.id + "'");
    }
    ids.insert(d.id);
    detectors_.push_back(std::move(d));
  }
  return Status::Ok();
}

std::string Catalog::Fingerprint() const {
  std::string canon;
  auto add = [&](std::string_view s) {
    canon += std::to_string(s.size());
    canon += ':';
    canon += s;
  };
  for (const auto& d : detectors_) {
    add(d.id);
    add(d.caseless ? "c" : "-");
    add(d.utf8 ? "u" : "-");
    for (const auto& p : d.patterns) add(p);
    for (const auto& w : d.dictionary) add(w);
    for (const auto& [lang, w] : d.context.words) add(w);
    for (const auto& f : d.fields) add(f);
    canon += '|';
  }
  return Sha256Hex(canon);
}

std::string NormaliseFieldName(std::string_view name) {
  std::string out;
  auto is_lower = [](unsigned char c) { return c >= 'a' && c <= 'z'; };
  auto is_upper = [](unsigned char c) { return c >= 'A' && c <= 'Z'; };
  bool want_space = false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    const bool letter = is_lower(c) || is_upper(c) || c >= 0x80;
    if (!letter) {
      want_space = !out.empty();
      continue;
    }
    // A capital after a lower-case letter starts a word ("postalCode");
    // so does the last capital of a run before a lower-case letter ("SSNNumber").
    if (is_upper(c) && i > 0) {
      const auto prev = static_cast<unsigned char>(name[i - 1]);
      const bool next_lower = i + 1 < name.size() && is_lower(static_cast<unsigned char>(name[i + 1]));
      if (is_lower(prev) || (is_upper(prev) && next_lower)) want_space = !out.empty();
    }
    if (want_space) out.push_back(' ');
    want_space = false;
    out.push_back(is_upper(c) ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c));
  }
  return out;
}

std::string DefaultDataDir() {
  if (const char* env = std::getenv("AIRLOCK_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "airlock";
    if (fs::is_directory(installed / "detectors", ec)) return installed.string();
  }
  return AIRLOCK_SOURCE_DATA_DIR;
}

}  // namespace airlock::detect
