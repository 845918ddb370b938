// Listeners, upstream connections, authentication and limits.
#include <filesystem>

#include "internal/check_helpers.h"

namespace airlock::compliance::internal {

namespace {

// server.listen as the gateway reads it (default 127.0.0.1:8080).
std::string Listen(const CheckContext& c) { return StrOr(At(c.root(), "server.listen"), "127.0.0.1:8080"); }

bool HasTls(const CheckContext& c) {
  return At(c.root(), "server.tls.cert").IsDefined() && At(c.root(), "server.tls.key").IsDefined();
}

YAML::Node ServerAnchor(const CheckContext& c) { return Anchor(c.root(), "server"); }

// Runs `fn` for every remote backend; passes with a note when there is none.
template <typename Fn>
void ForRemoteBackends(CheckContext& c, Fn fn) {
  bool any = false;
  for (const auto& b : Entries(c.root(), "backends")) {
    if (Lower(StrOr(b.node["type"], "")) != "remote") continue;
    any = true;
    fn(b);
  }
  if (!any) c.NotApplicable("", "no remote backends configured");
}

}  // namespace

void AddTransportChecks(std::map<std::string, CheckFn>& m) {
  m["AL-NET-001"] = [](CheckContext& c) {
    const std::string host = ListenHost(Listen(c));
    const YAML::Node at = Anchor(At(c.root(), "server"), "listen");
    if (HasTls(c)) {
      c.Pass("listener", "TLS is configured on " + Listen(c), at, "server.tls");
    } else if (IsLoopbackHost(host)) {
      c.Pass("listener", "plain HTTP, but bound to loopback only (" + Listen(c) + ")", at,
             "server.listen");
    } else {
      c.Fail("listener",
             "plain HTTP on a non-loopback address (" + Listen(c) +
                 "): prompts and API keys cross the network unencrypted",
             at, "server.listen");
    }
  };
  m["AL-NET-002"] = [](CheckContext& c) {
    const std::string host = ListenHost(Listen(c));
    const YAML::Node at = Anchor(At(c.root(), "server"), "tls");
    if (IsLoopbackHost(host)) {
      c.Pass("listener", "loopback only; client certificates not needed", at, "server.listen");
    } else if (At(c.root(), "server.tls.client_ca").IsDefined()) {
      c.Pass("listener", "client certificates are required (mTLS)", at, "server.tls.client_ca");
    } else {
      c.Fail("listener",
             "reachable from the network (" + Listen(c) +
                 ") without client-certificate authentication; any host that obtains a key can call it",
             at, "server.tls.client_ca");
    }
  };
  m["AL-NET-003"] = [](CheckContext& c) {
    if (!HasTls(c)) {
      c.NotApplicable("listener", "no TLS listener configured");
      return;
    }
    const YAML::Node key = At(c.root(), "server.tls.key");
    const std::string key_path = StrOr(key, "");
    const std::string cert_path = StrOr(At(c.root(), "server.tls.cert"), "");
    std::error_code ec;
    if (!std::filesystem::exists(cert_path, ec) || !std::filesystem::exists(key_path, ec)) {
      c.Fail("listener", "TLS certificate or key file does not exist", key, "server.tls");
      return;
    }
    YAML::Node ref(YAML::NodeType::Map);
    ref["file"] = key_path;
    std::string why;
    if (!SecretRefSafe(ref, &why)) {
      c.Fail("listener", "TLS private key: " + why, key, "server.tls.key");
    } else {
      c.Pass("listener", "certificate and private key present, key not readable by others", key,
             "server.tls.key");
    }
  };
  m["AL-NET-004"] = [](CheckContext& c) {
    const YAML::Node admin = c.root()["admin"];
    if (!admin.IsDefined() || !BoolOr(admin["enabled"], true)) {
      c.Pass("admin API", "no admin API listener configured", Anchor(c.root(), "admin"), "admin");
      return;
    }
    const std::string listen = StrOr(admin["listen"], Listen(c));
    const std::string host = ListenHost(listen);
    const bool tls = admin["tls"].IsDefined() || (!admin["listen"].IsDefined() && HasTls(c));
    if (IsLoopbackHost(host)) {
      c.Pass("admin API", "admin API on loopback (" + listen + ")", Anchor(admin, "listen"),
             "admin.listen");
    } else if (IsWildcardHost(host) || !tls) {
      c.Fail("admin API",
             "admin API reachable on " + listen + (tls ? "" : " without TLS") +
                 "; keep it on loopback or a management network with TLS",
             Anchor(admin, "listen"), "admin.listen");
    } else {
      c.Pass("admin API", "admin API on a dedicated TLS listener " + listen, Anchor(admin, "listen"),
             "admin.listen");
    }
  };
  m["AL-NET-005"] = [](CheckContext& c) {
    const YAML::Node admin = c.root()["admin"];
    if (!admin.IsDefined()) {
      c.Pass("admin API", "no admin API configured", c.root(), "admin");
      return;
    }
    const auto roles = StrList(admin["roles"]);
    if (roles.empty()) {
      c.Pass("admin API", "admin API limited to the built-in admin role", admin, "admin.roles");
      return;
    }
    for (const auto& r : roles) {
      if (r == "*" || Lower(r) == "any" || Lower(r) == "user") {
        c.Fail("admin API", "admin API open to role '" + r + "'", admin["roles"], "admin.roles");
        return;
      }
    }
    c.Pass("admin API", "admin API limited to roles of its own", admin["roles"], "admin.roles");
  };
  m["AL-NET-006"] = [](CheckContext& c) {
    const YAML::Node metrics = c.root()["metrics"];
    if (BoolOr(At(c.root(), "metrics.public"), false)) {
      c.Fail("metrics", "/metrics is served without authentication", metrics["public"],
             "metrics.public");
    } else if (!BoolOr(At(c.root(), "metrics.require_auth"), true)) {
      c.Fail("metrics", "/metrics is served without authentication", metrics["require_auth"],
             "metrics.require_auth");
    } else {
      c.Pass("metrics", "/metrics needs an authenticated caller", Anchor(c.root(), "metrics"),
             "metrics.public");
    }
  };
  m["AL-UP-001"] = [](CheckContext& c) {
    ForRemoteBackends(c, [&](const Entry& b) {
      if (BoolOr(b.node["insecure_skip_verify"], false)) {
        c.Fail("backend " + b.name,
               "upstream certificate verification is switched off (insecure_skip_verify: true)",
               b.node["insecure_skip_verify"], b.path + ".insecure_skip_verify");
      } else {
        c.Pass("backend " + b.name, "upstream certificates are verified", b.node, b.path);
      }
    });
  };
  m["AL-UP-002"] = [](CheckContext& c) {
    ForRemoteBackends(c, [&](const Entry& b) {
      const std::string url = StrOr(b.node["url"], "");
      if (url.rfind("https://", 0) == 0) {
        c.Pass("backend " + b.name, "HTTPS upstream", b.node["url"], b.path + ".url");
      } else if (IsLoopbackHost(UrlHost(url))) {
        c.Pass("backend " + b.name, "plain HTTP, but to a loopback upstream", b.node["url"],
               b.path + ".url");
      } else {
        c.Fail("backend " + b.name, "upstream reached over plain HTTP (" + UrlHost(url) + ")",
               Anchor(b.node, "url"), b.path + ".url");
      }
    });
  };
  m["AL-UP-003"] = [](CheckContext& c) {
    ForRemoteBackends(c, [&](const Entry& b) {
      // Gateway defaults: connect 5 s, whole response 60 s.
      const double connect = NumberOr(b.node["connect_timeout_ms"], 5000);
      const double total = NumberOr(b.node["timeout_ms"], 60000);
      if (connect > 30000 || total > 600000) {
        c.Fail("backend " + b.name,
               "upstream timeouts too long (connect " + std::to_string(int(connect)) +
                   " ms, response " + std::to_string(int(total)) +
                   " ms): a hung provider ties up the gateway",
               Anchor(b.node, "timeout_ms"), b.path + ".timeout_ms");
      } else {
        c.Pass("backend " + b.name, "bounded upstream timeouts", Anchor(b.node, "timeout_ms"),
               b.path + ".timeout_ms");
      }
    });
  };
  m["AL-UP-004"] = [](CheckContext& c) {
    ForRemoteBackends(c, [&](const Entry& b) {
      const YAML::Node key = b.node["api_key"];
      if (!key.IsDefined()) {
        c.Pass("backend " + b.name, "no upstream credential configured", b.node, b.path);
        return;
      }
      std::string why;
      if (SecretRefSafe(key, &why)) {
        c.Pass("backend " + b.name, "upstream credential " + why, key, b.path + ".api_key");
      } else {
        c.Fail("backend " + b.name, "upstream credential: " + why, key, b.path + ".api_key");
      }
    });
  };
  m["AL-AUTH-001"] = [](CheckContext& c) {
    const auto workflows = Entries(c.root(), "workflows");
    if (workflows.empty()) {
      c.NotApplicable("", "no workflows declared (every request is denied)");
      return;
    }
    for (const auto& w : workflows) {
      const auto roles = StrList(w.node["roles"]);
      bool open = roles.empty();
      for (const auto& r : roles) open = open || r == "*" || Lower(r) == "any" || Lower(r) == "all";
      if (open) {
        c.Fail("workflow " + w.name, "workflow is open to every principal (no role restriction)",
               Anchor(w.node, "roles"), w.path + ".roles");
      } else {
        c.Pass("workflow " + w.name, "restricted to roles declared for it", w.node["roles"],
               w.path + ".roles");
      }
    }
  };
  m["AL-AUTH-002"] = [](CheckContext& c) {
    // Gateway defaults: 20 requests/s, burst 40 per principal.
    const YAML::Node limits = c.root()["limits"];
    const double rps = NumberOr(At(c.root(), "limits.requests_per_second"), 20);
    const double burst = NumberOr(At(c.root(), "limits.burst"), 40);
    if (rps <= 0 || rps > 1000 || burst > 10000) {
      c.Fail("limits", "per-principal rate limit off or too high to stop a bulk export",
             Anchor(c.root(), "limits"), "limits.requests_per_second");
    } else {
      c.Pass("limits",
             "per-principal rate limit " + std::to_string(int(rps)) + "/s (burst " +
                 std::to_string(int(burst)) + ")",
             Anchor(c.root(), "limits"), "limits");
    }
    (void)limits;
  };
  m["AL-AUTH-003"] = [](CheckContext& c) {
    // Gateway defaults: 1 MiB bodies, 256 concurrent requests.
    const double body = NumberOr(At(c.root(), "server.max_body_bytes"), 1 << 20);
    const double conc = NumberOr(At(c.root(), "server.max_concurrent_requests"), 256);
    if (body > 64.0 * (1 << 20)) {
      c.Fail("listener",
             "request bodies up to " + std::to_string(long(body)) +
                 " bytes: whole CRM exports can be sent in one call",
             Anchor(At(c.root(), "server"), "max_body_bytes"), "server.max_body_bytes");
    } else if (conc > 10000) {
      c.Fail("listener", "global concurrency limit too high to protect the gateway",
             Anchor(At(c.root(), "server"), "max_concurrent_requests"),
             "server.max_concurrent_requests");
    } else {
      c.Pass("listener", "request size and global concurrency are bounded", ServerAnchor(c),
             "server");
    }
  };
  m["AL-AUTH-004"] = [](CheckContext& c) {
    const double read = NumberOr(At(c.root(), "server.read_timeout_ms"), 30000);
    const double idle = NumberOr(At(c.root(), "server.idle_timeout_ms"), 60000);
    if (read > 120000 || idle > 600000) {
      c.Fail("listener", "slow clients can hold connections open for minutes",
             Anchor(At(c.root(), "server"), "read_timeout_ms"), "server.read_timeout_ms");
    } else {
      c.Pass("listener", "slow clients are cut off", ServerAnchor(c), "server.read_timeout_ms");
    }
  };
  m["AL-KEY-001"] = [](CheckContext& c) {
    const YAML::Node life = At(c.root(), "keys.max_lifetime_days");
    const double days = NumberOr(life, 0);
    if (!life.IsDefined() || days <= 0) {
      c.Fail("API keys", "API keys may be created without expiry (set keys.max_lifetime_days)",
             Anchor(c.root(), "keys"), "keys.max_lifetime_days");
    } else if (days > 397) {
      c.Fail("API keys", "API keys may live " + std::to_string(int(days)) + " days (more than 13 months)",
             life, "keys.max_lifetime_days");
    } else {
      c.Pass("API keys", "API keys expire within " + std::to_string(int(days)) + " days", life,
             "keys.max_lifetime_days");
    }
  };
}

}  // namespace airlock::compliance::internal
