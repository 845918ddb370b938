#include "airlock/backend/local/local_backend.h"

#include <utility>  // before asio: Boost 1.74's awaitable.hpp needs std::exchange
#include <boost/asio/use_awaitable.hpp>

#include <openssl/rand.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "airlock/backend/coroutine_signal.h"
#include "airlock/core/bytes.h"

namespace airlock::backend::local {

namespace {

namespace net = boost::asio;
using api::Json;
using net::awaitable;

// ---- handing results from an engine thread to the request's coroutine --------

// One request's mailbox: the engine (or the embedding worker) writes text
// and the result from its own thread and wakes the waiting coroutine.
template <class T>
class Mailbox {
 public:
  void AddText(std::string_view t) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      text_.append(t);
    }
    signal.Notify();
  }
  void Finish(Result<T> r) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      result_.emplace(std::move(r));
    }
    signal.Notify();
  }
  std::string TakeText() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(text_, std::string());
  }
  // The result, once all text before it was taken.
  std::optional<Result<T>> TakeResult() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!result_ || !text_.empty()) return std::nullopt;
    return std::exchange(result_, std::nullopt);
  }
  // The event loop has stopped: cancel and drop a waiting coroutine.
  void Close() {
    stop.request_stop();
    signal.Close();
  }

  std::stop_source stop;
  CoroutineSignal signal;

 private:
  std::mutex mu_;
  std::string text_;                 // guarded by mu_
  std::optional<Result<T>> result_;  // guarded by mu_
};

// Type-erased handle on a request in flight, for CloseIdle.
using Closer = std::function<void()>;

using Embeddings = std::vector<std::vector<float>>;

// ---- request parsing ------------------------------------------------------------

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

Status Bad(const std::string& field, const std::string& what) {
  return Status::InvalidArgument(field + " " + what);
}

Status ReadFloat(const Json& body, const char* key, float* out) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return Status::Ok();
  if (!it->is_number()) return Bad(key, "must be a number");
  *out = it->get<float>();
  return Status::Ok();
}

Status ReadSampling(const Json& body, SamplingParams* s) {
  if (Status st = ReadFloat(body, "temperature", &s->temperature); !st.ok()) return st;
  if (Status st = ReadFloat(body, "top_p", &s->top_p); !st.ok()) return st;
  if (Status st = ReadFloat(body, "presence_penalty", &s->presence_penalty); !st.ok()) return st;
  if (Status st = ReadFloat(body, "frequency_penalty", &s->frequency_penalty); !st.ok()) return st;
  for (const char* key : {"max_completion_tokens", "max_tokens"}) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) continue;
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > (1 << 24))
      return Bad(key, "must be a positive whole number");
    s->max_tokens = static_cast<int>(it->get<int64_t>());
    break;
  }
  if (auto it = body.find("seed"); it != body.end() && !it->is_null()) {
    if (!it->is_number_integer()) return Bad("seed", "must be a whole number");
    s->seed = static_cast<uint32_t>(it->get<int64_t>());
  }
  if (auto it = body.find("stop"); it != body.end() && !it->is_null()) {
    if (it->is_string()) {
      s->stop.push_back(it->get<std::string>());
    } else if (it->is_array()) {
      for (const auto& e : *it) {
        if (!e.is_string()) return Bad("stop", "must be a string or a list of strings");
        s->stop.push_back(e.get<std::string>());
      }
    } else {
      return Bad("stop", "must be a string or a list of strings");
    }
  }
  if (auto it = body.find("n"); it != body.end() && !it->is_null() && *it != 1)
    return Bad("n", "must be 1 on a local backend");
  return Status::Ok();
}

// The text of a message's content: a string, null, or text parts.
Result<std::string> ContentText(const Json& content, const std::string& where) {
  if (content.is_null()) return std::string();
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  for (std::size_t i = 0; i < content.size(); ++i) {
    const Json& part = content[i];
    if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") || !part["text"].is_string())
      return Bad(where + "[" + std::to_string(i) + "]", "is not a text part; a local model reads text only");
    out += part["text"].get<std::string>();
  }
  return out;
}

Result<ChatRequest> ReadChat(const Json& body) {
  ChatRequest r;
  if (body.contains("tools") && !body["tools"].is_null() && !body["tools"].empty())
    return Bad("tools", "are not supported by a local backend");
  const Json& msgs = body["messages"];
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    const std::string where = "messages[" + std::to_string(i) + "]";
    std::string role = msgs[i].value("role", "");
    if (role == "developer") role = "system";
    if (role != "system" && role != "user" && role != "assistant")
      return Bad(where + ".role", "'" + role + "' is not supported by a local backend (system, user, assistant)");
    auto text = ContentText(msgs[i].contains("content") ? msgs[i]["content"] : Json(), where + ".content");
    if (!text.ok()) return text.status();
    r.messages.push_back({role, std::move(*text)});
  }
  if (Status s = ReadSampling(body, &r.sampling); !s.ok()) return s;
  return r;
}

Result<ChatRequest> ReadCompletion(const Json& body) {
  ChatRequest r;
  const Json& p = body["prompt"];
  if (p.is_string()) {
    r.prompt = p.get<std::string>();
  } else if (p.is_array() && p.size() == 1 && p[0].is_string()) {
    r.prompt = p[0].get<std::string>();
  } else {
    return Bad("prompt", "must be one string on a local backend");
  }
  if (r.prompt.empty()) return Bad("prompt", "must not be empty");
  if (Status s = ReadSampling(body, &r.sampling); !s.ok()) return s;
  return r;
}

Result<std::vector<std::string>> ReadEmbeddingInput(const Json& body) {
  const Json& in = body["input"];
  std::vector<std::string> out;
  if (in.is_string()) {
    out.push_back(in.get<std::string>());
  } else if (in.is_array()) {
    for (const auto& e : in) {
      if (!e.is_string()) return Bad("input", "must be a string or a list of strings on a local backend (no token arrays)");
      out.push_back(e.get<std::string>());
    }
  } else {
    return Bad("input", "must be a string or a list of strings");
  }
  if (out.empty()) return Bad("input", "must not be empty");
  return out;
}

// The engine says "the prompt has N tokens but the context holds M": that is
// the client's request not fitting this model, reported as such.
Status MapSubmitError(const std::string& backend, const Status& s) {
  const std::string msg = "backend " + backend + ": " + s.message();
  if (s.code() == Status::Code::kInvalidArgument && s.message().find("the context holds") != std::string::npos)
    return Status::ResourceExhausted(msg + "; shorten the messages or use a model with a longer context");
  if (s.code() == Status::Code::kInvalidArgument) return Status::InvalidArgument(msg);
  if (s.code() == Status::Code::kUnavailable) return Status::Unavailable(msg + "; retry shortly");
  return Status::Internal(msg);
}

std::string NewId(const char* prefix) {
  unsigned char b[12];
  RAND_bytes(b, sizeof b);
  return prefix + HexEncode(std::string_view(reinterpret_cast<char*>(b), sizeof b));
}

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Json UsageJson(const Usage& u) {
  return Json{{"prompt_tokens", u.prompt_tokens},
              {"completion_tokens", u.completion_tokens},
              {"total_tokens", u.prompt_tokens + u.completion_tokens}};
}

// (Built outside coroutines: GCC 12 miscompiles braced JSON initialisers
// inside a coroutine body.)
Json EmbeddingResponse(const Embeddings& vectors, bool base64, const std::string& model, int tokens) {
  Json data = Json::array();
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    const auto& v = vectors[i];
    Json e = {{"object", "embedding"}, {"index", i}};
    if (base64) {
      // Little-endian float32, as OpenAI sends it (x86 and ARM are little-endian).
      e["embedding"] = Base64Encode(std::string_view(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    } else {
      e["embedding"] = v;
    }
    data.push_back(std::move(e));
  }
  return Json{{"object", "list"},
              {"data", data},
              {"model", model},
              {"usage", Json{{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
}

// Cancels the sequence when the coroutine ends for any reason (finished,
// client gone, frame destroyed on shutdown); harmless after completion.
struct StopOnExit {
  std::stop_source* s;
  ~StopOnExit() { s->request_stop(); }
};

// ---- the backend ----------------------------------------------------------------

class LocalBackend final : public Backend {
 public:
  LocalBackend(std::string name, std::string model_name, std::shared_ptr<Engine> engine)
      : name_(std::move(name)), model_name_(std::move(model_name)), engine_(std::move(engine)) {}

  ~LocalBackend() override {
    {
      std::lock_guard<std::mutex> lock(embed_mu_);
      embed_stop_ = true;
    }
    embed_cv_.notify_all();
    if (embed_thread_.joinable()) embed_thread_.join();
  }

  const std::string& name() const override { return name_; }
  ModelIdentity Model() const override { return identity_; }
  std::size_t Waiting() const override { return static_cast<std::size_t>(engine_->stats().waiting); }
  void set_identity(ModelIdentity id) { identity_ = std::move(id); }

  awaitable<Result<Reply>> Complete(const api::Request& request) override {
    if (request.endpoint == api::Endpoint::kEmbedding) {
      Result<Reply> r = co_await Embed(request);
      co_return r;
    }
    Result<Reply> r = co_await Generate(request, nullptr);
    co_return r;
  }

  awaitable<Result<Reply>> Stream(const api::Request& request, EventSink sink) override {
    if (request.endpoint == api::Endpoint::kEmbedding)
      co_return Status::InvalidArgument("embeddings are not streamed");
    Result<Reply> r = co_await Generate(request, &sink);
    co_return r;
  }

  // Called once the event loop has stopped: waiting coroutines are dropped
  // and requests still running are cancelled.
  void CloseIdle() override {
    std::vector<std::pair<std::shared_ptr<void>, Closer>> live;
    {
      std::lock_guard<std::mutex> lock(live_mu_);
      for (auto& [weak, close] : live_)
        if (auto p = weak.lock()) live.emplace_back(std::move(p), close);
      live_.clear();
    }
    for (auto& [p, close] : live) close();
  }

 private:
  template <class T>
  std::shared_ptr<Mailbox<T>> NewMailbox() {
    auto box = std::make_shared<Mailbox<T>>();
    Mailbox<T>* raw = box.get();
    std::lock_guard<std::mutex> lock(live_mu_);
    if (live_.size() >= 64 && live_.size() % 64 == 0)
      std::erase_if(live_, [](const auto& e) { return e.first.expired(); });
    // The closer runs only while CloseIdle holds a strong reference.
    live_.emplace_back(std::weak_ptr<void>(box), [raw] { raw->Close(); });
    return box;
  }

  Json ChunkBase(const std::string& id, int64_t created, const std::string& model, bool chat) const {
    return Json{{"id", id}, {"object", chat ? "chat.completion.chunk" : "text_completion"},
                {"created", created}, {"model", model}};
  }

  Json TextChunk(const Json& base, bool chat, bool first, const std::string& text) const {
    Json chunk = base;
    Json choice = {{"index", 0}, {"finish_reason", nullptr}};
    if (chat) {
      choice["delta"] = first ? Json{{"role", "assistant"}, {"content", text}} : Json{{"content", text}};
    } else {
      choice["text"] = text;
    }
    chunk["choices"] = Json::array({choice});
    return chunk;
  }

  Json FinalChunk(const Json& base, bool chat, const Completion& c, bool usage_inline) const {
    Json chunk = base;
    Json choice = {{"index", 0}, {"finish_reason", c.finish_reason}};
    if (chat) {
      choice["delta"] = Json::object();
    } else {
      choice["text"] = "";
    }
    chunk["choices"] = Json::array({choice});
    if (usage_inline) chunk["usage"] = UsageJson(c.usage);
    return chunk;
  }

  Json UsageChunk(const Json& base, const Usage& u) const {
    Json chunk = base;
    chunk["choices"] = Json::array();
    chunk["usage"] = UsageJson(u);
    return chunk;
  }

  Json WholeResponse(bool chat, const std::string& model, const Completion& c) const {
    Json choice = {{"index", 0}, {"finish_reason", c.finish_reason}};
    if (chat) {
      choice["message"] = Json{{"role", "assistant"}, {"content", c.text}};
    } else {
      choice["text"] = c.text;
    }
    return Json{{"id", NewId(chat ? "chatcmpl-" : "cmpl-")},
                {"object", chat ? "chat.completion" : "text_completion"},
                {"created", Now()},
                {"model", model},
                {"choices", Json::array({choice})},
                {"usage", UsageJson(c.usage)}};
  }

  std::string ModelOf(const api::Request& r) const { return model_name_.empty() ? r.model : model_name_; }

  awaitable<Result<Reply>> Generate(const api::Request& request, EventSink* sink) {
    const bool chat = request.endpoint == api::Endpoint::kChat;
    auto parsed = chat ? ReadChat(request.body) : ReadCompletion(request.body);
    if (!parsed.ok()) co_return Status::InvalidArgument("backend " + name_ + ": " + parsed.status().message());
    const bool include_usage = request.body.contains("stream_options") && request.body["stream_options"].is_object() &&
                               request.body["stream_options"].value("include_usage", false);

    auto box = NewMailbox<Completion>();
    StopOnExit guard{&box->stop};
    // The gateway's client went away (request.cancel): stop generating; the
    // engine skips a queued request and ends a running one at its next token.
    std::stop_callback client_gone(request.cancel, [box] { box->stop.request_stop(); });
    TextCallback on_text;
    if (sink) on_text = [box](std::string_view t) { box->AddText(t); };
    Status submitted = engine_->Submit(
        std::move(*parsed), std::move(on_text), [box](Result<Completion> r) { box->Finish(std::move(r)); },
        box->stop.get_token());
    if (!submitted.ok()) co_return MapSubmitError(name_, submitted);

    const std::string model = ModelOf(request);
    const Json base = ChunkBase(NewId(chat ? "chatcmpl-" : "cmpl-"), Now(), model, chat);
    bool first = true;
    for (;;) {
      co_await box->signal.Wait();
      if (sink) {
        std::string text = box->TakeText();
        if (!text.empty()) {
          std::string event = Dump(TextChunk(base, chat, first, text));  // (no temporaries in co_await: GCC 12)
          const bool more = co_await (*sink)(std::move(event));
          first = false;
          if (!more) {
            box->stop.request_stop();  // the client went away: free the slot now
            Reply gone;
            gone.status = 200;
            co_return gone;
          }
        }
      }
      auto done = box->TakeResult();
      if (!done) continue;
      if (!done->ok()) {
        const Status& s = done->status();
        if (s.code() == Status::Code::kCancelled) co_return Status::Cancelled("backend " + name_ + ": " + s.message());
        co_return Status::Internal("backend " + name_ + ": " + s.message());
      }
      Reply reply;
      reply.status = 200;
      if (!sink) {
        reply.body = WholeResponse(chat, model, **done);
        co_return reply;
      }
      std::string last = Dump(FinalChunk(base, chat, **done, !include_usage));
      if (!co_await (*sink)(std::move(last))) co_return reply;
      if (include_usage) {
        std::string usage = Dump(UsageChunk(base, (*done)->usage));
        co_await (*sink)(std::move(usage));
      }
      co_return reply;
    }
  }

  // ---- embeddings: Engine::Embed blocks, so it runs on a worker thread ----

  static constexpr std::size_t kEmbedQueue = 16;

  awaitable<Result<Reply>> Embed(const api::Request& request) {
    auto inputs = ReadEmbeddingInput(request.body);
    if (!inputs.ok()) co_return Status::InvalidArgument("backend " + name_ + ": " + inputs.status().message());
    const std::string format = request.body.value("encoding_format", "float");
    if (format != "float" && format != "base64")
      co_return Status::InvalidArgument("backend " + name_ + ": encoding_format must be float or base64");
    int tokens = 0;
    for (const auto& t : *inputs) {
      auto n = engine_->CountTokens(t);
      if (n.ok()) tokens += *n;
    }
    auto box = NewMailbox<Embeddings>();
    {
      std::lock_guard<std::mutex> lock(embed_mu_);
      if (embed_jobs_.size() >= kEmbedQueue)
        co_return Status::Unavailable("backend " + name_ + ": busy: " + std::to_string(kEmbedQueue) +
                                      " embedding requests waiting; retry shortly");
      embed_jobs_.push_back([box, engine = engine_, texts = std::move(*inputs)] {
        if (box->stop.stop_requested()) return box->Finish(Status::Cancelled("cancelled"));
        box->Finish(engine->Embed(texts));
      });
      if (!embed_thread_.joinable()) embed_thread_ = std::thread([this] { EmbedLoop(); });
    }
    embed_cv_.notify_one();
    StopOnExit guard{&box->stop};
    std::optional<Result<Embeddings>> done;
    while (!(done = box->TakeResult())) co_await box->signal.Wait();
    if (!done->ok()) co_return MapSubmitError(name_, done->status());
    Reply reply;
    reply.status = 200;
    reply.body = EmbeddingResponse(**done, format == "base64", ModelOf(request), tokens);
    co_return reply;
  }

  void EmbedLoop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(embed_mu_);
        embed_cv_.wait(lock, [this] { return embed_stop_ || !embed_jobs_.empty(); });
        if (embed_jobs_.empty()) return;  // stopping and nothing left
        job = std::move(embed_jobs_.front());
        embed_jobs_.pop_front();
      }
      job();
    }
  }

  std::string name_;
  std::string model_name_;
  std::shared_ptr<Engine> engine_;
  ModelIdentity identity_;

  std::mutex live_mu_;
  std::vector<std::pair<std::weak_ptr<void>, Closer>> live_;  // requests in flight; guarded by live_mu_

  std::mutex embed_mu_;
  std::condition_variable embed_cv_;
  std::deque<std::function<void()>> embed_jobs_;  // guarded by embed_mu_
  bool embed_stop_ = false;                       // guarded by embed_mu_
  std::thread embed_thread_;
};

class ModellessBackend final : public Backend {
 public:
  ModellessBackend(std::string name, std::string why) : name_(std::move(name)), why_(std::move(why)) {}
  const std::string& name() const override { return name_; }
  std::string Unavailable() const override { return why_; }
  awaitable<Result<Reply>> Complete(const api::Request&) override { co_return Status::Unavailable(why_); }
  awaitable<Result<Reply>> Stream(const api::Request&, EventSink) override { co_return Status::Unavailable(why_); }

 private:
  std::string name_;
  std::string why_;
};

}  // namespace

std::shared_ptr<Backend> CreateLocalBackend(std::string name, std::string model_name, std::shared_ptr<Engine> engine,
                                            Backend::ModelIdentity identity) {
  auto b = std::make_shared<LocalBackend>(std::move(name), std::move(model_name), std::move(engine));
  b->set_identity(std::move(identity));
  return b;
}

std::shared_ptr<Backend> CreateModellessBackend(std::string name, std::string why) {
  return std::make_shared<ModellessBackend>(std::move(name), std::move(why));
}

}  // namespace airlock::backend::local
