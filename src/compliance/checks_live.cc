// --live: probes of a running instance over HTTP(S), and of the host.
#include <filesystem>

#include <openssl/ssl.h>

#include "airlock/compliance/http_probe.h"
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

}  // namespace

void AddLiveChecks(std::map<std::string, CheckFn>& m) {
  m["AL-LIVE-001"] = [](CheckContext& c) {
    HttpUrl url;
    if (!ParseHttpUrl(c.env().options->live_url, &url)) {
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
}

}  // namespace airlock::compliance::internal
