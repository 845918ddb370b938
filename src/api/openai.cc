#include "airlock/api/openai.h"

namespace airlock::api {

namespace {

std::string Path(std::string_view base, std::size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

Status CheckStringList(const Json& v, const std::string& where, bool allow_single) {
  if (allow_single && v.is_string()) return Status::Ok();
  if (!v.is_array() || v.empty())
    return Status::InvalidArgument(where + " must be a string or a non-empty array of strings");
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string())
      return Status::InvalidArgument(Path(where, i) + " must be a string (token arrays are not supported)");
  }
  return Status::Ok();
}

Status CheckMessage(const Json& m, const std::string& where) {
  if (!m.is_object()) return Status::InvalidArgument(where + " must be an object");
  auto role = m.find("role");
  if (role == m.end() || !role->is_string()) return Status::InvalidArgument(where + ".role must be a string");
  if (auto name = m.find("name"); name != m.end() && !name->is_string())
    return Status::InvalidArgument(where + ".name must be a string");
  auto content = m.find("content");
  if (content != m.end() && !content->is_null()) {
    if (content->is_array()) {
      for (std::size_t i = 0; i < content->size(); ++i) {
        const Json& part = (*content)[i];
        const std::string pw = where + ".content" + "[" + std::to_string(i) + "]";
        if (!part.is_object() || !part.contains("type") || !part["type"].is_string())
          return Status::InvalidArgument(pw + " must be an object with a type");
        const auto& type = part["type"].get_ref<const std::string&>();
        if (type == "file") {
          // Read as text by the gateway where the workflow allows
          // (FileParts); never forwarded as it is.
          auto f = part.find("file");
          if (f == part.end() || !f->is_object()) return Status::InvalidArgument(pw + ".file must be an object");
          auto data = f->find("file_data");
          if (data == f->end() || !data->is_string()) {
            return Status::InvalidArgument(
                pw + ".file" +
                (f->contains("file_id") ? ": a file_id names a file stored at the provider, which Airlock cannot "
                                          "scan; send the file's content as file_data"
                                        : ".file_data must be a string (base64 or a data: URL)"));
          }
          if (auto n = f->find("filename"); n != f->end() && !n->is_string())
            return Status::InvalidArgument(pw + ".file.filename must be a string");
          continue;
        }
        if (type != "text")
          return Status::InvalidArgument(pw + ".type '" + type +
                                         "' is not supported: only text and file parts can be scanned");
        if (!part.contains("text") || !part["text"].is_string())
          return Status::InvalidArgument(pw + ".text must be a string");
      }
    } else if (!content->is_string()) {
      return Status::InvalidArgument(where + ".content must be a string, an array of parts or null");
    }
  }
  if (auto calls = m.find("tool_calls"); calls != m.end() && !calls->is_null()) {
    if (!calls->is_array()) return Status::InvalidArgument(where + ".tool_calls must be an array");
    for (std::size_t i = 0; i < calls->size(); ++i) {
      const Json& c = (*calls)[i];
      const std::string cw = where + ".tool_calls[" + std::to_string(i) + "]";
      if (!c.is_object() || !c.contains("function") || !c["function"].is_object())
        return Status::InvalidArgument(cw + ".function must be an object");
      const Json& f = c["function"];
      if (f.contains("arguments") && !f["arguments"].is_string())
        return Status::InvalidArgument(cw + ".function.arguments must be a string");
    }
  }
  return Status::Ok();
}

void AddMessageSlots(Json& m, const std::string& where, std::size_t index, std::vector<TextSlot>* out) {
  if (!m.is_object()) return;
  if (auto name = m.find("name"); name != m.end() && name->is_string())
    out->push_back({&name->get_ref<std::string&>(), where + ".name", false, index});
  if (auto content = m.find("content"); content != m.end()) {
    if (content->is_string()) {
      out->push_back({&content->get_ref<std::string&>(), where + ".content", false, index});
    } else if (content->is_array()) {
      for (std::size_t i = 0; i < content->size(); ++i) {
        Json& part = (*content)[i];
        if (part.is_object() && part.contains("text") && part["text"].is_string())
          out->push_back({&part["text"].get_ref<std::string&>(),
                          where + ".content[" + std::to_string(i) + "].text", false, index});
      }
    }
  }
  if (auto calls = m.find("tool_calls"); calls != m.end() && calls->is_array()) {
    for (std::size_t i = 0; i < calls->size(); ++i) {
      Json& c = (*calls)[i];
      if (!c.is_object() || !c.contains("function") || !c["function"].is_object()) continue;
      Json& f = c["function"];
      if (f.contains("arguments") && f["arguments"].is_string())
        out->push_back({&f["arguments"].get_ref<std::string&>(),
                        where + ".tool_calls[" + std::to_string(i) + "].function.arguments", true, index});
    }
  }
}

void AddStrings(Json& v, const std::string& where, std::vector<TextSlot>* out) {
  if (v.is_string()) {
    out->push_back({&v.get_ref<std::string&>(), where, false, 0});
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i)
      if (v[i].is_string()) out->push_back({&v[i].get_ref<std::string&>(), Path(where, i), false, i});
  }
}

}  // namespace

std::string ErrorBody(const ApiError& e) {
  Json err = {{"message", e.message},
              {"type", e.type},
              {"param", e.param.empty() ? Json(nullptr) : Json(e.param)},
              {"code", e.code.empty() ? Json(nullptr) : Json(e.code)}};
  if (!e.details.is_null()) err["airlock"] = e.details;
  return Json{{"error", err}}.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Request> ParseRequest(Endpoint endpoint, std::string_view body) {
  Request req;
  req.endpoint = endpoint;
  try {
    req.body = Json::parse(body);
  } catch (const Json::parse_error& e) {
    return Status::InvalidArgument("request body is not valid JSON (at byte " + std::to_string(e.byte) + ")");
  }
  Json& b = req.body;
  if (!b.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  auto model = b.find("model");
  if (model == b.end() || !model->is_string() || model->get_ref<const std::string&>().empty())
    return Status::InvalidArgument("model must be a non-empty string");
  req.model = *model;
  if (auto s = b.find("stream"); s != b.end() && !s->is_null()) {
    if (!s->is_boolean()) return Status::InvalidArgument("stream must be true or false");
    req.stream = s->get<bool>();
  }
  switch (endpoint) {
    case Endpoint::kChat: {
      auto msgs = b.find("messages");
      if (msgs == b.end() || !msgs->is_array() || msgs->empty())
        return Status::InvalidArgument("messages must be a non-empty array");
      for (std::size_t i = 0; i < msgs->size(); ++i) {
        if (Status st = CheckMessage((*msgs)[i], Path("messages", i)); !st.ok()) return st;
      }
      break;
    }
    case Endpoint::kCompletion: {
      auto p = b.find("prompt");
      if (p == b.end()) return Status::InvalidArgument("prompt is required");
      if (Status st = CheckStringList(*p, "prompt", true); !st.ok()) return st;
      break;
    }
    case Endpoint::kEmbedding: {
      auto in = b.find("input");
      if (in == b.end()) return Status::InvalidArgument("input is required");
      if (Status st = CheckStringList(*in, "input", true); !st.ok()) return st;
      if (req.stream) return Status::InvalidArgument("stream is not supported for embeddings");
      break;
    }
  }
  return req;
}

std::vector<TextSlot> RequestTexts(Endpoint endpoint, Json& body) {
  std::vector<TextSlot> out;
  switch (endpoint) {
    case Endpoint::kChat:
      if (auto msgs = body.find("messages"); msgs != body.end() && msgs->is_array()) {
        for (std::size_t i = 0; i < msgs->size(); ++i) AddMessageSlots((*msgs)[i], Path("messages", i), i, &out);
      }
      break;
    case Endpoint::kCompletion:
      if (auto p = body.find("prompt"); p != body.end()) AddStrings(*p, "prompt", &out);
      break;
    case Endpoint::kEmbedding:
      if (auto in = body.find("input"); in != body.end()) AddStrings(*in, "input", &out);
      break;
  }
  return out;
}

std::vector<FilePart> FileParts(Json& body) {
  std::vector<FilePart> out;
  auto msgs = body.find("messages");
  if (msgs == body.end() || !msgs->is_array()) return out;
  for (std::size_t i = 0; i < msgs->size(); ++i) {
    Json& m = (*msgs)[i];
    if (!m.is_object()) continue;
    auto content = m.find("content");
    if (content == m.end() || !content->is_array()) continue;
    for (std::size_t k = 0; k < content->size(); ++k) {
      Json& part = (*content)[k];
      if (!part.is_object()) continue;
      auto type = part.find("type");
      if (type == part.end() || !type->is_string() || type->get_ref<const std::string&>() != "file") continue;
      out.push_back({&part, Path("messages", i) + ".content[" + std::to_string(k) + "]"});
    }
  }
  return out;
}

std::vector<TextSlot> ResponseTexts(Endpoint endpoint, Json& body) {
  std::vector<TextSlot> out;
  auto choices = body.find("choices");
  if (endpoint == Endpoint::kEmbedding || choices == body.end() || !choices->is_array()) return out;
  for (std::size_t i = 0; i < choices->size(); ++i) {
    Json& c = (*choices)[i];
    if (!c.is_object()) continue;
    if (auto m = c.find("message"); m != c.end()) AddMessageSlots(*m, Path("choices", i) + ".message", i, &out);
    if (auto t = c.find("text"); t != c.end() && t->is_string())
      out.push_back({&t->get_ref<std::string&>(), Path("choices", i) + ".text", false, i});
  }
  return out;
}

std::vector<TextSlot> DeltaTexts(Json& chunk) {
  std::vector<TextSlot> out;
  auto choices = chunk.find("choices");
  if (choices == chunk.end() || !choices->is_array()) return out;
  for (std::size_t i = 0; i < choices->size(); ++i) {
    Json& c = (*choices)[i];
    if (!c.is_object()) continue;
    if (auto d = c.find("delta"); d != c.end()) AddMessageSlots(*d, Path("choices", i) + ".delta", i, &out);
    if (auto t = c.find("text"); t != c.end() && t->is_string())
      out.push_back({&t->get_ref<std::string&>(), Path("choices", i) + ".text", false, i});
  }
  return out;
}

Usage ReadUsage(const Json& response) {
  Usage u;
  auto it = response.find("usage");
  if (it == response.end() || !it->is_object()) return u;
  auto num = [&](const char* k) -> long {
    auto v = it->find(k);
    return v != it->end() && v->is_number_integer() ? v->get<long>() : 0;
  };
  u.prompt_tokens = num("prompt_tokens");
  u.completion_tokens = num("completion_tokens");
  u.total_tokens = num("total_tokens");
  return u;
}

std::string_view EndpointPath(Endpoint e) {
  switch (e) {
    case Endpoint::kChat: return "/chat/completions";
    case Endpoint::kCompletion: return "/completions";
    case Endpoint::kEmbedding: return "/embeddings";
  }
  return "/chat/completions";
}

}  // namespace airlock::api
