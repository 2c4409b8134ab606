"""api_test.py SVP WORKDIR - the JSON API of `svp serve` over a real server:
every endpoint, bad requests, the Origin and Host checks, the content type,
the size limit, escaping, the register across a restart."""
import csv
import glob
import io
import json
import os
import subprocess
import sys

from harness import POLICY, ROOT, Checks, Server, fresh_db, sha256_file, svp_eval_json

svp, work = sys.argv[1], sys.argv[2]
t = Checks("serve api")
db = fresh_db(work, "api.sqlite")
s = Server(svp, db).start()

# ---- the page and the form description -------------------------------------
status, h, body = s.request("GET", "/")
t.equal(status, 200, "GET / answers")
t.check("default-src 'none'" in h.get("content-security-policy", ""), "every response has a Content-Security-Policy", h)
t.equal(h.get("x-content-type-options"), "nosniff", "nosniff")
t.check('<script src="/app.js"' in body and "<script>" not in body, "the page loads its script from itself, none inline")
for asset in ("/app.js", "/style.css"):
    t.equal(s.request("GET", asset)[0], 200, "GET " + asset)
status, form = s.json("GET", "/api/form")
t.equal(status, 200, "GET /api/form")
fields = {f["path"]: f for f in form["fields"]}
declared = subprocess.run(["awk", "/^record procurement/{r=1;next} r&&/^  [a-z]/{print $1} r&&/^$/{exit}", POLICY],
                          capture_output=True, text=True).stdout.split()
t.equal(sorted(fields), sorted(declared), "the form describes every field the policy declares, and no other")
t.equal(fields["value"]["type"], "money", "value is money")
t.equal(fields["value"]["label"], "Estimated value (excluding VAT)", "a field's label comes from the policy")
t.equal(fields["stage"]["values"], ["planning", "tender", "award", "delivery"], "an enumeration's values, in order")
t.equal(fields["dates.publication"]["required_from"], "tender", "required from a stage")
t.equal(fields["social_value.outcomes"]["list"], True, "a list of an enumeration")
t.equal([m["path"] for m in fields["social_value.measures"]["members"]], ["id", "target", "unit"], "an object's members")
t.equal(form["stage_field"], "stage", "the stage field")
t.equal(form["versions"][0]["sha256"], sha256_file(POLICY), "the policy's SHA-256")
t.check(any(d["name"] == "sv_responsibility" and d["title"] for d in form["decisions"]), "decisions come with titles")

# ---- POST /api/evaluate: exactly what `svp eval --format json` prints ----------
for path in sorted(glob.glob(os.path.join(ROOT, "examples", "records", "*.json"))):
    text = open(path, encoding="utf-8").read()
    status, h, body = s.request("POST", "/api/evaluate", text)
    t.equal(status, 200, "evaluate " + os.path.basename(path))
    t.equal(body, svp_eval_json(svp, text, "--partial"), "evaluate gives svp eval --partial's line for " + os.path.basename(path))
    t.check(h.get("content-type", "").startswith("application/json"), "a JSON answer")

# an officer's record at tender, not complete yet: what is missing, which rules wait
partial = {"id": "P-1", "title": "Library roof", "stage": "tender", "category": "works", "value": "£145,000",
           "weighting": {"price": "60%"}}
status, r = s.json("POST", "/api/evaluate", partial)
t.equal(r.get("compliant", "absent"), None, "an incomplete record: compliant is null")
t.check({"dates.publication", "weighting.quality", "weighting.social_value"} <= set(r.get("missing", [])),
        "the fields still missing", r)
t.check(any(u["rule"] == "sv-weighting" and "weighting.social_value" in u["needs"] for u in r.get("undecided", [])),
        "the rules that wait for them", r)
t.equal(r.get("decisions", {}).get("sv_responsibility"), "Leadership Team", "£145,000 as typed is decided on")

# ---- bad requests ------------------------------------------------------------------
rec = json.load(open(os.path.join(ROOT, "examples", "records", "fires-sv-weighting.json")))
status, _, body = s.request("POST", "/api/evaluate", json.dumps(rec), content_type="text/plain")
t.equal(status, 415, "a write that is not application/json is refused")
t.check("application/json" in body, "and says what to send", body)
status, _, _ = s.request("POST", "/api/evaluate", json.dumps(rec), content_type=None)
t.equal(status, 415, "a write without a content type is refused")
status, _, body = s.request("POST", "/api/records", rec, headers={"Origin": "http://evil.example"})
t.equal(status, 403, "a write from another Origin is refused")
t.check("Origin" in body, "and says why", body)
status, _, _ = s.request("POST", "/api/records", rec, headers={"Origin": "null"})
t.equal(status, 403, "Origin: null is refused")
status, _, _ = s.request("POST", "/api/records", rec, headers={"Origin": "http://127.0.0.1:1"})
t.equal(status, 403, "another port is another origin")
status, _, _ = s.request("GET", "/api/records", headers={"Host": "evil.example:%d" % s.port})
t.equal(status, 403, "a request for another host name is refused (DNS rebinding)")
status, _, _ = s.request("GET", "/api/form", headers={"Host": "localhost:%d" % s.port})
t.equal(status, 200, "localhost is our own name")
status, _, body = s.request("POST", "/api/evaluate", "")
t.equal(status, 400, "an empty evaluation request is a 400")
t.check("no body" in body, "with a message", body)
status, _, body = s.request("POST", "/api/records", "{\"id\": broken")
t.equal(status, 400, "saving text that is not JSON is a 400")
t.check("JSON object" in json.loads(body)["error"], "with a message", body)
status, _, body = s.request("POST", "/api/records", "[1, 2]")
t.equal(status, 400, "saving a list is a 400")
status, _, body = s.request("POST", "/api/records", {"title": "no reference"})
t.equal(status, 400, "saving a record without its reference is a 400")
t.check("reference" in body, "saying the reference is missing", body)
big = "{\"id\":\"X\",\"title\":\"" + "a" * (16 * 1024 * 1024) + "\"}"
status, _, body = s.request("POST", "/api/evaluate", big)
t.equal(status, 413, "a body over the limit is refused")
t.check("16777216" in body, "saying the limit", body)
t.equal(s.request("GET", "/api/nothing")[0], 404, "an unknown endpoint is a 404")
t.equal(s.request("DELETE", "/api/records", "{}")[0], 405, "a method an endpoint does not take is a 405")
t.equal(s.request("GET", "/api/evaluate")[0], 405, "GET /api/evaluate is a 405")
t.equal(s.request("GET", "/no-such-page")[0], 404, "an unknown page is a 404")
status, _, _ = s.request("POST", "/", "{}")
t.equal(status, 405, "only the API takes writes")

# ---- the register -----------------------------------------------------------------
status, saved = s.json("POST", "/api/records", rec)
t.equal(status, 201, "a save is acknowledged with 201")
t.equal((saved["id"], saved["revision"], saved["verdict"]), ("NELC-2025-0111", 1, "non-compliant"), "id, revision, verdict")
rec2 = dict(rec, weighting={"price": 60, "quality": 30, "social_value": 10})
status, saved2 = s.json("POST", "/api/records", rec2)
t.equal((status, saved2["revision"], saved2["verdict"]), (201, 2, "compliant"), "a second save is revision 2")
xss = {"id": "NELC-XSS-1", "title": "<script>alert(1)</script>", "stage": "planning", "category": "goods",
       "value": "5000.00"}
status, saved3 = s.json("POST", "/api/records", xss)
t.equal(status, 201, "a record with markup in its title saves")
status, h, body = s.request("GET", "/api/records")
listed = json.loads(body)
t.equal([r["id"] for r in listed], ["NELC-XSS-1", "NELC-2025-0111"] if listed[0]["saved_at"] > listed[1]["saved_at"]
        else sorted(r["id"] for r in listed), "the register lists the latest revision of each record")
by_id = {r["id"]: r for r in listed}
t.equal(by_id["NELC-2025-0111"]["revision"], 2, "the latest revision")
t.equal(by_id["NELC-XSS-1"]["record"]["title"], "<script>alert(1)</script>", "markup comes back as the text it was")
t.check("<script>" in body and h["content-type"].startswith("application/json"), "as JSON, never as HTML", h)


def ids(query):
    return sorted(r["id"] for r in s.json("GET", "/api/records" + query)[1])


t.equal(ids("?stage=tender"), ["NELC-2025-0111"], "filter by stage")
t.equal(ids("?stage=award"), [], "filter by a stage nothing is at")
t.equal(ids("?verdict=compliant"), ["NELC-2025-0111", "NELC-XSS-1"], "filter by verdict")
t.equal(ids("?verdict=non-compliant"), [], "the latest revision's verdict counts")
t.equal(ids("?decision=sv_responsibility&value=Cabinet"), ["NELC-2025-0111"], "filter by a decision (responsibility)")
t.equal(ids("?decision=sv_responsibility&value=Commissioning%20officer"), ["NELC-XSS-1"], "another responsibility")
t.equal(ids("?q=resurfacing"), ["NELC-2025-0111"], "search the title, any case")
t.equal(ids("?q=XSS-1"), ["NELC-XSS-1"], "search the reference")
t.equal(ids("?q=no-such-words"), [], "a search that finds nothing")
t.equal(s.request("GET", "/api/records?decision=x%27%20or%201")[0], 400, "a decision name that is not a name is a 400")

status, one = s.json("GET", "/api/records/NELC-2025-0111")
t.equal(status, 200, "GET /api/records/{id}")
t.equal([r["revision"] for r in one["revisions"]], [1, 2], "every revision is kept")
t.equal(one["revisions"][0]["record"]["weighting"]["social_value"], 5, "revision 1 as it was saved")
log = one["decision_log"]
t.equal(len(log), 2, "a decision-log entry per save")
t.equal([e["verdict"] for e in log], ["non-compliant", "compliant"], "each with the verdict shown")
t.equal(log[0]["policy"], {"name": "NELC Social Value Policy", "version": "2020.1", "sha256": sha256_file(POLICY)},
        "the policy's name, version and the SHA-256 of its text")
t.check(log[0]["time"].endswith("Z") and log[0]["time"] <= log[1]["time"], "the time of each decision", log[0]["time"])
t.equal(log[0]["result"]["findings"][0]["rule"], "sv-weighting", "the result kept")
t.equal(log[0]["record"]["id"], "NELC-2025-0111", "the record kept")
t.equal(s.request("GET", "/api/records/NO-SUCH")[0], 404, "an unknown record is a 404")
status, one = s.json("GET", "/api/records/NELC%2DXSS%2D1")
t.equal(status, 200, "a reference written with %-escapes")

# ---- export, import, portfolio ----------------------------------------------------------
status, h, body = s.request("GET", "/api/export.jsonl")
lines = body.splitlines()
t.equal((status, len(lines)), (200, 2), "export: a line per record")
t.equal(json.loads(lines[-1]) if json.loads(lines[-1])["id"] == "NELC-2025-0111" else json.loads(lines[0]), rec2,
        "export: the latest revision as saved")
status, h, body = s.request("GET", "/api/export.csv")
rows = list(csv.reader(io.StringIO(body)))
t.equal(status, 200, "export CSV")
t.check(h["content-type"].startswith("text/csv"), "as text/csv", h)
t.equal(rows[0][:5], ["id", "revision", "saved_at", "verdict", "id"], "CSV header: the register's columns, then the fields")
t.check("sv_responsibility" in rows[0] and "weighting.social_value" in rows[0], "a column per field and decision", rows[0])
t.equal(len(rows), 3, "CSV: a row per record")
xrow = [r for r in rows if r[0] == "NELC-XSS-1"][0]
t.equal(xrow[rows[0].index("title")], "<script>alert(1)</script>", "CSV keeps the text as text")

register = open(os.path.join(ROOT, "examples", "register.jsonl"), encoding="utf-8").read()
status, body = s.json("POST", "/api/import", register)
t.equal(status, 400, "importing a register with a line that is not JSON is refused")
t.check("line 19" in body["error"] and "nothing was imported" in body["error"], "naming the line", body)
t.equal(len(s.json("GET", "/api/records")[1]), 2, "and nothing of it is saved")
good = "\n".join(l for i, l in enumerate(register.splitlines()) if i != 18) + "\n"
status, body = s.json("POST", "/api/import", good)
t.equal((status, body.get("imported")), (201, 19), "importing JSON Lines saves every record in one go (blank lines skipped)")
status, body = s.json("POST", "/api/import", "\n\n")
t.equal(status, 400, "an empty import is a 400")
status, listed = s.json("GET", "/api/records")
t.equal(len(listed), 21, "the register after the import")
status, h, exported = s.request("GET", "/api/export.jsonl")
expected = subprocess.run([svp, "portfolio", POLICY, "-", "--format", "json"], input=exported, capture_output=True,
                          text=True).stdout
status, h, body = s.request("GET", "/api/portfolio")
t.equal((status, body), (200, expected), "the portfolio over the register is svp portfolio's over the export")

# ---- restart: the register is still there ---------------------------------------------------------
t.equal(s.stop(), 0, "the server stops cleanly on SIGTERM")
s = Server(svp, db).start()
t.equal(len(s.json("GET", "/api/records")[1]), 21, "after a restart the register holds every record")
t.equal(len(s.json("GET", "/api/records/NELC-2025-0111")[1]["revisions"]), 2, "and every revision")
s.stop()

# ---- versions: each record under the version in force on its date ------------------------
v2021 = os.path.join(ROOT, "examples", "review", "nelc-social-value-2021.svp")
s = Server(svp, fresh_db(work, "versions.sqlite"), policies=(POLICY, v2021)).start()
t.equal([v["version"] for v in s.json("GET", "/api/form")[1]["versions"]], ["2020.1", "2021.1"], "the versions given")
old = dict(rec, id="V-2020", dates={"engagement": "2020-05-01", "publication": "2020-06-01"})
for record_, version, path in ((old, "2020.1", POLICY), (rec, "2021.1", v2021)):
    status, saved = s.json("POST", "/api/records", record_)
    t.equal(saved["result"]["policy"]["version"], version, "evaluated under the version in force: " + version)
    entry = s.json("GET", "/api/records/" + record_["id"])[1]["decision_log"][0]
    t.equal((entry["policy"]["version"], entry["policy"]["sha256"]), (version, sha256_file(path)),
            "the log names that version and the SHA-256 of its own text")
status, saved_p = s.json("POST", "/api/records", partial)
t.equal((status, saved_p.get("verdict")), (201, "incomplete"), "an incomplete record saves as incomplete")
t.equal(sorted(x["id"] for x in s.json("GET", "/api/records?verdict=incomplete")[1]), ["P-1"], "filter by incomplete")
r = subprocess.run([svp, "serve", POLICY, "--db", fresh_db(work, "in-use.sqlite"), "--listen", s.host],
                   capture_output=True, text=True, timeout=10)
t.check(r.returncode == 2 and "cannot listen" in r.stderr, "an address in use: exit 2 and a message", r.stderr)
s.stop()

# ---- import through a mapping (--import): a CSV register, OCDS notices ----------------------
maps = [os.path.join(ROOT, "policies", "import", m) for m in ("transparency-register.svp", "ocds.svp")]
s = Server(svp, fresh_db(work, "mapped.sqlite"), extra=["--import", maps[0], "--import", maps[1]]).start()
t.equal(s.json("GET", "/api/form")[1]["mappings"], ["transparency-register", "ocds"], "the form names the mappings")
for mapping, source, ctype in ((maps[0], os.path.join(ROOT, "examples", "import", "register.csv"), "text/csv"),
                               (maps[1], os.path.join(ROOT, "..", "shared", "data", "contracts-finder-2025",
                                                      "releases.jsonl"), "application/json")):
    if not os.path.exists(source):
        continue
    name = os.path.basename(mapping)[:-4]
    want = subprocess.run([svp, "import", mapping, source], capture_output=True, text=True).stdout.splitlines()
    status, body = s.json("POST", "/api/import?mapping=" + name, open(source, "rb").read(), content_type=ctype)
    t.equal((status, body.get("imported") if isinstance(body, dict) else body), (201, len(want)),
            "import through " + name + ": every record svp import writes")
    t.equal(sorted(r["id"] for r in body["records"]), sorted(json.loads(l)["id"] for l in want), name + ": the same records")
status, body = s.json("POST", "/api/import?mapping=nothing", "{}")
t.equal(status, 400, "an unknown mapping is a 400")
status, body = s.json("POST", "/api/import?mapping=ocds", "not json at all")
t.equal(status, 400, "an upload the mapping cannot read is a 400")
t.equal(s.request("POST", "/api/import", "a,b", content_type="text/csv")[0], 415, "CSV only for an import mapping")
s.stop()

# ---- the command line --------------------------------------------------------------------------------
r = subprocess.run([svp, "serve"], capture_output=True, text=True)
t.equal(r.returncode, 2, "serve without a policy is a usage error")
r = subprocess.run([svp, "serve", POLICY, "--listen", "nowhere"], capture_output=True, text=True)
t.check(r.returncode == 2 and "ADDRESS:PORT" in r.stderr, "a bad --listen is a usage error", r.stderr)
r = subprocess.run([svp, "serve", os.path.join(work, "missing.svp"), "--db", db], capture_output=True, text=True)
t.equal(r.returncode, 2, "a policy that cannot be read stops the command")
t.done()
