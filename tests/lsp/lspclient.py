"""lspclient.py - a small scripted LSP client for the tests of `svp lsp`.

Starts the server as a child process, frames messages with Content-Length,
and reads its answers with a deadline, so that a server that hangs fails
the test instead of hanging it.
"""
import json
import os
import select
import subprocess


class LspError(Exception):
    pass


class Client:
    def __init__(self, argv, timeout=20.0, env=None):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.timeout = timeout
        self.next_id = 0
        self.buffer = b""
        self.notifications = []

    # ---- raw bytes ------------------------------------------------------
    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message):
        body = json.dumps(message).encode("utf-8")
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def _read_more(self):
        ready, _, _ = select.select([self.proc.stdout], [], [], self.timeout)
        if not ready:
            raise LspError("the server said nothing for %s s" % self.timeout)
        chunk = os.read(self.proc.stdout.fileno(), 65536)
        if not chunk:
            raise LspError("the server closed its output (exit status %s)" % self.proc.poll())
        self.buffer += chunk

    def read_message(self):
        while b"\r\n\r\n" not in self.buffer:
            self._read_more()
        header, rest = self.buffer.split(b"\r\n\r\n", 1)
        length = None
        for line in header.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if length is None:
            raise LspError("a message without Content-Length: %r" % header)
        self.buffer = rest
        while len(self.buffer) < length:
            self._read_more()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return json.loads(body.decode("utf-8"))

    # ---- JSON-RPC -------------------------------------------------------
    def request_message(self, method, params):
        self.next_id += 1
        return {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}

    def wait_reply(self, id):
        """The reply with this id; notifications met on the way are kept."""
        while True:
            m = self.read_message()
            if "method" in m and "id" not in m:
                self.notifications.append(m)
                continue
            if m.get("id") != id:
                raise LspError("expected the reply to %r, got %r" % (id, m))
            return m

    def call(self, method, params=None):
        """Send a request and return its whole reply (result or error)."""
        m = self.request_message(method, params)
        self.send(m)
        return self.wait_reply(m["id"])

    def request(self, method, params=None):
        reply = self.call(method, params)
        if "error" in reply:
            raise LspError("%s failed: %r" % (method, reply["error"]))
        return reply["result"]

    def notify(self, method, params=None):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_notification(self, method, uri=None):
        for i, m in enumerate(self.notifications):
            if m["method"] == method and (uri is None or m["params"].get("uri") == uri):
                return self.notifications.pop(i)
        while True:
            m = self.read_message()
            if m.get("method") == method and (uri is None or m["params"].get("uri") == uri):
                return m
            if "id" in m:
                raise LspError("unexpected reply %r while waiting for %s" % (m, method))
            self.notifications.append(m)

    def diagnostics(self, uri):
        return self.wait_notification("textDocument/publishDiagnostics", uri)["params"]

    def close(self):
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        return self.proc.wait(timeout=self.timeout)
