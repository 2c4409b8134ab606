#!/usr/bin/env bash
# run.sh - tests of `svp import` and of import mappings.
#
#   tests/import/run.sh [SVP]
#
# 1. Golden diagnostics: each tests/import/errors/NAME.svp is a mapping (or
#    a policy) with focused mistakes; NAME.expected holds "# exit N" and the
#    exact standard error of `svp check` (as tests/check/ does for policies).
# 2. The shipped mappings are in `svp fmt`'s canonical layout.
# 3. Real notices (examples/open-data, copies of the project's shared data): values, stages and supplier sizes
#    checked against figures worked out by hand from the files (below).
# 4. Input forms (a pretty-printed release, a record package, JSON Lines of
#    packages), merging in date order, non-GBP, stray lines, unreadable
#    inputs, CSV edge cases: exact standard output, standard error and exit
#    status, in tests/import/expected/ (each checked by eye when written:
#    see the comments at each case).
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" import "$@"
data=$root/examples/open-data
ocds=policies/import/ocds.svp
register=policies/import/transparency-register.svp

# ---- 1. golden diagnostics ----------------------------------------------------
for expected in tests/import/errors/*.expected; do
    name=$(basename "$expected" .expected)
    NO_COLOR=1 "$svp" check "tests/import/errors/$name.svp" >/dev/null 2>"$tmp/err"
    status=$?
    { echo "# exit $status"; cat "$tmp/err"; } >"$tmp/got"
    if diff -u "$expected" "$tmp/got" >"$tmp/diff"; then pass; else fail "errors/$name"; cat "$tmp/diff"; fi
done

# ---- 2. canonical layout ------------------------------------------------------------
for m in policies/import/*.svp examples/import/*.svp; do
    "$svp" fmt "$m" >"$tmp/fmt" 2>&1
    if cmp -s "$m" "$tmp/fmt"; then pass; else fail "$m is not in canonical layout (svp fmt)"; fi
    "$svp" fmt "$tmp/fmt" >"$tmp/fmt2" 2>&1
    if cmp -s "$tmp/fmt" "$tmp/fmt2"; then pass; else fail "$m: formatting twice differs from once"; fi
done
# A mapping written carelessly comes out in the canonical layout, comments kept.
"$svp" fmt tests/import/fixtures/messy-mapping.svp >"$tmp/fmt" 2>&1
if cmp -s tests/import/expected/messy-mapping.svp "$tmp/fmt"; then pass; else
    fail "svp fmt of a messy mapping"; diff -u tests/import/expected/messy-mapping.svp "$tmp/fmt"; fi
"$svp" check $ocds $register examples/import/other-council.svp >/dev/null 2>"$tmp/err"
same "svp check of the shipped mappings" "$?" 0

# golden MAPPING INPUT EXPECTED: svp import's standard output and exit status
# must be EXPECTED.out, its standard error EXPECTED.err.
golden() {
    "$svp" import "$1" "$2" >"$tmp/out" 2>"$tmp/err"
    echo "# exit $?" >>"$tmp/out"
    if diff -u "$3.out" "$tmp/out" >"$tmp/diff" && diff -u "$3.err" "$tmp/err" >>"$tmp/diff"; then pass; else
        fail "$(basename "$3")"; cat "$tmp/diff"; fi
}

# Sum money strings ("1234.56", always two decimals) exactly, in pence.
sum_pence() {
    local total=0 v
    while read -r v; do
        v=${v//\"/}
        [ -z "$v" ] && continue
        total=$((total + 10#${v/./}))
    done
    printf '%d.%02d\n' $((total / 100)) $((total % 100))
}

# ---- 3a. Contracts Finder 2025: 51 releases, 50 procurements ---------------------
# Worked out from releases.jsonl with jq, one line per release: ocid, tag,
# tender value, awards (status, amount, suppliers) and each supplier party's
# details.scale and details.vcse.
# - 50 distinct ocids: only ...089010d5aa5f has two releases (a tender and a
#   tenderAmendment on the same day: one record, stage tender, £405,000).
# - Stages: 1 planning release only (...fb02307fc3db); 9 procurements with a
#   tender release and no award (...2b35442a9378, f40e2384eae7, e4326f08d2cc,
#   2704a088b44a, 089010d5aa5f, 9498ba7e9f16, bcc569de6670, 9085e20961e3,
#   0f165a233a59); 40 with one active award each; no contracts.
# - Tender values: 7 of the 9 tenders give one: 850,000 + 300,000,000 +
#   405,000 + 500,000 + 40,000,000 + 1,000,000 + 1,000,000 = £343,755,000.00.
# - Award amounts: 4 of the 40 are 0, "not given" (...302cfe2d43be,
#   29edc2388b46, c70d79b3c07d, e5b75c2a2dec): value absent.  The other 36
#   add up to £602,244,683.43.  Where the award differs from the tender, the
#   award wins: ...6f459920806f (tender £0.01, award £1,425,280),
#   ...cd4a7deef849 (tender £40,000, award £62,400).
# - Supplier sizes of the 40 awards: every supplier "sme" in 13 (12 of them
#   with an amount, adding up to £6,257,191.61: 776,888.48 + 75,000 + 5,643 +
#   49,995 + 37,500 + 1,425,280 + 37,467.13 + 39,848 + 246,580 + 62,400 +
#   100,590 + 3,400,000); some supplier "large" in 18 (all with amounts,
#   £577,179,291.82), including ...443a0af1ba82, 35 suppliers of which 10
#   are large; no scale at all in 9 (6 with amounts, £18,808,200.00).
# - VCSE: only ...3a1242853a06's supplier is marked details.vcse true.
"$svp" import $ocds "$data/contracts-finder-2025/releases.jsonl" >"$tmp/cf.jsonl" 2>"$tmp/cf.err"
same "contracts-finder-2025: exit status" "$?" 0
same "contracts-finder-2025: counts line" "$(tail -n 1 "$tmp/cf.err")" \
    "svp import: 50 procurements: 50 records written, 0 left out"
same "contracts-finder-2025: records" "$(wc -l <"$tmp/cf.jsonl")" 50
same "contracts-finder-2025: distinct ids" "$(jq -r .id "$tmp/cf.jsonl" | sort -u | wc -l)" 50
same "contracts-finder-2025: stages" "$(jq -r .stage "$tmp/cf.jsonl" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" \
    " 40 award; 1 planning; 9 tender;"
same "contracts-finder-2025: tender values" \
    "$(jq -r 'select(.stage == "tender") | .value // empty' "$tmp/cf.jsonl" | sum_pence)" 343755000.00
same "contracts-finder-2025: tenders with a value" \
    "$(jq -r 'select(.stage == "tender" and .value) | .id' "$tmp/cf.jsonl" | wc -l)" 7
same "contracts-finder-2025: awarded value" \
    "$(jq -r 'select(.stage == "award") | .value // empty' "$tmp/cf.jsonl" | sum_pence)" 602244683.43
same "contracts-finder-2025: awards without a value" \
    "$(jq -r 'select(.stage == "award" and (.value | not)) | .id[-12:]' "$tmp/cf.jsonl" | sort | tr '\n' ' ')" \
    "29edc2388b46 302cfe2d43be c70d79b3c07d e5b75c2a2dec "
same "contracts-finder-2025: SME awards" \
    "$(jq -r 'select(.supplier.size == "sme") | .id' "$tmp/cf.jsonl" | wc -l)" 13
same "contracts-finder-2025: SME value" \
    "$(jq -r 'select(.supplier.size == "sme") | .value // empty' "$tmp/cf.jsonl" | sum_pence)" 6257191.61
same "contracts-finder-2025: large awards" \
    "$(jq -r 'select(.supplier.size == "large") | .id' "$tmp/cf.jsonl" | wc -l)" 18
same "contracts-finder-2025: large value" \
    "$(jq -r 'select(.supplier.size == "large") | .value // empty' "$tmp/cf.jsonl" | sum_pence)" 577179291.82
same "contracts-finder-2025: awards of unknown size" \
    "$(jq -r 'select(.stage == "award" and (.supplier.size | not)) | .value // empty' "$tmp/cf.jsonl" | sum_pence)" 18808200.00
same "contracts-finder-2025: VCSE" "$(jq -r 'select(.supplier.vcse == true) | .id[-12:]' "$tmp/cf.jsonl")" 3a1242853a06
same "contracts-finder-2025: award over a tiny tender value" \
    "$(jq -r 'select(.id | endswith("6f459920806f")) | .value' "$tmp/cf.jsonl")" 1425280.00
same "contracts-finder-2025: tender and its amendment" \
    "$(jq -c 'select(.id | endswith("089010d5aa5f"))' "$tmp/cf.jsonl")" \
    '{"id":"ocds-b5fd17-8f3244de-9267-4db2-95fe-089010d5aa5f","title":"Our Lady of the Magnificat - Home to School Transport for St Bede&apos;s Catholic Middle School","stage":"tender","category":"services","value":"405000.00","dates":{"publication":"2025-01-23"}}'
same "contracts-finder-2025: an award with its dates only" \
    "$(jq -c 'select(.id | endswith("4cfde4b07ff8"))' "$tmp/cf.jsonl")" \
    '{"id":"ocds-b5fd17-a970fca2-2d97-4cbb-8cbf-4cfde4b07ff8","title":"PAN3212 - Chain Hoists For DMH/HMT","stage":"award","category":"services","value":"98375.38","dates":{"award":"2025-03-03"},"supplier":{"name":"A. C Entertainment Technologies Ltd","size":"large","vcse":false}}'
same "contracts-finder-2025: planning only" \
    "$(jq -c 'select(.id | endswith("fb02307fc3db")) | [.stage, .value, .category]' "$tmp/cf.jsonl")" '["planning",null,null]'

# ---- 3b. the 12 reworked Contracts Finder packages (2019-20) ---------------------
# From their README's table (award column) and jq over the files: each has
# one award, status "active" (so stage award, though bluetail changed every
# tag to "tender"); no mainProcurementCategory (category absent); no party
# has details.scale (they carry the older `sme`/`vco` flags instead), so
# supplier.size is absent for all.  ...86bc974a gives 0 everywhere: absent.
"$svp" import $ocds "$data"/ocds-contracts-finder/*.json >"$tmp/old.jsonl" 2>"$tmp/old.err"
same "ocds-contracts-finder: exit status" "$?" 0
same "ocds-contracts-finder: values" \
    "$(jq -r '"\(.id[15:23]) \(.value)"' "$tmp/old.jsonl" | sort | tr '\n' ';')" \
    "0054a4e6 93527.00;25566a57 193051688.00;43b4ef92 70000.00;61c38955 750000.00;65836f54 248652.47;6acc5bac 69000.00;7b82ccd8 13000000.00;7d22056e 600000.00;7e84a00d 69108.40;86bc974a null;e6bc0d4d 0.10;f9d455d2 1500000000.00;"
same "ocds-contracts-finder: stages" "$(jq -r .stage "$tmp/old.jsonl" | sort -u)" award
same "ocds-contracts-finder: sizes and categories" \
    "$(jq -c '[.supplier.size, .category]' "$tmp/old.jsonl" | sort -u)" '[null,null]'

# ---- 4. input forms and what is left out -----------------------------------------
# Each expected file was checked by eye against its fixture:
# - release.json: one pretty-printed release; 1e5 is exactly £100,000.00.
# - record-package.json: ocds-test-merged's releases are listed award first,
#   tender second; merged by date, the tender (2025-01-10) gives title,
#   category and publication date, the award release (2025-02-01) removes
#   tender.value (null) and adds three awards: two active (£120,000.50 and
#   £30,000, value £150,000.50, first award date 2025-01-31) and one
#   cancelled (left out of value and suppliers); both suppliers' parties are
#   sme and vcse.  ocds-test-compiled has only linked releases and a
#   compiledRelease: planning.
# - packages.jsonl: a release package with a EUR award (left out) and a
#   release without ocid; a blank line (skipped); a line that is not JSON; a
#   tender in EUR; a contract (delivery) whose award amount is 0 (value
#   absent, not the tender's); an amount with three decimals (left out, not
#   rounded); a JSON value that is not OCDS; a planning release.
# find-a-tender.json (checked by hand): one release package, releases out of
# date order.  000001: award release (Feb) before its tender release (Jan);
# active award 1234.5 in "gbp" (1234.50), pending and cancelled awards
# ignored; supplier S1 named only by id, its party scale "sme"; award date
# 2025-01-23T23:30:00Z taken as written (2025-01-23).  000002: 1234.567, left
# out (never rounded).  000003: tender 1.2e6 (1200000.00).  000004: award
# amount 0 (value absent), a supplier with no party.  000005: contract with
# implementation (delivery), supplier party without scale (size absent).
# 000006: two active awards 100.1 + 0.9 = 101.00, one sme and one large
# supplier (large).  A release without ocid: left out.  7 items = 5 + 2.
# crlf-bom.jsonl: JSON Lines after a BOM, with CRLF and a blank trailing line.
# empty-package.json: a BOM and a release package with no releases (0, exit 0).
# bom-release.json: one release after a UTF-8 BOM.
# compiled-only.json: a record package with only a compiledRelease.
# odd-releases.jsonl: o-a an amount as a string "1234" (1234.00) and a
# supplier id with no party and no name; o-b amount null (value absent); o-d
# an amount of -5 (left out: negative, not "not given"); o-f an active award
# cancelled by a later release (planning); o-h a tender of -0.01 (left out).
# In all of these, a supplier whose party does not say `details.vcse` leaves
# supplier.vcse absent (not false): the notice does not say, so the policy's
# default decides.
# time-zones.jsonl: releases merge in the order they happened, not as their
# date texts sort: tz-1's update at 23:30-05:00 (04:30Z on the 24th) comes
# after its award at 01:00Z (value 200.00, not 100.00; the award date as
# written, 2025-01-23); tz-2's 09:00+01:00 (08:00Z) before 08:30Z (title
# "Later, 08:30Z"); tz-3's date "2025-01-24T" is cut short (no crash).
for case in find-a-tender.json crlf-bom.jsonl empty-package.json bom-release.json compiled-only.json odd-releases.jsonl time-zones.jsonl; do
    golden $ocds "tests/import/fixtures/$case" "tests/import/expected/$case"
done
for case in release.json record-package.json packages.jsonl; do
    golden $ocds "tests/import/fixtures/$case" "tests/import/expected/$case"
done
# JSON Lines of record packages: the same as the document.
jq -c . tests/import/fixtures/record-package.json >"$tmp/records.jsonl"
"$svp" import $ocds "$tmp/records.jsonl" 2>/dev/null >"$tmp/out"
same "record packages as JSON Lines" "$(cat "$tmp/out")" "$(head -n -1 tests/import/expected/record-package.json.out)"
# A procurement's releases merge across inputs (the planning release of
# ocds-test-single is in packages.jsonl, its tender in release.json), and -
# reads standard input.
"$svp" import $ocds tests/import/fixtures/packages.jsonl - <tests/import/fixtures/release.json >"$tmp/out" 2>/dev/null
same "across inputs: exit" "$?" 1
same "across inputs" "$(jq -c 'select(.id == "ocds-test-single") | [.stage, .title, .dates.publication]' "$tmp/out")" \
    '["tender","A pretty-printed release","2025-04-02"]'

# Unreadable inputs: exit 2, the other inputs still read.
printf 'hello\nworld\n' >"$tmp/text.txt"
: >"$tmp/empty.json"
"$svp" import $ocds "$tmp/text.txt" >/dev/null 2>"$tmp/err"
same "not JSON: exit" "$?" 2
same "not JSON: message" "$(head -n 1 "$tmp/err")" "svp: $tmp/text.txt: cannot import: not JSON, nor JSON Lines"
"$svp" import $ocds "$tmp/empty.json" >/dev/null 2>"$tmp/err"
same "empty input: exit" "$?" 2
"$svp" import $ocds "$tmp/no-such-file.json" tests/import/fixtures/release.json >"$tmp/out" 2>"$tmp/err"
same "missing file: exit" "$?" 2
same "missing file: the other input is read" "$(jq -r .id "$tmp/out")" ocds-test-single
same "missing file: counts" "$(tail -n 1 "$tmp/err")" \
    "svp import: 1 procurement: 1 record written, 0 left out; 1 input could not be read"
"$svp" import $register tests/import/fixtures/missing-column.csv >/dev/null 2>"$tmp/err"
same "CSV without a column the mapping names: exit" "$?" 2
same "CSV without a column: message" "$(head -n 1 "$tmp/err")" \
    'svp: tests/import/fixtures/missing-column.csv: cannot import: the header row (line 1) has no column "SME"'
"$svp" import tests/import/errors/unknown-field.svp "$tmp/empty.json" >/dev/null 2>&1
same "a mapping that does not compile: exit" "$?" 2
"$svp" import $ocds >/dev/null 2>&1
same "no input: exit" "$?" 2

# ---- 5. CSV registers ----------------------------------------------------------------
# edge.csv (checked by eye): a byte-order mark and header names with spaces
# and in capitals; CRLF line ends; R1's title is quoted, with commas, doubled
# quotes and a line break (R1 spans lines 2-3), its value "£1,234.56", date
# 01/04/2025; R2 1234.5 and 2025-04-02, SME "no"; R3 (line 5) too few fields;
# R4 (line 6) too many; R5 "£0.99", 9/3/2025, y and n; R6 blank SME and VCSE
# (absent), "100,000"; R7 SME "Maybe" (left out); R8 31/02/2025, no such day;
# R9 "1,00", not an amount; then two blank lines (nothing).
# other-council.csv: the example mapping's own layout.
golden $register tests/import/fixtures/edge.csv tests/import/expected/edge.csv
# hostile-register.csv (each figure checked by hand): a BOM, CRLF, headers
# in other case and with spaces ("reference", " Value ", "sme"); R1 (line 2)
# an unquoted £1,234 that splits into 8 fields (left out; R1 also has the
# date 1/4/2025); R2 1234, 2025-04-01, SME "YES", VCSE "n" (false); R3
# "1,234.50" (1234.50), date 01/04/2025;
# R4 £0.00 (not given: value absent); R5 " £ 1,234.56 " (1234.56); R6 SME
# "Unknown" (line 7, left out); R7 -500 (line 8, left out: negative); R8
# 01/04/25 (line 9, left out: two-digit year, not guessed); R9 a quoted CRLF
# in the title, 100.5 (100.50); R10 "£1,234" (1234.00); R11 blank value
# (absent); a blank trailing line.  11 rows = 7 written + 4 left out.
golden $register tests/import/fixtures/hostile-register.csv tests/import/expected/hostile-register.csv
# amounts.csv: 1234.567 (left out: finer than a penny); "1.234,50" (not an
# amount: a comma decimal is not guessed at); a Windows-1252 £ (byte A3, not
# UTF-8: not an amount); 2025 with date 2025-4-1 (2025.00, 2025-04-01);
# "£1,234.5" (1234.50); 100; "1,234,567.8" (1234567.80); "12,34", ",123",
# "1234,567", "1,234,", "1,,234", "£1,234.5,6": thousands separators out of
# place, each left out.  13 rows = 4 written + 9 left out.
golden $register tests/import/fixtures/amounts.csv tests/import/expected/amounts.csv
# duplicate-header.csv: "Reference" twice: unreadable (exit 2), not guessed.
golden $register tests/import/fixtures/duplicate-header.csv tests/import/expected/duplicate-header.csv
# windows-1252.csv: a register saved as Excel's plain "CSV": R1's title (é,
# byte E9) and value (£, byte A3) are not UTF-8: left out, both columns
# named, the fix said; R2, the same in UTF-8, is written.
golden $register tests/import/fixtures/windows-1252.csv tests/import/expected/windows-1252.csv
# windows-1252-header.csv: the header's "Value (£)" in Windows-1252 matches
# no column: unreadable (exit 2), and the message says to save as UTF-8.
golden $register tests/import/fixtures/windows-1252-header.csv tests/import/expected/windows-1252-header.csv
golden $register examples/import/register.csv tests/import/expected/register.csv
golden examples/import/other-council.svp examples/import/other-council.csv tests/import/expected/other-council.csv

summary
