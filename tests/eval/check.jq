# check.jq - compare the JSON output of one `svp eval` run with a case's expectations.
#
# Inputs (jq -n):  $out  the raw standard output (text);
#                  $exp  the case's `expect` objects, in order (array).
# Output: one string per failed check, "what: expected X, got Y"; nothing when all pass.
# The expectation keys are described in tests/eval/README.md. Besides them, every
# evaluated result is checked against invariants the spec fixes for all results:
# `compliant` is false exactly when a finding has severity "error", each finding's
# `cite` is the one nelc-rules.md gives its rule, and each message is non-empty text.

# The citation of every rule, from shared/spec/nelc-rules.md.
def cites: {
  "sv-weighting":          "Delivery and Reporting, 2",
  "sv-opt-out-evidence":   "Delivery and Reporting, 1",
  "sv-opt-out":            "Delivery and Reporting, 1",
  "sv-below-threshold":    "Delivery and Reporting, 1",
  "sv-outcomes-linked":    "Objectives, 2",
  "weighting-total":       "Delivery and Reporting, 2",
  "early-engagement":      "Objectives, 1",
  "living-wage":           "Purpose of Social Value",
  "ethical-sourcing":      "Defining Social Value",
  "contract-manager":      "Delivery and Reporting, 3",
  "commitments-published": "Delivery and Reporting, 4"
};

def fail($what; $want; $got): "\($what): expected \($want | tojson), got \($got | tojson)";
def chk($what; $want; $got): if $want == $got then empty else fail($what; $want; $got) end;

def finding($a; $rule): [$a.findings[]? | select(type == "object" and .rule == $rule)][0];

# Checks for a result that the spec says must be evaluated.
def check_result($e; $a):
  ( if $a | has("error") then fail("result"; "an evaluated record"; {error: $a.error}) else empty end ),
  ( if $e | has("id")  then chk("id"; $e.id; $a.id) else empty end ),
  ( if $e | has("ok")  then chk("compliant"; $e.ok; $a.compliant) else empty end ),
  ( if $e | has("fired") then
      chk("findings (rule:severity, in order)"; $e.fired;
          [$a.findings[]? | "\(.rule? // null):\(.severity? // null)"])
    else empty end ),
  ( if $e | has("dec") then
      chk("decisions [social_value_required, sv_responsibility, min_social_value_weighting]";
          $e.dec;
          [$a.decisions.social_value_required?, $a.decisions.sv_responsibility?,
           $a.decisions.min_social_value_weighting?])
    else empty end ),
  ( ($e.message // {}) | to_entries[] | . as $m
    | chk("message of \($m.key)"; $m.value; finding($a; $m.key).message?) ),
  ( ($e.mentions // {}) | to_entries[] | . as $m
    | (finding($a; $m.key).message? // "" | if type == "string" then . else tojson end) as $msg
    | $m.value[]
    | if type == "string" then
        . as $s
        | (if ($msg | index($s)) != null then empty
           else fail("message of \($m.key) mentioning"; $s; $msg) end)
      else
        . as $alts
        | (if any($alts[]; . as $s | ($msg | index($s)) != null) then empty
           else fail("message of \($m.key) mentioning one of"; $alts; $msg) end)
      end ),
  ( ($e.because // {}) | to_entries[] | . as $b
    | (finding($a; $b.key).because? // {}) as $got
    | $b.value | to_entries[]
    | chk("because[\(.key | tojson)] of \($b.key)"; .value; $got[.key]?) ),
  ( if $e | has("policy") then chk("policy"; $e.policy; $a.policy) else empty end ),
  ( if $e.trace == true then
      if ($a | has("trace")) | not then fail("trace"; "present (--explain)"; null)
      else ($a.trace | tojson) as $t
        | cites | keys[] | select(. as $r | $t | index($r) == null)
        | fail("trace"; "to cover rule \(.)"; "no mention of it")
      end
    elif $e.trace == false then
      if $a | has("trace") then fail("trace"; "absent without --explain"; "present") else empty end
    else empty end ),
  # Invariants of every evaluated result.
  ( if ($a.compliant | type) != "boolean" then fail("compliant"; "a boolean"; $a.compliant)
    elif ($a.findings | type) != "array" then fail("findings"; "an array"; $a.findings)
    else
      chk("compliant (false exactly when a finding is an error)";
          ([$a.findings[] | select(.severity? == "error")] | length == 0); $a.compliant),
      ( $a.findings[]
        | ((.rule? // null) | tostring) as $r
        | if cites | has($r) | not then fail("rule id"; "one of nelc-rules.md"; .rule?)
          else chk("cite of \($r)"; cites[$r]; .cite?) end,
          (if (.severity? | IN("error", "warning", "info")) then empty
           else fail("severity of \($r)"; "error, warning or info"; .severity?) end),
          (if (.message? | type) == "string" and (.message | length) > 0 then empty
           else fail("message of \($r)"; "non-empty text"; .message?) end) )
    end ),
  ( if ($a.decisions | type) != "object" then fail("decisions"; "an object"; $a.decisions) else empty end );

# Checks for a result that the spec says must report an invalid record.
def check_invalid($e; $a):
  ( if ($a.error | type) != "object" then fail("error"; "an error object (invalid record)"; $a)
    else
      ( if ($e.invalid | type) == "string" then chk("error.field"; $e.invalid; $a.error.field?)
        elif ($e.invalid | type) == "array" then
          (if any($e.invalid[]; . == $a.error.field?) then empty
           else fail("error.field (one of)"; $e.invalid; $a.error.field?) end)
        else empty end ),
      ( if ($a.error.message? | type) == "string" and ($a.error.message | length) > 0 then empty
        else fail("error.message"; "non-empty text"; $a.error.message?) end )
    end ),
  ( if $a | has("id") then (if $e | has("id") then chk("id"; $e.id; $a.id) else empty end)
    else fail("id"; "an id key (the id, or null)"; "no id key") end ),
  ( if $e | has("line") then chk("line"; $e.line; $a.line) else empty end ),
  ( if $a | has("compliant") then fail("compliant"; "absent (no rule is evaluated)"; $a.compliant) else empty end ),
  ( if (($a.findings? // []) | length) > 0 then fail("findings"; "none (no rule is evaluated)"; $a.findings) else empty end );

( if $out == "" then [] else $out | rtrimstr("\n") | split("\n") end ) as $lines
| chk("number of output lines"; $exp | length; $lines | length),
  ( range(0; [$exp | length, ($lines | length)] | min) as $i
    | $exp[$i] as $e
    | ($lines[$i] | try fromjson catch null) as $a
    | if ($a | type) != "object" then
        "out[\($i + 1)]: " + fail("a JSON object on one line"; "object"; $lines[$i])
      elif $e | has("invalid") then
        check_invalid($e; $a) | "out[\($i + 1)]: " + .
      else
        check_result($e; $a) | "out[\($i + 1)]: " + .
      end )
