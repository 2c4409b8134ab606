# expected.jq - the report's figures worked out from the register alone,
# independently of svp: which version and period each record falls in, its
# thresholds, its tier, its quarter.  Run with -s over the register, and
#   --arg from --arg to       the period
#   --arg switch              the date the second version takes effect
#   --argjson invalid [LINES] lines svp found invalid (left out of figures)
def pence: (tostring | split(".")) as $p | ($p[0] | tonumber) * 100
    + (if ($p | length) > 1 then ($p[1] + "0")[0:2] | tonumber else 0 end);
def plain: "\(. / 100 | floor).\(. % 100 | tostring | if length < 2 then "0" + . else . end)";
def pct: (. / 100 | floor) as $i | (. % 100) as $f
    | if $f == 0 then "\($i)%" elif $f % 10 == 0 then "\($i).\($f / 10)%"
      else "\($i).\($f | tostring | if length < 2 then "0" + . else . end)%" end;
def share($part; $total): ($part * 10000 / $total | floor) | pct;
def rank: {"planning": 0, "tender": 1, "award": 2, "delivery": 3}[.];
def fyq: (.[0:4] | tonumber) as $y | (.[5:7] | tonumber) as $m
    | (if $m >= 4 then $y else $y - 1 end) as $fy
    | "\($fy)/\(($fy + 1) % 100 | tostring | if length < 2 then "0" + . else . end) Q\((if $m >= 4 then $m - 4 else $m + 8 end) / 3 | floor + 1)";

[to_entries[] | .value + {line: (.key + 1), date: (.value.dates.publication // .value.dates.engagement)}]
| map(select(.date != null and .date >= $from and .date <= $to)) as $period
| ($period | map(select(.line as $l | $invalid | index($l) | not))
   | map(. + {new: (.date >= $switch)}
         | . + {threshold: (if .new then 5000000 else 10000000 end), p: (.value | pence)})
   | map(. + {required: (.p > .threshold),
              tier: (if .p > 35000000 then "Cabinet" elif .p > .threshold then "Leadership Team"
                     else "Commissioning officer" end)})) as $valid
| ($valid | map(select((.stage | rank) >= 2))) as $awarded
| {
    records: ($period | length),
    versions: [($valid | map(select(.new | not)) | length), ($valid | map(select(.new)) | length)],
    in_scope: ($valid | map(select(.required)) | length),
    value_in_scope: ($valid | map(select(.required) | .p) | add // 0 | plain),
    by_responsibility: ($valid | group_by(.tier) | map({key: .[0].tier, value: length}) | from_entries),
    by_category: ($valid | group_by(.category) | map({key: .[0].category, value: length}) | from_entries),
    sme_vcse_by_quarter: ($awarded | group_by(.dates.award | fyq) | map(
        (map(.p) | add) as $total
        | (map(select((.supplier.size | IN("micro", "small", "medium", "sme")) or .supplier.vcse == true) | .p) | add // 0) as $part
        | {key: (.[0].dates.award | fyq),
           value: {records: length, value: share($part; $total), part: ($part | plain), total: ($total | plain)}})
        | from_entries)
  }
