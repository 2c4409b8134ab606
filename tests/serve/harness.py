"""harness.py - what the tests of `svp serve` share: a real server on a
free loopback port (the system picks it: --listen 127.0.0.1:0), requests
to it, and a count of checks passed and failed."""
import hashlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
POLICY = os.path.join(ROOT, "policies", "nelc-social-value.svp")


class Checks:
    """Counts checks; a failed one is printed with what was expected."""

    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s: %s%s" % (self.name, what, (": " + str(detail)[:600]) if detail != "" else ""))
        return ok

    def equal(self, got, want, what):
        return self.check(got == want, what, "expected %r, got %r" % (want, got))

    def done(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


class Server:
    """svp serve POLICY --db DB --listen 127.0.0.1:0, its address read from
    the line it prints."""

    def __init__(self, svp, db, policies=(POLICY,), extra=()):
        self.svp, self.db, self.policies, self.extra = svp, db, list(policies), list(extra)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([self.svp, "serve", *self.policies, *self.extra, "--db", self.db,
                                      "--listen", "127.0.0.1:0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("svp serve: http://"):
            err = self.proc.stderr.read()
            self.proc.wait()
            raise RuntimeError("the server did not start: %r %r" % (line, err))
        url = line.split()[2]
        self.host = url[len("http://"):].rstrip("/")
        self.port = int(self.host.rsplit(":", 1)[1])
        self.origin = "http://" + self.host
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=10)
        if self.proc.returncode != 0 and sig == signal.SIGTERM:
            # A sanitizer's report, or why the server failed, for the log.
            print("svp serve exited %d:\n%s" % (self.proc.returncode, self.proc.stderr.read()[-4000:]))
        return self.proc.returncode

    def request(self, method, path, body=None, headers=None, content_type="application/json", origin=True):
        """(status, headers dict with lower-case names, body text)."""
        h = {}
        if body is not None and content_type:
            h["Content-Type"] = content_type
        if origin and method != "GET":
            h["Origin"] = self.origin
        h.update(headers or {})
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        c.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=h)
        r = c.getresponse()
        text = r.read().decode("utf-8", "replace")
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, hdrs, text

    def json(self, method, path, body=None, **kw):
        status, _, text = self.request(method, path, body, **kw)
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text


def fresh_db(work, name):
    """A path in work for a register, with nothing left there from before."""
    path = os.path.join(work, name)
    for p in (path, path + "-wal", path + "-shm"):
        if os.path.exists(p):
            os.remove(p)
    return path


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def svp_eval_json(svp, record_text, *flags):
    """What `svp eval POLICY - --format json` prints for one record."""
    return subprocess.run([svp, "eval", *flags, POLICY, "-", "--format", "json"], input=record_text,
                          capture_output=True, text=True).stdout


def wait_until(pred, seconds=5):
    end = time.time() + seconds
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    return pred()
