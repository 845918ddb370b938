// The OpenAI wire format as Airlock reads and writes it.
//
// Requests are parsed into JSON and kept whole, so fields Airlock does not
// interpret (temperature, response_format, ...) pass through unchanged. What
// Airlock does interpret is reached through TextSlots: every string in a
// request or response that carries content (message text, each text part of
// multi-part content, tool-call arguments, legacy prompts, embedding inputs).
// Detection, transformation and rehydration work on slots, so no content
// path is forgotten by one step and seen by another.
//
//   auto req = api::ParseChatRequest(body);       // 400 with a where on failure
//   for (auto& slot : api::RequestTexts(req->body)) Inspect(*slot.text);
//
// Thread-safety: plain values and free functions.
#pragma once

#include <nlohmann/json.hpp>

#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "airlock/core/status.h"

namespace airlock::api {

using Json = nlohmann::json;

// An error in OpenAI's shape: {"error": {"message", "type", "param", "code"}}.
struct ApiError {
  int http_status = 500;
  std::string type;     // invalid_request_error, authentication_error, permission_error, ...
  std::string code;     // machine-readable: invalid_json, policy_blocked, ...
  std::string message;  // what was wrong and where; never payload text
  std::string param;    // optional: the offending field
  Json details;         // optional extra (data classes, reasons); never values
};
std::string ErrorBody(const ApiError& e);

enum class Endpoint { kChat, kCompletion, kEmbedding };

struct Request {
  Endpoint endpoint = Endpoint::kChat;
  Json body;            // the whole request
  std::string model;    // body.model
  bool stream = false;  // body.stream
  // Requested when the caller's client has closed its connection while a
  // non-streamed answer was being prepared: a backend may stop early (the
  // local engine frees its slot). Never requested by default.
  std::stop_token cancel;
};

// Parses and checks the shape the gateway relies on. Errors are
// InvalidArgument with the JSON path or byte offset ("messages[1].content
// must be a string, an array of parts or null").
Result<Request> ParseRequest(Endpoint endpoint, std::string_view body);

// A content string inside a request or response.
struct TextSlot {
  std::string* text = nullptr;  // points into the Json it came from
  std::string where;            // JSON path, e.g. "messages[2].content[0].text"
  bool json_encoded = false;    // tool-call arguments: text is JSON; inserted values need escaping
  std::size_t message = 0;      // index of the message (or choice) it belongs to
};
// REQUIRES: `body` outlives the slots and is not restructured meanwhile.
std::vector<TextSlot> RequestTexts(Endpoint endpoint, Json& body);
std::vector<TextSlot> ResponseTexts(Endpoint endpoint, Json& body);  // choices[].message / text

// A chat message's file part ({"type": "file", "file": {"filename": ...,
// "file_data": base64 or a data: URL}}), which ParseRequest accepts in this
// shape only. No file part may reach a backend: the gateway replaces each
// with a text part of the file's text (a workflow with attachments: text)
// or refuses the request.
struct FilePart {
  Json* part = nullptr;  // the part object, in the body
  std::string where;     // "messages[1].content[0]"
};
std::vector<FilePart> FileParts(Json& body);
std::vector<TextSlot> DeltaTexts(Json& chunk);                       // choices[].delta (streaming)

// Tokens reported by a response's usage object (0 when absent).
struct Usage {
  long prompt_tokens = 0;
  long completion_tokens = 0;
  long total_tokens = 0;
};
Usage ReadUsage(const Json& response);

// Path of an endpoint below the backend's base URL ("/chat/completions").
std::string_view EndpointPath(Endpoint e);

}  // namespace airlock::api
