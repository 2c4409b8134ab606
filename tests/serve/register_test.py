"""register_test.py SVP WORKDIR - the register's promises: concurrent saves
all land; an acknowledged save survives kill -9 at any moment; a database
of another shape or a newer schema is refused with a message and left
byte for byte as it was."""
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

from harness import POLICY, Checks, Server, fresh_db

svp, work = sys.argv[1], sys.argv[2]
t = Checks("serve register")


def record(ref, n):
    return {"id": ref, "title": "Load test %d" % n, "stage": "planning", "category": "goods", "value": "%d.00" % (1000 + n)}


# ---- concurrent saves: 8 clients at once, then a count ----------------------------
db = fresh_db(work, "load.sqlite")
s = Server(svp, db).start()
CLIENTS, SAVES = 8, 40
acks, errors = [], []
lock = threading.Lock()


def client(c):
    for n in range(SAVES):
        ref = "LOAD-%d" % (n % 5) if c % 2 else "LOAD-C%d-%d" % (c, n)  # some clients share five records
        try:
            status, body = s.json("POST", "/api/records", record(ref, n))
        except Exception as e:  # noqa: BLE001 - a refused connection is a failure to report
            status, body = 0, str(e)
        with lock:
            (acks if status == 201 else errors).append((ref, body.get("revision") if status == 201 else body))


threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
started = time.time()
for th in threads:
    th.start()
for th in threads:
    th.join()
t.equal(errors, [], "every concurrent save is acknowledged")
t.equal(len(acks), CLIENTS * SAVES, "as many acknowledgements as saves")
s.stop()
con = sqlite3.connect(db)
t.equal(con.execute("SELECT count(*) FROM revisions").fetchone()[0], CLIENTS * SAVES, "every save is a revision")
t.equal(con.execute("SELECT count(*) FROM decision_log").fetchone()[0], CLIENTS * SAVES, "every save is in the log")
gaps = con.execute("SELECT record_id FROM revisions GROUP BY record_id HAVING max(revision) != count(*)").fetchall()
t.equal(gaps, [], "each record's revisions run 1, 2, 3... without a gap or a repeat")
shared = con.execute("SELECT max(revision) FROM revisions WHERE record_id = 'LOAD-0'").fetchone()[0]
t.equal(shared, CLIENTS // 2 * SAVES // 5, "saves of one record from several clients all become revisions")
t.equal(sorted(acks), sorted(con.execute("SELECT record_id, revision FROM revisions").fetchall()),
        "every acknowledged (record, revision) is in the register")
t.equal(con.execute("PRAGMA journal_mode").fetchone()[0], "wal", "the register uses write-ahead logging")
con.close()
print("serve register: %d concurrent saves in %.1f s" % (CLIENTS * SAVES, time.time() - started))

# ---- kill -9 during saves: every acknowledged save is there ------------------------------
db = fresh_db(work, "crash.sqlite")
acked = []
for round_ in range(3):
    s = Server(svp, db).start()
    stop = threading.Event()

    def saver(c):
        n = 0
        while not stop.is_set():
            try:
                status, body = s.json("POST", "/api/records", record("CRASH-%d-%d" % (round_, c), n))
            except Exception:  # noqa: BLE001 - the server was killed mid-request
                return
            if status == 201:
                acked.append((body["id"], body["revision"]))
            n += 1

    savers = [threading.Thread(target=saver, args=(c,)) for c in range(4)]
    for th in savers:
        th.start()
    time.sleep(0.6 + 0.3 * round_)
    s.proc.send_signal(signal.SIGKILL)  # at whatever moment the saves are at
    s.proc.wait()
    stop.set()
    for th in savers:
        th.join()
    con = sqlite3.connect(db)
    t.equal(con.execute("PRAGMA integrity_check").fetchone()[0], "ok", "integrity after kill -9 (round %d)" % round_)
    present = set(con.execute("SELECT record_id, revision FROM revisions").fetchall())
    missing = [a for a in acked if a not in present]
    t.equal(missing, [], "every acknowledged save survives kill -9 (round %d, %d acknowledged)" % (round_, len(acked)))
    con.close()
t.check(len(acked) > 20, "the crash test saved something to lose", len(acked))
s = Server(svp, db).start()
t.equal(s.json("GET", "/api/records/CRASH-0-0")[0], 200, "the server starts again on the register it was killed over")
s.stop()


# ---- databases that are not our register: refused, never changed --------------------------------
def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def refused(path, words, what):
    before = digest(path)
    r = subprocess.run([svp, "serve", POLICY, "--db", path, "--listen", "127.0.0.1:0"], capture_output=True, text=True,
                       timeout=10)
    t.equal(r.returncode, 2, what + ": refused")
    t.check(all(w in r.stderr for w in words), what + ": says why", r.stderr)
    t.equal(digest(path), before, what + ": the file is unchanged")
    t.check(not os.path.exists(path + "-wal") or os.path.getsize(path + "-wal") == 0, what + ": nothing written beside it")


path = fresh_db(work, "text.sqlite")
with open(path, "w") as f:
    f.write("this is a spreadsheet, not a database\n" * 200)
refused(path, ["not", "SQLite", "left unchanged"], "a file that is not a database")

path = fresh_db(work, "other.sqlite")
con = sqlite3.connect(path)
con.execute("CREATE TABLE invoices (n INTEGER)")
con.execute("INSERT INTO invoices VALUES (1)")
con.commit()
con.close()
refused(path, ["not an svp register", "left unchanged"], "another application's database")

path = fresh_db(work, "newer.sqlite")
s = Server(svp, path).start()
s.json("POST", "/api/records", record("NEWER-1", 1))
s.stop()
con = sqlite3.connect(path)
con.execute("PRAGMA user_version = 2")
con.commit()
con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
con.close()
refused(path, ["schema version 2", "newer", "left unchanged"], "a register of a newer schema")

path = fresh_db(work, "shape.sqlite")
s = Server(svp, path).start()
s.stop()
con = sqlite3.connect(path)
con.execute("ALTER TABLE revisions ADD COLUMN colour TEXT")
con.commit()
con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
con.close()
refused(path, ["tables are not the expected ones", "left unchanged"], "a register whose tables were changed")
t.done()
