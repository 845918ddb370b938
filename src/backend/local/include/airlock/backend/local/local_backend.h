// The local model engine as a gateway backend (`type: local`).
//
//   auto engine = Engine::Load(engine_config);              // pin, budget, load
//   auto be = CreateLocalBackend("local", "tiny", *engine);  // backend::Backend
//   co_await be->Complete(request);  co_await be->Stream(request, sink);
//
// Requests and answers are OpenAI-shaped like a remote backend's, so the
// pipeline treats both alike: /v1/chat/completions (streamed and not),
// /v1/completions (the prompt is used as is, no chat template) and
// /v1/embeddings (strings; "float" or "base64" encoding). Sampling comes
// from the request: temperature, top_p, max_tokens (or
// max_completion_tokens), stop, seed, presence_penalty, frequency_penalty.
// Every answer carries usage (prompt and completion tokens).
//
// Errors are Status codes the gateway maps to HTTP (docs/gateway.md):
//   kInvalidArgument    the request cannot run on this model (bad sampling
//                       values, n > 1, tools, token-array inputs)     -> 400
//   kResourceExhausted  the prompt does not fit the per-request context -> 400
//   kUnavailable        the engine's queue is full (busy)               -> 503
// Messages name fields and token counts, never payload text.
//
// Streamed: text arrives on the engine's scheduler thread and is handed to
// the caller's executor; all text produced between two sink calls goes out
// as one chunk. A sink that returns false (the client went away) cancels
// the sequence within one decode step; so does destroying the coroutine.
//
// Thread-safety: safe for concurrent calls, as Backend requires. The engine
// is shared (several backends and reloads may hold the same one).
#pragma once

#include <memory>
#include <string>

#include "airlock/backend/backend.h"
#include "airlock/backend/local/engine.h"

namespace airlock::backend::local {

// `model_name` is what responses report in "model" (empty: the request's).
// `identity`: the file served, its configured pin and the SHA-256 verified
// at load (empty when unpinned); the admin API reports it.
std::shared_ptr<Backend> CreateLocalBackend(std::string name, std::string model_name,
                                            std::shared_ptr<Engine> engine,
                                            Backend::ModelIdentity identity = {});

// A local backend without a model: Unavailable() returns `why` (the
// gateway answers 503 with it) and every call fails with kUnavailable.
std::shared_ptr<Backend> CreateModellessBackend(std::string name, std::string why);

}  // namespace airlock::backend::local
