#!/usr/bin/env bash
# run.sh - the PostgreSQL extension (postgres/) in a real server.
#
#   bash tests/postgres/run.sh [build/svp]
#
# The extension must be installed into the server pg_config names first
# (`make pgtest` does both, as root).  The script starts a throwaway cluster
# in a temporary folder, on a unix socket there and no TCP, as an
# unprivileged user (nobody, when run as root: PostgreSQL refuses to run as
# root), and checks:
#   - svp_eval_text / svp_eval / svp_compliant against `svp eval` on the very
#     text of each record (the jsonb's own text): byte for byte, as jsonb, and
#     the verdict; the example records (invalid ones included: a result, not
#     an error) and the example register;
#   - a record given as text is read as written (a duplicate key is refused,
#     text that is not JSON is an invalid result);
#   - a policy that does not compile is an SQL error with svp check's first
#     error and the rendered diagnostics; svp_check gives them as rows;
#   - a parallel plan (EXPLAIN shows a Gather, workers launched) over 100,000
#     rows, with the same counts as svp eval;
#   - 8 concurrent sessions over 20 policies (more than the per-backend cache
#     holds), with no crash and the right answers.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" postgres "$@"

bindir=$(pg_config --bindir) || { echo "postgres: pg_config not found"; exit 2; }
policy=policies/nelc-social-value.svp

# PostgreSQL will not run as root: run it (and its clients) as nobody then.
chmod 755 "$tmp"
if [ "$(id -u)" -eq 0 ]; then
    chown nobody "$tmp"
    as_db() { runuser -u nobody -- "$@"; }
else
    as_db() { "$@"; }
fi
data=$tmp/data
as_db "$bindir/initdb" -D "$data" -U svp --auth=trust --no-sync -E UTF8 --locale=C >"$tmp/initdb.log" 2>&1 \
    || { cat "$tmp/initdb.log"; echo "postgres: initdb failed"; exit 2; }
as_db "$bindir/pg_ctl" -D "$data" -l "$tmp/server.log" -w -o "-k $tmp -c listen_addresses= -c fsync=off" start >/dev/null \
    || { cat "$tmp/server.log"; echo "postgres: the server did not start"; exit 2; }
# Stop the server however the script ends, then remove the folder.
trap 'as_db "$bindir/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1; rm -rf "$tmp"' EXIT

# sql: run psql as the database user over the socket, quietly, unaligned,
# stopping at the first error; extra arguments are psql's.
sql() { as_db "$bindir/psql" -h "$tmp" -U svp -d postgres -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }

# ---- the records: examples (one per file) and the register (one per line) ---
cp "$policy" "$tmp/policy.svp"
: >"$tmp/records.tsv"
for f in examples/records/*.json; do
    name=$(basename "$f" .json)
    jq -c . "$f" >/dev/null 2>&1 || continue          # not JSON: not a jsonb either
    printf '%s\t%s\n' "$name" "$(jq -c . "$f" | sed 's/\\/\\\\/g')" >>"$tmp/records.tsv"
done
n=0
while IFS= read -r line; do
    n=$((n + 1))
    [ -n "${line//[[:space:]]/}" ] && jq -e . >/dev/null 2>&1 <<<"$line" || continue   # blank, or not JSON
    printf 'register-%02d\t%s\n' "$n" "$(sed 's/\\/\\\\/g' <<<"$line")" >>"$tmp/records.tsv"
done <examples/register.jsonl
chmod 644 "$tmp/policy.svp" "$tmp/records.tsv"

if ! sql >"$tmp/setup.out" 2>&1 <<EOF
CREATE EXTENSION svp;
CREATE TABLE records (name text PRIMARY KEY, doc jsonb NOT NULL);
\copy records FROM '$tmp/records.tsv'
\set policy \`cat $tmp/policy.svp\`
CREATE TABLE policies (policy_name text PRIMARY KEY, body text NOT NULL);
INSERT INTO policies VALUES ('nelc', :'policy');
EOF
then
    cat "$tmp/setup.out"; echo "postgres: setting up the database failed"; exit 1
fi
pass

# ---- the same results as svp eval, on the jsonb's own text -------------------
sql -F $'\t' -c "SELECT name, doc::text FROM records ORDER BY name" >"$tmp/texts.tsv"
same "records loaded" "$(wc -l <"$tmp/texts.tsv")" "$(wc -l <"$tmp/records.tsv")"
: >"$tmp/expected.tsv"
while IFS=$'\t' read -r name text; do
    out=$(printf '%s\n' "$text" | "$svp" eval "$policy" - --format json 2>/dev/null)
    printf '%s\t%s\n' "$name" "$(sed 's/\\/\\\\/g' <<<"$out")" >>"$tmp/expected.tsv"
done <"$tmp/texts.tsv"
chmod 644 "$tmp/expected.tsv"
sql >"$tmp/compare.out" 2>&1 <<EOF
CREATE TABLE expected (name text PRIMARY KEY, line text NOT NULL);
\copy expected FROM '$tmp/expected.tsv'
SELECT 'text differs: ' || name || E'\n  sql: ' || svp_eval_text(p.body, doc) || E'\n  cli: ' || e.line
  FROM records JOIN expected e USING (name), policies p
 WHERE svp_eval_text(p.body, doc) IS DISTINCT FROM e.line;
SELECT 'jsonb differs: ' || name FROM records JOIN expected e USING (name), policies p
 WHERE svp_eval(p.body, doc)::text IS DISTINCT FROM e.line::jsonb::text;
SELECT 'verdict differs: ' || name FROM records JOIN expected e USING (name), policies p
 WHERE svp_compliant(p.body, doc) IS DISTINCT FROM coalesce(e.line::jsonb->>'compliant' = 'true', false);
SELECT 'compared ' || count(*) || ', invalid ' || count(*) FILTER (WHERE svp_eval(p.body, doc) ? 'error')
       || ', compliant ' || count(*) FILTER (WHERE svp_compliant(p.body, doc))
  FROM records, policies p;
EOF
compared=$(grep '^compared' "$tmp/compare.out")
if grep -v '^compared' "$tmp/compare.out" | grep -q .; then
    fail "svp_eval differs from svp eval:"; cat "$tmp/compare.out"
else
    pass
fi
same "records compared" "$compared" "compared $(wc -l <"$tmp/expected.tsv"), invalid $(grep -c '"error":' "$tmp/expected.tsv"), compliant $(grep -c '"compliant":true' "$tmp/expected.tsv")"

# ---- json: the text exactly as written -----------------------------------
dup='{"id":"DUP-1","stage":"planning","stage":"tender"}'
want=$(printf '%s\n' "$dup" | "$svp" eval "$policy" - --format json 2>/dev/null)
got=$(sql -c "SELECT svp_eval_text(body, '$dup') FROM policies")
same "a text record keeps a duplicate key (refused)" "$got" "$want"
same "the duplicate key is the error" "$(jq -r .error.message <<<"$got" | grep -c 'twice\|duplicate')" 1
got=$(sql -c "SELECT svp_compliant(body, '$dup') FROM policies")
same "an invalid text record is not compliant" "$got" f
notjson='{"id": "NJ-1", "stage": '
want=$(printf '%s\n' "$notjson" | "$svp" eval "$policy" - --format json 2>/dev/null)
got=$(sql -c "SELECT svp_eval_text(body, '$notjson') FROM policies")
same "text that is not JSON is a result" "$got" "$want"

# ---- a policy that does not compile ---------------------------------------
sed '0,/value > sv_threshold/s//value > sv_treshold/' "$policy" >"$tmp/broken.svp"
chmod 644 "$tmp/broken.svp"
"$svp" check "$tmp/broken.svp" >"$tmp/check.out" 2>&1
first=$(grep -m1 ': error: ' "$tmp/check.out" | sed "s|^$tmp/broken.svp:||; s/: error: /: /")
errors=$(grep -c ': error: ' "$tmp/check.out")
sql >"$tmp/error.out" 2>&1 <<EOF
\set broken \`cat $tmp/broken.svp\`
SELECT svp_eval(:'broken', doc) FROM records;
EOF
same "a policy error is an SQL error" "$?" 3
grep -qF "ERROR:  svp: the policy does not compile: $first" "$tmp/error.out" && pass \
    || fail "the error message should name $first: $(cat "$tmp/error.out")"
grep -qF "DETAIL:  policy:${first%%: *}: error: " "$tmp/error.out" && pass \
    || fail "the error detail should hold the rendered diagnostic: $(cat "$tmp/error.out")"
got=$(sql <<EOF
\set broken \`cat $tmp/broken.svp\`
SELECT count(*) FILTER (WHERE severity = 'error') || ' ' || min(line || ':' || "column" || ': ' || message)
  FILTER (WHERE severity = 'error' AND line || ':' || "column" = '${first%%: *}')
  FROM svp_check(:'broken');
EOF
)
same "svp_check rows" "$got" "$errors $first"
same "svp_check of the council's policy: no errors" \
    "$(sql -c "SELECT count(*) FROM policies, svp_check(body) WHERE severity = 'error'")" 0

# ---- a parallel plan over 100,000 rows -------------------------------------
sql >"$tmp/parallel.out" 2>&1 <<EOF
CREATE TABLE register AS
  SELECT i, (SELECT doc FROM records WHERE name = 'register-' || to_char(i % 21 + 1, 'FM00')) AS doc
  FROM generate_series(1, 100000) i;
ANALYZE register;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
\set policy \`cat $tmp/policy.svp\`
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
  SELECT count(*) FROM register WHERE svp_compliant(:'policy', doc);
SELECT 'compliant ' || count(*) FROM register WHERE svp_compliant(:'policy', doc);
EOF
grep -q 'Gather' "$tmp/parallel.out" && pass || fail "no Gather in the plan: $(cat "$tmp/parallel.out")"
launched=$(sed -n 's/.*Workers Launched: \([0-9]*\).*/\1/p' "$tmp/parallel.out" | head -1)
[ "${launched:-0}" -ge 1 ] && pass || fail "no parallel worker launched: $(cat "$tmp/parallel.out")"
# What svp eval makes of the same 100,000 records.
want=$(sql -c "COPY (SELECT doc::text FROM register ORDER BY i) TO STDOUT" \
       | "$svp" eval "$policy" - --format json 2>/dev/null | grep -c '"compliant":true')
same "parallel count" "$(grep '^compliant' "$tmp/parallel.out")" "compliant $want"

# ---- many concurrent sessions, more policies than a backend caches ---------
# Policy k is the council's with a comment naming k: 20 texts, 20 compilations
# per session, against a cache of 16.
for c in 1 2 3 4 5 6 7 8; do
    {
        echo "\\set policy \`cat $tmp/policy.svp\`"
        for round in 1 2; do
            for k in $(seq 1 20); do
                echo "SELECT 'session $c policy $k ' || count(*) FILTER (WHERE svp_compliant(:'policy' || E'\\n# copy $k $round', doc))"
                echo "  || ' ' || count(*) FILTER (WHERE svp_eval(:'policy' || E'\\n# copy $k $round', doc) ? 'error') FROM records;"
            done
        done
    } >"$tmp/session-$c.sql"
    chmod 644 "$tmp/session-$c.sql"
    sql -f "$tmp/session-$c.sql" >"$tmp/session-$c.out" 2>&1 &
done
wait
compliant=$(grep -c '"compliant":true' "$tmp/expected.tsv")
invalid=$(grep -c '"error":' "$tmp/expected.tsv")
bad=0
for c in 1 2 3 4 5 6 7 8; do
    lines=$(grep -c "^session $c policy [0-9]* $compliant $invalid$" "$tmp/session-$c.out")
    [ "$lines" = 40 ] || { bad=1; echo "session $c:"; head -5 "$tmp/session-$c.out"; }
done
[ $bad = 0 ] && pass || fail "concurrent sessions gave wrong answers"
same "server alive after the sessions" "$(sql -c 'SELECT 1')" 1
if grep -E 'terminated by signal|server process .* was terminated|PANIC' "$tmp/server.log"; then
    fail "the server log shows a crash"
else
    pass
fi

summary
