// Render() read back by the reference parser of the Prometheus project's
// Python client (Debian package python3-prometheus-client, in scripts/deps.sh):
// an independent check that what we write is the text format.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "airlock/metrics/gateway_metrics.h"
#include "airlock/metrics/registry.h"

namespace airlock::metrics {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

// Prints one line per sample: name, labels in sorted order as k=v joined by
// 0x1f (values with \n and \ shown as \x escapes by repr), then the value.
constexpr const char* kScript = R"PY(
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
for fam in text_string_to_metric_families(text):
    for s in fam.samples:
        labels = "\x1f".join(k + "=" + repr(v) for k, v in sorted(s.labels.items()))
        print(fam.type + "\t" + s.name + "\t" + labels + "\t" + repr(float(s.value)))
)PY";

bool ParserAvailable() {
  const std::string cmd = std::string(kPython) + " -c 'import prometheus_client.parser' 2>/dev/null";
  return std::system(cmd.c_str()) == 0;
}

// Parsed samples keyed "name|labels" -> value, plus the family type.
struct Parsed {
  std::map<std::string, double> values;
  std::map<std::string, std::string> types;  // sample name -> family type
};

Parsed ParseWithReference(const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto in = dir / ("airlock-metrics-" + std::to_string(::getpid()) + ".prom");
  const auto py = dir / ("airlock-metrics-" + std::to_string(::getpid()) + ".py");
  std::ofstream(in) << text;
  std::ofstream(py) << kScript;
  Parsed out;
  const std::string cmd = std::string(kPython) + " " + py.string() + " " + in.string();
  FILE* p = ::popen(cmd.c_str(), "r");
  EXPECT_NE(p, nullptr);
  if (p == nullptr) return out;
  std::string all;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) all.append(buf, n);
  EXPECT_EQ(::pclose(p), 0) << "the reference parser rejected:\n" << text;
  std::filesystem::remove(in);
  std::filesystem::remove(py);
  std::istringstream lines(all);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string type, name, labels, value;
    std::getline(f, type, '\t');
    std::getline(f, name, '\t');
    std::getline(f, labels, '\t');
    std::getline(f, value, '\t');
    out.values[name + "|" + labels] = std::stod(value);
    out.types[name] = type;
  }
  return out;
}

double At(const std::map<std::string, double>& m, const std::string& key) {
  auto it = m.find(key);
  if (it == m.end()) {
    ADD_FAILURE() << "no sample " << key;
    return -1;
  }
  return it->second;
}

class ExpositionParserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ParserAvailable()) GTEST_SKIP() << "python3-prometheus-client is not installed (scripts/deps.sh)";
  }
};

TEST_F(ExpositionParserTest, EscapedLabelsAndHistogramsReadBack) {
  Registry reg;
  auto* c = *reg.AddCounter("esc_total", "Help with \\ and\nnewline.", {"v"});
  c->WithLabels({std::string("a\\b\"c\nd")})->Inc(3);
  auto* h = *reg.AddHistogram("lat_seconds", "Latency.", {"backend"}, {0.1, 1});
  for (double v : {0.05, 0.5, 0.7, 3.0}) h->WithLabels({"eu"})->Observe(v);
  (*reg.AddGauge("g", "G."))->Get()->Set(-2.5);
  const Parsed p = ParseWithReference(reg.Render());
  EXPECT_EQ(p.types.at("esc_total"), "counter");
  EXPECT_EQ(p.types.at("lat_seconds_bucket"), "histogram");
  // repr() of the parsed value shows the original backslash, quote and newline.
  EXPECT_EQ(At(p.values, "esc_total|v='a\\\\b\"c\\nd'"), 3);
  EXPECT_EQ(At(p.values, "lat_seconds_bucket|backend='eu'\x1fle='0.1'"), 1);
  EXPECT_EQ(At(p.values, "lat_seconds_bucket|backend='eu'\x1fle='1'"), 3);
  EXPECT_EQ(At(p.values, "lat_seconds_bucket|backend='eu'\x1fle='+Inf'"), 4);
  EXPECT_EQ(At(p.values, "lat_seconds_count|backend='eu'"), 4);
  EXPECT_DOUBLE_EQ(At(p.values, "lat_seconds_sum|backend='eu'"), 0.05 + 0.5 + 0.7 + 3.0);
  EXPECT_EQ(At(p.values, "g|"), -2.5);
}

TEST_F(ExpositionParserTest, GatewayMetricsReadBack) {
  GatewayMetricsOptions o;
  o.version = "0.1.0";
  o.principal_labels = PrincipalLabels::kClear;
  auto m = std::move(GatewayMetrics::Create(o).value());
  audit::Event e;
  e.workflow = "crm";
  e.backend = "eu";
  e.principal = "alice";
  e.decision = audit::Decision::kBlock;
  e.reasons = {audit::Reason::kDataClassNotAllowed};
  e.findings = {{"IBAN_CODE", "financial", 2}};
  m->Observe(e, {});
  e.kind = audit::EventKind::kCompletion;
  e.decision = audit::Decision::kAllow;
  e.latency_us = 250'000;
  m->Observe(e, {});
  m->SetProbe(Probe::kLockdown, [] { return 1.0; });
  const Parsed p = ParseWithReference(m->Render());
  EXPECT_EQ(At(p.values, "airlock_requests_total|backend='eu'\x1f" "decision='block'\x1fworkflow='crm'"), 1);
  EXPECT_EQ(At(p.values, "airlock_blocked_total|reason='data_class_not_allowed'\x1fworkflow='crm'"), 1);
  EXPECT_EQ(At(p.values, "airlock_findings_total|data_class='financial'\x1f" "direction='request'\x1f" "entity_type='IBAN_CODE'"), 2);
  EXPECT_EQ(At(p.values, "airlock_principal_requests_total|principal='alice'"), 1);
  EXPECT_EQ(At(p.values, "airlock_lockdown|"), 1);
  EXPECT_EQ(At(p.values, "airlock_build_info|version='0.1.0'"), 1);
  EXPECT_EQ(p.types.at("airlock_request_duration_seconds_count"), "histogram");
  EXPECT_EQ(At(p.values, "airlock_request_duration_seconds_bucket|backend='eu'\x1fle='0.25'\x1fworkflow='crm'"), 1);
  EXPECT_EQ(At(p.values, "airlock_request_duration_seconds_bucket|backend='eu'\x1fle='0.1'\x1fworkflow='crm'"), 0);
}

}  // namespace
}  // namespace airlock::metrics
