#!/usr/bin/env python3
"""A stand-in for a cloud AI provider (the one outside party the gateway
tests may fake). It answers OpenAI-shaped requests and appends every request
body it receives, one JSON line each, to --record, so that tests can assert
that no detected value ever reached it.

The model name the gateway sends (each test backend sets one) picks the
behaviour:
  echo      the reply repeats the text of every message (so pseudonyms come
            back and must be rehydrated); streamed in 3-byte pieces
  toolcall  the reply is a tool call whose arguments carry the last user text
  leak      the reply contains an IBAN and an e-mail address that the request did not
  garbage   200 with a body that is not JSON (or SSE events that are not JSON)
  error     HTTP 500 with an OpenAI error body
  sselength like echo, but a streamed reply is sent whole with a
            Content-Length instead of chunked
  slow      answers after 3 seconds
  hold      waits up to 8 seconds for the gateway to close the connection,
            then answers like echo; appends "closed S" (the gateway hung
            up after S seconds) or "answered" to --record + ".hold"
  recite    the reply is the text of recite.txt next to --record (a test puts
            protected record values or a protected document passage there)
"""
import argparse
import json
import os
import select
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
ARGS = None


def texts_of(body):
    out = []
    for m in body.get("messages", []):
        c = m.get("content")
        if isinstance(c, str):
            out.append(c)
        elif isinstance(c, list):
            out.extend(p.get("text", "") for p in c if isinstance(p, dict))
        for tc in m.get("tool_calls") or []:
            out.append(tc.get("function", {}).get("arguments", ""))
    p = body.get("prompt")
    if isinstance(p, str):
        out.append(p)
    elif isinstance(p, list):
        out.extend(p)
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_json(self, status, obj, raw=None):
        data = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def chunk(self, data):
        if self.whole is not None:
            self.whole.append(data)
            return
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def hold(self):
        """True when the gateway closed the connection while we held it."""
        start = time.time()
        verdict = "answered"
        while time.time() - start < 8:
            ready, _, _ = select.select([self.connection], [], [], 0.05)
            if ready:
                try:
                    closed = self.connection.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    closed = True
                if closed:
                    self.close_connection = True
                    verdict = "closed %.2f" % (time.time() - start)
                    break
        with LOCK, open(ARGS.record + ".hold", "a") as f:
            f.write(verdict + "\n")
        return verdict != "answered"

    def do_GET(self):
        self.send_json(200, {"ok": True})

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        with LOCK, open(ARGS.record, "ab") as f:
            f.write(raw.replace(b"\n", b" ") + b"\n")
        try:
            body = json.loads(raw)
        except ValueError:
            return self.send_json(400, {"error": {"message": "bad json", "type": "invalid_request_error"}})
        model = body.get("model", "echo")
        if model == "slow":
            time.sleep(3)
        if model == "hold" and self.hold():
            return
        if model == "error":
            return self.send_json(500, {"error": {"message": "upstream exploded", "type": "server_error", "code": "boom"}})
        if self.path.endswith("/embeddings"):
            inputs = body.get("input")
            inputs = [inputs] if isinstance(inputs, str) else inputs
            return self.send_json(200, {"object": "list", "model": model, "data": [
                {"object": "embedding", "index": i, "embedding": [0.1, 0.2, float(len(t))]} for i, t in enumerate(inputs)],
                "usage": {"prompt_tokens": 3, "total_tokens": 3}})
        texts = texts_of(body)
        if model == "leak":
            content = "Sure. Transfer to DE89 3704 0044 0532 0130 00 and write to leak.victim@example.org"
        elif model == "recite":
            with open(os.path.join(os.path.dirname(os.path.abspath(ARGS.record)), "recite.txt")) as f:
                content = f.read()
        else:
            content = "ECHO: " + " | ".join(texts)
        legacy = self.path.endswith("/completions") and not self.path.endswith("/chat/completions")
        if body.get("stream"):
            return self.stream(body, model, content, texts, legacy)
        if model == "garbage":
            return self.send_json(200, None, raw=b"<html>this is not json</html>")
        if legacy:
            choice = {"index": 0, "text": content, "finish_reason": "stop"}
            obj = "text_completion"
        elif model == "toolcall":
            choice = {"index": 0, "finish_reason": "tool_calls", "message": {
                "role": "assistant", "content": None, "tool_calls": [{
                    "id": "call_1", "type": "function",
                    "function": {"name": "lookup", "arguments": json.dumps({"text": texts[-1] if texts else ""})}}]}}
            obj = "chat.completion"
        else:
            choice = {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
            obj = "chat.completion"
        self.send_json(200, {"id": "cmpl-1", "object": obj, "created": 1, "model": model, "choices": [choice],
                             "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}})

    def stream(self, body, model, content, texts, legacy):
        self.whole = [] if model == "sselength" else None
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        if self.whole is None:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
        try:
            if model == "garbage":
                self.chunk(b"data: {not json at all\n\n")
                self.chunk(b"data: [DONE]\n\n")
                self.chunk(b"")
                return
            base = {"id": "chunk-1", "object": "text_completion" if legacy else "chat.completion.chunk",
                    "created": 1, "model": model}

            def event(choice):
                self.chunk(b"data: " + json.dumps(dict(base, choices=[choice])).encode() + b"\n\n")

            if not legacy:
                event({"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None})
            if model == "toolcall":
                args = json.dumps({"text": texts[-1] if texts else ""})
                event({"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                       "function": {"name": "lookup", "arguments": ""}}]}, "finish_reason": None})
                for i in range(0, len(args), 4):
                    event({"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": args[i:i + 4]}}]},
                           "finish_reason": None})
                event({"index": 0, "delta": {}, "finish_reason": "tool_calls"})
            else:
                for i in range(0, len(content), 3):
                    piece = content[i:i + 3]
                    if legacy:
                        event({"index": 0, "text": piece, "finish_reason": None})
                    else:
                        event({"index": 0, "delta": {"content": piece}, "finish_reason": None})
                    if model == "slowstream":
                        time.sleep(0.05)
                event({"index": 0, "delta": {}, "finish_reason": "stop"} if not legacy
                      else {"index": 0, "text": "", "finish_reason": "stop"})
            self.chunk(b"data: [DONE]\n\n")
            self.chunk(b"")
            if self.whole is not None:
                data = b"".join(self.whole)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--record", required=True)
    ap.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate chain")
    ap.add_argument("--tls-key")
    ARGS = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    if ARGS.tls_cert:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.tls_cert, ARGS.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
