// airlock-index-eval: how well and how fast the two index detectors work.
//
//   airlock-index-eval docs --text kjv.txt      # document fingerprints: precision/recall by excerpt size
//   airlock-index-eval edm --records 1000000    # exact data match: build rate, memory, lookups
//
// Document fingerprints are measured on real public-domain text nobody here
// wrote: the King James Bible (Debian package bible-kjv; bench/index/run.sh
// dumps it). Every second chapter is a protected document, the others are
// unrelated text. Derivations: contiguous excerpts of 1-30% of a protected
// chapter, re-cased, re-spaced, verse order shuffled (excerpts >= 10%), with
// light edits (5% of words dropped or replaced), wrapped in a prompt. The
// same derivations of unprotected chapters are the negatives.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <unistd.h>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "airlock/detect/doc_fingerprint.h"
#include "airlock/detect/edm.h"

namespace {

using airlock::detect::DocumentIndex;
using airlock::detect::EdmIndex;
using airlock::detect::EdmSchema;

struct Rng {  // SplitMix64: deterministic across platforms
  std::uint64_t s;
  std::uint64_t Next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t Below(std::size_t n) { return n ? Next() % n : 0; }
  double Unit() { return (Next() >> 11) * (1.0 / 9007199254740992.0); }
};

// CPU seconds of this thread: the machine is shared, so wall time would
// measure the neighbours too.
double CpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}
double Since(double t0) { return CpuNow() - t0; }

std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

// Excerpt of about `fraction` of the chapter (whole verses), transformed.
// True when two texts share a run of 8 consecutive words (case-folded,
// punctuation stripped): then a match between them is a real copy, not a
// false positive (the KJV repeats itself: Kings/Chronicles, the synoptic
// gospels, Psalms quoted in Chronicles).
std::set<std::string> Shingles8(const std::string& text) {
  std::vector<std::string> w;
  for (auto word : Words(text)) {
    std::string clean;
    for (char c : word) {
      if (std::isalnum(static_cast<unsigned char>(c))) clean += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (!clean.empty()) w.push_back(clean);
  }
  std::set<std::string> out;
  for (std::size_t i = 0; i + 8 <= w.size(); ++i) {
    std::string s;
    for (std::size_t j = 0; j < 8; ++j) s += w[i + j] + " ";
    out.insert(s);
  }
  return out;
}

bool ShareRun(const std::set<std::string>& a, const std::set<std::string>& b) {
  for (const auto& s : a) {
    if (b.count(s)) return true;
  }
  return false;
}

constexpr std::size_t kWrapperBytes = 80;  // the prompt text around an excerpt

std::string Derive(const std::vector<std::string>& verses, double fraction, Rng& rng,
                   const std::vector<std::string>& filler_words) {
  std::size_t total = 0;
  for (const auto& v : verses) total += v.size() + 1;
  const std::size_t want = std::max<std::size_t>(40, static_cast<std::size_t>(total * fraction));
  // Start at a random word of a random verse so excerpts are not verse-aligned.
  std::string all;
  for (const auto& v : verses) all += v + "\n";
  const std::size_t start = rng.Below(all.size() > want ? all.size() - want : 1);
  std::size_t b = all.find(' ', start);
  if (b == std::string::npos) b = 0;
  std::string excerpt = all.substr(b, want);
  // Shuffle lines (verses) for larger excerpts.
  std::vector<std::string> lines;
  std::istringstream ls(excerpt);
  for (std::string line; std::getline(ls, line);) lines.push_back(line);
  if (fraction >= 0.1 && lines.size() > 2) {
    for (std::size_t i = lines.size() - 1; i > 0; --i) std::swap(lines[i], lines[rng.Below(i + 1)]);
  }
  std::string out;
  for (const auto& line : lines) {
    for (const auto& w : Words(line)) {
      const double r = rng.Unit();
      if (r < 0.025) continue;  // dropped
      std::string word = r < 0.05 ? filler_words[rng.Below(filler_words.size())] : w;
      if (rng.Unit() < 0.1) {
        for (auto& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      out += word;
      out += rng.Unit() < 0.05 ? "  " : " ";
    }
    out += rng.Unit() < 0.5 ? "\n" : " ";
  }
  return "Please summarise the following for the client file:\n\n" + out + "\nThanks, and keep it short.";
}

int RunDocs(const std::string& path, const airlock::detect::FingerprintOptions& fo) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot read " << path << " (bench/index/run.sh writes it with `bible`)\n";
    return 2;
  }
  // "Ge1:1 In the beginning ..." -> chapter "Ge1", verse text.
  std::vector<std::pair<std::string, std::vector<std::string>>> chapters;
  for (std::string line; std::getline(in, line);) {
    const auto colon = line.find(':');
    const auto space = line.find(' ');
    if (colon == std::string::npos || space == std::string::npos || colon > space) continue;
    const std::string key = line.substr(0, colon);
    if (chapters.empty() || chapters.back().first != key) chapters.push_back({key, {}});
    chapters.back().second.push_back(line.substr(space + 1));
  }
  std::vector<std::string> filler;
  for (std::size_t i = 1; i < chapters.size(); i += 2) {
    for (const auto& w : Words(chapters[i].second.front())) filler.push_back(w);
  }
  auto idx = DocumentIndex::Create(fo);
  std::size_t protected_bytes = 0;
  const auto t0 = CpuNow();
  for (std::size_t i = 0; i < chapters.size(); i += 2) {
    std::string text;
    for (const auto& v : chapters[i].second) text += v + "\n";
    protected_bytes += text.size();
    idx->AddDocument(chapters[i].first, text);
  }
  idx->Finish();
  const double build_s = Since(t0);
  std::printf("protected: %zu chapters, %zu bytes; unrelated: %zu chapters\n", (chapters.size() + 1) / 2,
              protected_bytes, chapters.size() / 2);
  std::printf("build: %.2f CPU s (%.1f MB/s), %zu fingerprints, %.1f MiB in memory (%.1f bytes per KiB of text)\n\n",
              build_s, protected_bytes / build_s / 1e6, idx->fingerprints(),
              idx->MemoryBytes() / 1048576.0, idx->MemoryBytes() * 1024.0 / protected_bytes);

  std::map<std::string, std::set<std::string>> shingles;
  std::map<std::string, std::size_t> chapter_index;
  for (std::size_t i = 0; i < chapters.size(); ++i) {
    std::string text;
    for (const auto& v : chapters[i].second) text += v + "\n";
    shingles[chapters[i].first] = Shingles8(text);
    chapter_index[chapters[i].first] = i;
  }
  auto genuine = [&](const std::string& from, const std::string& detail) {
    const std::string doc = detail.substr(9, detail.find(' ') - 9);  // "document=NAME share=..."
    return ShareRun(shingles[from], shingles[doc]);
  };
  Rng rng{42};
  const double fractions[] = {0.01, 0.02, 0.05, 0.10, 0.20, 0.30};
  std::printf("| excerpt | median excerpt bytes | positives | recall | negatives | other-document findings | of which not a real copy | precision (strict) | precision (real copies count) |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::size_t scanned_bytes = 0;
  double scan_s = 0;
  for (double f : fractions) {
    std::size_t tp = 0, wrong = 0, pos = 0, neg = 0, fp = 0, spurious = 0;
    std::vector<std::size_t> sizes;
    for (std::size_t i = 0; i < chapters.size(); i += 8) {  // every 4th protected chapter
      const std::string prompt = Derive(chapters[i].second, f, rng, filler);
      sizes.push_back(prompt.size() - kWrapperBytes);
      const auto t1 = CpuNow();
      const auto found = idx->Scan(prompt);
      scan_s += Since(t1);
      scanned_bytes += prompt.size();
      ++pos;
      bool hit = false;
      for (const auto& fd : found) {
        if (fd.detail.find("document=" + chapters[i].first + " ") == 0) hit = true;
        else {
          ++wrong;
          spurious += genuine(chapters[i].first, fd.detail) ? 0 : 1;
        }
      }
      tp += hit;
    }
    for (std::size_t i = 1; i < chapters.size(); i += 8) {
      const std::string prompt = Derive(chapters[i].second, f, rng, filler);
      const auto t1 = CpuNow();
      const auto neg_found = idx->Scan(prompt);
      fp += neg_found.empty() ? 0 : 1;
      bool any_spurious = false;
      for (const auto& fd : neg_found) any_spurious = any_spurious || !genuine(chapters[i].first, fd.detail);
      spurious += any_spurious ? 1 : 0;
      if (std::getenv("AIRLOCK_EVAL_SHOW_FP") != nullptr) {
        for (const auto& fd : neg_found) {
          std::fprintf(stderr, "negative %s matched %s\n", chapters[i].first.c_str(), fd.detail.c_str());
        }
      }
      scan_s += Since(t1);
      scanned_bytes += prompt.size();
      ++neg;
    }
    std::sort(sizes.begin(), sizes.end());
    const double precision = tp + wrong + fp ? double(tp) / (tp + wrong + fp) : 1.0;
    const double adjusted = tp + spurious ? double(tp) / (tp + spurious) : 1.0;
    std::printf("| %.0f%% | %zu | %zu | %.3f | %zu | %zu | %zu | %.3f | %.3f |\n", f * 100,
                sizes[sizes.size() / 2], pos, double(tp) / pos, neg, fp + wrong, spurious, precision,
                adjusted);
  }
  std::printf("\nscan: %.1f MB/s over %zu bytes of prompts (CPU time, one core)\n", scanned_bytes / scan_s / 1e6,
              scanned_bytes);
  return 0;
}

int RunEdm(std::size_t records) {
  const char* first[] = {"Anna", "Lukas", "Marie", "Jonas", "Sophie", "Elias", "Emma", "Noah",
                         "Pierre", "Camille", "Louis", "Chloe", "Giulia", "Marco", "Lucia", "Javier",
                         "Carmen", "Sven", "Ingrid", "Pieter", "Sanne", "James", "Olivia", "Liam"};
  const char* last[] = {"Schmidt", "Muller", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
                        "Becker", "Dubois", "Martin", "Bernard", "Rossi", "Russo", "Garcia",
                        "Lopez", "Jansen", "de Vries", "Smith", "Johnson", "Brown", "Novak",
                        "Kowalski", "Nielsen", "Larsen"};
  const std::string csv_path = "/tmp/airlock-edm-bench-" + std::to_string(::getpid()) + ".csv";
  Rng rng{7};
  {
    std::ofstream out(csv_path);
    out << "Id,FirstName,LastName,Birthdate,Email,Account\n";
    char buf[256];
    for (std::size_t r = 0; r < records; ++r) {
      const char* f = first[rng.Below(24)];
      const char* l = last[rng.Below(24)];
      std::snprintf(buf, sizeof buf, "%zu,%s,%s,%04zu-%02zu-%02zu,%c.%s%zu@example.com,ACC%09zu\n", r, f,
                    l, 1940 + rng.Below(65), 1 + rng.Below(12), 1 + rng.Below(28), f[0], l, r,
                    rng.Below(1000000000));
      out << buf;
    }
  }
  auto schema = EdmSchema::Parse(R"(name: bench
columns:
  - {name: FirstName, type: name}
  - {name: LastName, type: name}
  - {name: Birthdate, type: date}
  - {name: Email, type: email}
  - {name: Account, type: id}
match: [[FirstName, LastName, Birthdate], [Email], [Account]]
)", "bench");
  auto t0 = CpuNow();
  auto idx = EdmIndex::BuildFromCsvFile(*schema, csv_path);
  if (!idx.ok()) {
    std::cerr << idx.status().message() << "\n";
    return 2;
  }
  const double build_s = Since(t0);
  const std::string idx_path = csv_path + ".idx";
  (void)(*idx)->Save(idx_path);
  idx->reset();
  t0 = CpuNow();
  auto loaded = EdmIndex::Load(idx_path);
  const double load_s = Since(t0);
  std::printf("records: %zu; build %.2f CPU s (%.0f records/s); load %.2f CPU s; %llu hashes; %.1f bytes per record in memory\n",
              records, build_s, records / build_s, load_s,
              static_cast<unsigned long long>((*loaded)->entries()),
              double((*loaded)->MemoryBytes()) / records);
  // Scan: CRM-like prose with a record's values planted every ~2 KiB.
  std::string text;
  Rng r2{9};
  const char* prose =
      "The customer called again about the delayed refund and asked for a written confirmation "
      "of the new schedule. We agreed to follow up next week after the audit. ";
  while (text.size() < (8u << 20)) {
    for (int i = 0; i < 12; ++i) text += prose;
    text += std::string(first[r2.Below(24)]) + " " + last[r2.Below(24)] + " born 1975-04-0" +
            std::to_string(1 + r2.Below(9)) + ". ";
  }
  t0 = CpuNow();
  std::size_t findings = 0;
  for (std::size_t off = 0; off < text.size(); off += 65536) {
    findings += (*loaded)->Scan(std::string_view(text).substr(off, 65536)).size();
  }
  const double scan_s = Since(t0);
  std::printf("scan: %.1f MB/s over %zu bytes of prose in 64 KiB chunks, CPU time (%zu findings)\n",
              text.size() / scan_s / 1e6, text.size(), findings);
  std::remove(csv_path.c_str());
  std::remove(idx_path.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "docs" && argc > 3 && std::string(argv[2]) == "--text") {
    airlock::detect::FingerprintOptions fo;
    for (int i = 4; i + 1 < argc; i += 2) {
      const std::string k = argv[i];
      const auto v = static_cast<std::uint32_t>(std::stoul(argv[i + 1]));
      if (k == "--k") fo.k = v;
      else if (k == "--window") fo.window = v;
      else if (k == "--min-matches") fo.min_matches = v;
      else if (k == "--min-chars") fo.min_chars = v;
      else if (k == "--max-df") fo.max_doc_frequency = v;
    }
    std::printf("options: k=%u window=%u min_matches=%u min_chars=%u max_doc_frequency=%u\n", fo.k,
                fo.window, fo.min_matches, fo.min_chars, fo.max_doc_frequency);
    return RunDocs(argv[3], fo);
  }
  if (mode == "edm") {
    std::size_t n = 1000000;
    if (argc > 3 && std::string(argv[2]) == "--records") n = std::stoull(argv[3]);
    return RunEdm(n);
  }
  std::cerr << "usage: airlock-index-eval docs --text FILE | edm [--records N]\n";
  return 2;
}
