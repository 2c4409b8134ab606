#!/usr/bin/env bash
# run.sh - the svp command with the files and outputs it really meets
# (issue 9): write errors, special files, folders, unreadable inputs,
# `svp fmt -w` on links and read-only files, terminal escapes.
#
#   tests/cli/run.sh [SVP]
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" cli "$@"
policy=policies/nelc-social-value.svp
register=examples/register.jsonl

# Defect 4: every command that writes reports a failed write and exits 2.
for cmd in "check $policy" "fmt $policy" "eval $policy $register" "eval $policy $register --format text" \
           "portfolio $policy $register" "test policies/nelc-social-value.tests.json" "diff $policy $policy" \
           "impact $policy $policy $register" "help"; do
    # shellcheck disable=SC2086
    "$svp" $cmd > /dev/full 2> "$tmp/err"
    same "svp $cmd > /dev/full: exit status" $? 2
    same "svp $cmd > /dev/full: message" "$(tail -n 1 "$tmp/err")" "svp: cannot write the output: No space left on device"
done

# Defect 5: terminal escapes in a record are shown escaped on standard
# error (and in text output), never obeyed.
esc=$'\e'
printf '{"id": "X\\u001b[2J\\u009b31mRED", "stage": "nope"}\n' > "$tmp/esc.jsonl"
"$svp" eval "$policy" "$tmp/esc.jsonl" --format json > "$tmp/out" 2> "$tmp/err"
same "ESC in an id: stderr escaped" "$(head -n 1 "$tmp/err")" \
    'svp: line 1 (X\x1b[2J\u009b31mRED): invalid record: stage: expected one of planning, tender, award, delivery, got "nope"'
same "ESC in an id: no raw ESC on stderr" "$(grep -c "$esc" "$tmp/err")" 0
printf '{"id": "X\\u001b[2J", "stage": "planning", "category": "goods", "value": "1", "title": "\\u009b"}\n' > "$tmp/esc-ok.jsonl"
"$svp" eval "$policy" "$tmp/esc-ok.jsonl" --format text > "$tmp/out" 2> /dev/null
same "ESC in an id: text output escaped" "$(head -n 1 "$tmp/out")" 'X\x1b[2J  COMPLIANT  under NELC Social Value Policy 2020.1'
same "ESC in an id: no raw ESC in text output" "$(grep -c "$esc" "$tmp/out")" 0
printf '{"id": "K", "stage": "planning", "category": "goods", "value": "1", "x": {"a\\u001b]0;t\\u0007": 1, "a\\u001b]0;t\\u0007": 2}}\n' > "$tmp/esc.jsonl"
"$svp" eval "$policy" "$tmp/esc.jsonl" --format json > /dev/null 2> "$tmp/err"
same "ESC in a key: stderr escaped" "$(cat "$tmp/err")" \
    'svp: line 1 (K): invalid record: x.a\x1b]0;t\x07: this key appears twice in the same object (parsers disagree on which one counts)'

# Defect 6: an id cut to fit in the middle of a character stays UTF-8
# (a record dated before every version: the line svp writes itself).
mkdir "$tmp/v"
cp "$policy" "$tmp/v/a.svp"
sed -e 's/version   "2020.1"/version   "2021.1"/' -e 's/effective 2020-04-01/effective 2021-04-01/' "$policy" > "$tmp/v/b.svp"
long_id=$(printf 'é%.0s' $(seq 200))
printf '{"id": "%s", "stage": "planning", "category": "goods", "value": "1", "dates": {"engagement": "2019-01-01"}}\n' \
    "$long_id" > "$tmp/early.jsonl"
for format in json text; do
    "$svp" eval "$tmp/v" "$tmp/early.jsonl" --format $format > "$tmp/out" 2> "$tmp/err"
    same "an id cut at 255 bytes ($format): exit 4 (dated before every version)" $? 4
    same "an id cut at 255 bytes ($format): output is UTF-8" "$(iconv -f UTF-8 -t UTF-8 "$tmp/out" > /dev/null 2>&1 && echo yes)" yes
    same "an id cut at 255 bytes ($format): stderr is UTF-8" "$(iconv -f UTF-8 -t UTF-8 "$tmp/err" > /dev/null 2>&1 && echo yes)" yes
done
"$svp" eval "$tmp/v" "$tmp/early.jsonl" --format json > "$tmp/out" 2> /dev/null
same "a long id is not cut inside a character (it is given whole)" "$(jq -r '.id | length' "$tmp/out")" 200

# Defect 9: `svp fmt -w` formats a link's target and keeps the link; keeps
# the owner; refuses a read-only file; leaves no temporary file behind when
# a file-size limit stops the write.
mkdir "$tmp/fmt"
cp tests/fmt/messy.svp "$tmp/fmt/real.svp"
ln -s real.svp "$tmp/fmt/link.svp"
"$svp" fmt -w "$tmp/fmt/link.svp"
same "fmt -w through a link: exit 0" $? 0
same "fmt -w through a link: still a link" "$(test -L "$tmp/fmt/link.svp" && readlink "$tmp/fmt/link.svp")" real.svp
same "fmt -w through a link: the target is formatted" "$(cmp -s "$tmp/fmt/real.svp" tests/fmt/messy.expected && echo yes)" yes
cp tests/fmt/messy.svp "$tmp/fmt/ro.svp"
chmod 444 "$tmp/fmt/ro.svp"
"$svp" fmt -w "$tmp/fmt/ro.svp" 2> "$tmp/err"
same "fmt -w of a read-only file: exit 2" $? 2
same "fmt -w of a read-only file: message" "$(cat "$tmp/err")" \
    "svp: cannot write $tmp/fmt/ro.svp: the file is read-only: make it writable to rewrite it"
same "fmt -w of a read-only file: untouched" "$(cmp -s "$tmp/fmt/ro.svp" tests/fmt/messy.svp && echo yes)" yes
if [ "$(id -u)" = 0 ]; then
    cp tests/fmt/messy.svp "$tmp/fmt/owned.svp"
    chown 65534:65534 "$tmp/fmt/owned.svp"
    "$svp" fmt -w "$tmp/fmt/owned.svp"
    same "fmt -w keeps the owner" "$(stat -c %u:%g "$tmp/fmt/owned.svp")" 65534:65534
fi
cp tests/fmt/messy.svp "$tmp/fmt/limit.svp"
(ulimit -f 1; "$svp" fmt -w "$tmp/fmt/limit.svp" 2> "$tmp/err")
same "fmt -w under a file-size limit: exit 2" $? 2
same "fmt -w under a file-size limit: message" "$(head -n 1 "$tmp/err")" "svp: cannot write $tmp/fmt/limit.svp: File too large"
same "fmt -w under a file-size limit: no temporary file left" "$(ls "$tmp/fmt" | grep -c svpfmt)" 0
same "fmt -w under a file-size limit: untouched" "$(cmp -s "$tmp/fmt/limit.svp" tests/fmt/messy.svp && echo yes)" yes

# Defect 11: special files are refused without reading them (a FIFO used to
# block forever, /dev/zero to be read for 64 MiB); the policy size limit
# holds for every command.
mkfifo "$tmp/fifo.svp"
not_regular="error: cannot read the policy: not a regular file (a policy is a file, not a pipe or a device)"
for cmd in "check" "fmt" "eval" "portfolio" "diff $policy" "impact $policy"; do
    case $cmd in eval|portfolio) rest=$register ;; impact*) rest=$register ;; *) rest= ;; esac
    # shellcheck disable=SC2086
    timeout 10 "$svp" $cmd "$tmp/fifo.svp" $rest > /dev/null 2> "$tmp/err"
    same "svp $cmd FIFO: exit 2, at once" $? 2
    same "svp $cmd FIFO: message" "$(head -n 1 "$tmp/err")" "$tmp/fifo.svp: $not_regular"
    timeout 10 "$svp" $cmd /dev/zero $rest > /dev/null 2> "$tmp/err"
    same "svp $cmd /dev/zero: message" "$(head -n 1 "$tmp/err")" "/dev/zero: $not_regular"
done
timeout 10 "$svp" test /dev/zero > /dev/null 2> "$tmp/err"
same "svp test /dev/zero: exit 2, at once" $? 2
same "svp test /dev/zero: message" "$(head -n 1 "$tmp/err")" \
    "svp: cannot read /dev/zero: not a regular file (a test file is a file, not a pipe or a device)"
timeout 10 "$svp" test --policy /dev/zero policies/nelc-social-value.tests.json > /dev/null 2> "$tmp/err"
same "svp test --policy /dev/zero: message" "$(head -n 1 "$tmp/err")" \
    "svp: policies/nelc-social-value.tests.json: cannot read the policy /dev/zero: not a regular file (a policy is a file, not a pipe or a device)"
head -c 2000000 /dev/zero | tr '\0' '#' > "$tmp/huge.svp"
for cmd in check fmt; do
    "$svp" $cmd "$tmp/huge.svp" > /dev/null 2> "$tmp/err"
    same "svp $cmd of a 2 MB policy: exit status" "$cmd:$?" "$cmd:$([ $cmd = check ] && echo 1 || echo 2)"
    same "svp $cmd of a 2 MB policy: the limit" "$(head -n 1 "$tmp/err")" \
        "$tmp/huge.svp: error: the policy is 2000000 bytes; svp reads policies of up to 1048576 bytes"
done

# Defect 13: folders to diff and impact: they take one file per version.
for cmd in "diff examples $policy" "diff $policy examples" "impact examples $policy $register"; do
    # shellcheck disable=SC2086
    "$svp" $cmd > "$tmp/out" 2> "$tmp/err"
    same "svp $cmd: exit 2" $? 2
    same "svp $cmd: message" "$(head -n 1 "$tmp/err")" \
        "svp: examples is a folder: ${cmd%% *} compares two versions, one file each (OLD.svp NEW.svp)"
    same "svp $cmd: nothing on stdout" "$(wc -c < "$tmp/out")" 0
done
# Issue 11: records where a policy belongs (or a policy where the records
# belong) are named for what they are, before anything is compiled: exit 2,
# nothing on stdout.
rec=examples/records/clean-award-services.json
cp "$rec" "$tmp/record-no-suffix"
printf '\xef\xbb\xbf  \n[{"id": "A"}]\n' > "$tmp/array.txt"
first="give the policy first, then one input"
review="give the old policy, the new one, then the records"
while IFS='|' read -r cmd message; do
    # shellcheck disable=SC2086
    "$svp" $cmd > "$tmp/out" 2> "$tmp/err"
    same "svp $cmd: exit 2" $? 2
    same "svp $cmd: message" "$(cat "$tmp/err")" "svp: $message"
    same "svp $cmd: nothing on stdout" "$(wc -c < "$tmp/out")" 0
done <<LIST
eval $register $rec|\`$register\` looks like records, not a policy: $first
eval $tmp/record-no-suffix $rec|\`$tmp/record-no-suffix\` looks like records, not a policy: $first
eval $tmp/array.txt $register|\`$tmp/array.txt\` looks like records, not a policy: $first
eval $policy $policy|\`$policy\` looks like a policy, not records: $first
eval $tmp/v $register $rec|\`$register\` looks like records, not a policy: $first
eval $policy tests/eval/bases/TENDER.JSON -|\`tests/eval/bases/TENDER.JSON\` looks like records, not a policy: $first
portfolio $register $policy|\`$register\` looks like records, not a policy: $first
report $rec $register|\`$rec\` looks like records, not a policy: $first
report $policy $tmp/v/a.svp|\`$tmp/v/a.svp\` looks like a policy, not records: $first
impact $policy $register $rec|\`$register\` looks like records, not a policy: $review
impact $policy $policy $policy|\`$policy\` looks like a policy, not records: $review
report --review $register $policy $register|\`$register\` looks like records, not a policy: $review
diff $policy examples/records/x.csv|\`examples/records/x.csv\` looks like records, not a policy: give the old policy, then the new one
check $policy $register|\`$register\` looks like records, not a policy: svp check takes policies and import mappings; to evaluate records, use svp eval POLICY RECORDS
check $tmp/array.txt|\`$tmp/array.txt\` looks like records, not a policy: svp check takes policies and import mappings; to evaluate records, use svp eval POLICY RECORDS
LIST
summary
