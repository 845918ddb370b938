// --live: probes of a running instance over HTTP(S), and of the host.
#include <filesystem>

#include <openssl/ssl.h>

#include <optional>

#include <nlohmann/json.hpp>

#include "airlock/compliance/http_probe.h"
#include "airlock/core/url.h"
#include "internal/check_helpers.h"

namespace airlock::compliance::internal {

namespace {

ProbeResult Probe(const CheckOptions& opts, const std::string& method, const std::string& target,
                  const std::string& auth, const std::string& body, int max_version = 0) {
  return HttpCall(opts.live_url, method, target, auth, body, opts.ca_file, max_version);
}

// Passes when an unauthenticated call is refused (401/403) or the endpoint
// does not exist (404); fails on any 2xx.
void RequireRefusal(CheckContext& c, const std::string& subject, const std::string& method,
                    const std::string& target) {
  const ProbeResult r = Probe(*c.env().options, method, target, "", method == "POST" ? "{}" : "");
  if (!r.ok) {
    c.Error(subject, "could not reach " + target + ": " + r.error);
  } else if (r.status == 401 || r.status == 403 || r.status == 404) {
    c.Pass(subject, target + " answers " + std::to_string(r.status) + " without credentials",
           c.root(), "--live");
  } else {
    c.Fail(subject,
           target + " answers " + std::to_string(r.status) + " to a caller without credentials",
           c.root(), "--live");
  }
}

// GET an admin endpoint with the --admin-key-env key. Without a key the
// probe is reported as not run (not-applicable, saying why); a key that gets
// no good answer is an error.
std::optional<nlohmann::json> AdminGet(CheckContext& c, const std::string& subject, const std::string& target) {
  const CheckOptions& o = *c.env().options;
  if (o.api_key.empty()) {
    c.NotApplicable(subject, "not probed: needs an admin API key in $AIRLOCK_ADMIN_KEY (or --admin-key-env NAME)");
    return std::nullopt;
  }
  const ProbeResult r = Probe(o, "GET", target, o.api_key, "");
  if (!r.ok) {
    c.Error(subject, "could not reach " + target + ": " + r.error);
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (r.status != 200 || j.is_discarded() || !j.is_object()) {
    c.Error(subject, target + " answered HTTP " + std::to_string(r.status) + " to the admin key");
    return std::nullopt;
  }
  return j;
}

}  // namespace

void AddLiveChecks(std::map<std::string, CheckFn>& m) {
  m["AL-LIVE-001"] = [](CheckContext& c) {
    HttpUrl url;
    if (!ParseHttpUrl(c.env().options->live_url, &url).ok()) {
      c.Error("listener", "--live must be an http:// or https:// URL");
      return;
    }
    if (!url.tls) {
      if (IsLoopbackHost(url.host)) {
        c.Pass("listener", "plain HTTP on loopback", c.root(), "--live");
      } else {
        c.Fail("listener", "the instance answers plain HTTP on " + url.host, c.root(), "--live");
      }
      return;
    }
    const ProbeResult modern = Probe(*c.env().options, "GET", "/healthz", "", "");
    if (!modern.ok) {
      c.Error("listener", "TLS probe failed: " + modern.error);
      return;
    }
    const ProbeResult old = Probe(*c.env().options, "GET", "/healthz", "", "", TLS1_1_VERSION);
    if (old.ok) {
      c.Fail("listener", "the listener accepts " + old.tls_version + " (TLS 1.0/1.1 are broken)",
             c.root(), "--live");
    } else {
      c.Pass("listener", "negotiates " + modern.tls_version + " and refuses TLS 1.1 and older",
             c.root(), "--live");
    }
  };
  m["AL-LIVE-002"] = [](CheckContext& c) { RequireRefusal(c, "metrics", "GET", "/metrics"); };
  m["AL-LIVE-003"] = [](CheckContext& c) {
    RequireRefusal(c, "admin API", "GET", "/admin/v1/status");
  };
  m["AL-LIVE-004"] = [](CheckContext& c) {
    const ProbeResult r = Probe(*c.env().options, "POST", "/v1/chat/completions", "",
                                R"({"model":"probe","messages":[{"role":"user","content":"ping"}]})");
    if (!r.ok) {
      c.Error("chat", "could not reach /v1/chat/completions: " + r.error);
    } else if (r.status == 401) {
      c.Pass("chat", "unauthenticated chat requests are refused (401)", c.root(), "--live");
    } else {
      c.Fail("chat", "unauthenticated chat request answered " + std::to_string(r.status), c.root(),
             "--live");
    }
  };
  m["AL-LIVE-005"] = [](CheckContext& c) {
    const ProbeResult r = Probe(*c.env().options, "GET", "/readyz", "", "");
    if (!r.ok) {
      c.Error("instance", "could not reach /readyz: " + r.error);
    } else if (r.status == 200) {
      c.Pass("instance", "the instance reports ready", c.root(), "--live");
    } else {
      c.Fail("instance", "/readyz answers " + std::to_string(r.status), c.root(), "--live");
    }
  };
  m["AL-LIVE-006"] = [](CheckContext& c) {
    bool special = false;
    for (const auto& w : Entries(c.root(), "workflows")) {
      const std::string a = ActionFor(w.node, "special_category");
      special = special || (a != "block" && a != "redact");
    }
    if (!special) {
      c.NotApplicable("host", "no workflow processes special-category data");
      return;
    }
    const std::filesystem::path dev = c.env().options->dev_dir;
    std::error_code ec;
    for (const char* name : {"sev-guest", "tdx_guest", "tdx-guest"}) {
      if (std::filesystem::exists(dev / name, ec)) {
        c.Pass("host",
               std::string("runs as a confidential-computing guest (") + name +
                   "): special-category data is encrypted in use",
               c.root(), "--live");
        return;
      }
    }
    c.Fail("host",
           "special-category data is processed on a host that is not a confidential-computing "
           "guest (no AMD SEV-SNP or Intel TDX guest device)",
           c.root(), "--live");
  };
  m["AL-LIVE-007"] = [](CheckContext& c) {
    auto status = AdminGet(c, "models", "/admin/v1/status");
    if (!status) return;
    const auto& models = (*status)["models"];
    if (!models.is_array() || models.empty()) {
      c.NotApplicable("models", "the instance serves no local model");
      return;
    }
    std::string bad;
    int served_count = 0;
    for (const auto& model : models) {
      const std::string name = model.value("backend", "?");
      const std::string pin = model.value("pinned_sha256", ""), served = model.value("served_sha256", "");
      if (model.value("file", "").empty()) continue;  // nothing loaded: nothing served
      ++served_count;
      if (pin.empty() || served.empty()) bad += (bad.empty() ? "" : "; ") + name + " serves an unpinned model";
      else if (pin != served) bad += (bad.empty() ? "" : "; ") + name + " serves sha256 " + served.substr(0, 16) + "..., pinned " + pin.substr(0, 16) + "...";
    }
    if (served_count == 0) c.NotApplicable("models", "no local model is loaded on the instance");
    else if (bad.empty()) c.Pass("models", "every served local model matches its SHA-256 pin", c.root(), "--live");
    else c.Fail("models", bad, c.root(), "--live");
  };
  m["AL-LIVE-008"] = [](CheckContext& c) {
    auto chain = AdminGet(c, "audit", "/admin/v1/chain");
    if (!chain) return;
    if (chain->value("ok", false)) {
      c.Pass("audit", "the audit trail verifies (" + std::to_string(chain->value("events", 0)) + " events, " +
                          std::to_string((*chain)["chains"].size()) + " chains)",
             c.root(), "--live");
      return;
    }
    std::string what;
    for (const auto& p : (*chain)["problems"])
      what += (what.empty() ? "" : "; ") + p.value("instance", "?") + ":" + std::to_string(p.value("seq", 0)) + " " +
              p.value("kind", "?");
    c.Fail("audit", "the audit trail does not verify: " + what, c.root(), "--live");
  };
}

}  // namespace airlock::compliance::internal
