#!/usr/bin/env python3
"""session.py - whole editing sessions against `svp lsp`, with exact answers.

    python3 tests/lsp/session.py build/svp

Plays what a policy author does in an editor on the council's policy: open
it, break it three ways (a misspelt parameter, `10` for a percentage, a
missing bracket), look at each diagnostic's range (UTF-16 positions, so a
`£` or an emoji earlier on the line counts as the protocol says), fix it and
see the diagnostic go; hover, go to definition, find references, rename (and
be refused), complete, list symbols, format and take a quick fix.  Each
diagnostic list is also compared with what `svp check` prints for the same
text.  The expected answers were worked out from the policy and the README,
not copied from the server.  Prints one line per failed check and a summary;
exit status 1 when anything failed.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lspclient import Client  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SVP = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "svp"))
POLICY = os.path.join(ROOT, "policies", "nelc-social-value.svp")
# SVP_LSP_WRAP runs the server under another program (`make valgrind`: memcheck).
WRAP = os.environ.get("SVP_LSP_WRAP", "").split()
TODAY = "2020-05-01"  # before the first review falls due: a clean policy has no diagnostics

# The council's policy, and the lines the sessions act on, found by a needle
# (a text that is on exactly one line) rather than by number, so that a label
# or a declaration added elsewhere in the policy does not move them.
POLICY_LINES = open(POLICY, encoding="utf-8").read().split("\n")


def line_of(needle, within=None):
    """The 0-based line holding needle: the only one in the policy, or the only
    one in the block (up to the next blank line) that starts at the line of within."""
    lo, hi = 0, len(POLICY_LINES)
    if within is not None:
        lo = line_of(within)
        hi = next((i for i in range(lo, len(POLICY_LINES)) if not POLICY_LINES[i].strip()), len(POLICY_LINES))
    found = [i for i in range(lo, hi) if needle in POLICY_LINES[i]]
    if len(found) != 1:
        raise ValueError("%r is on %d lines of the policy, not one" % (needle, len(found)))
    return found[0]


PARAM_SV_THRESHOLD = line_of("  sv_threshold      = ")                # sv_threshold = £100,000
PARAM_CABINET = line_of("  cabinet_threshold = ")
PARAM_MIN_WEIGHTING = line_of("  minimum_weighting = ")
ENUM_STAGE = line_of("enum stage in order: ")
OBJECT_MEASURE = line_of("object measure")
MEASURE_TARGET = line_of("  target number required")
FIELD_VALUE = line_of("  value                                money")
FIELD_ENGAGEMENT = line_of("  dates.engagement                     date")
FIELD_PUBLICATION = line_of("  dates.publication                    date            required from tender")
FIELD_SV_WEIGHTING = line_of("  weighting.social_value               percent")
FIELD_OUTCOMES = line_of("  social_value.outcomes                list of outcome")
FIELD_MEASURES = line_of("  social_value.measures                list of measure")
COMMENT_RECORD = line_of("# The procurement record")
DECISION_SV_REQUIRED = line_of('decision social_value_required "')
SV_REQUIRED_IS = line_of("  is   value > sv_threshold")
DECISION_MIN_WEIGHTING = line_of('decision min_social_value_weighting "')
MIN_WEIGHTING_IS = line_of("  is   if social_value_required and not social_value.opt_out then minimum_weighting")
RULE_SV_WEIGHTING = line_of('rule sv-weighting "')
SVW_CITE = line_of('  cite    "Delivery and Reporting, 2"', within='rule sv-weighting "')
BELOW_WHEN = line_of("  when    stage >= tender and value <= sv_threshold")
SVW_WHEN = line_of("  when    stage >= tender and value > sv_threshold and not social_value.opt_out")
SVW_REQUIRE = line_of("  require weighting.social_value >= minimum_weighting")
SVW_ELSE = line_of('  else    error "social value weighting {weighting.social_value} is below')
SVW_BECAUSE = line_of("  because value, weighting.social_value")
OPT_OUT_REPORT = line_of('  report  warning "social value was opted out of a procurement of {value}')
EARLY_REQUIRE = line_of("  require dates.engagement is present and dates.engagement < dates.publication")
ETHICAL_REQUIRE = line_of("  require all of supplier.ethical are true")
SME_SHARE = line_of("  share   value where supplier.size in [micro, small, medium, sme] or supplier.vcse",
                    within='portfolio sme-vcse-spend "')


failures = []
checks = 0


def check(what, got, expected):
    global checks
    checks += 1
    if got != expected:
        failures.append(what)
        print("FAIL %s\n  expected: %r\n  got:      %r" % (what, expected, got))


def rng(l1, c1, l2, c2):
    return {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}


def position(text, line, needle, k=0):
    """Line (0-based) and UTF-16 character of needle (+k) on that line."""
    s = text.split("\n")[line]
    i = s.index(needle) + k
    return {"line": line, "character": len(s[:i].encode("utf-16-le")) // 2}


def svp_check(text, name):
    """What `svp check` says about text: (line0, col0 in code points, severity, message) and notes."""
    d = tempfile.mkdtemp()
    try:
        path = os.path.join(d, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        out = subprocess.run([SVP, "check", "--today", TODAY, path], capture_output=True, text=True).stderr
    finally:
        shutil.rmtree(d)
    found = []
    for line in out.split("\n"):
        m = re.match(r"^.*?:(\d+):(\d+): (error|warning|note): (.*)$", line)
        if m:
            found.append((int(m.group(1)) - 1, int(m.group(2)) - 1, m.group(3), m.group(4)))
    return found


def as_check_lines(text, diagnostics):
    """The diagnostics in the shape of svp_check's answer (columns in code points)."""
    lines = text.split("\n")

    def col(p):
        units = lines[p["line"]].encode("utf-16-le")[: 2 * p["character"]]
        return len(units.decode("utf-16-le"))

    out = []
    for g in diagnostics:
        sev = {1: "error", 2: "warning", 3: "note"}[g["severity"]]
        out.append((g["range"]["start"]["line"], col(g["range"]["start"]), sev, g["message"]))
        for r in g.get("relatedInformation", []):
            out.append((r["location"]["range"]["start"]["line"], col(r["location"]["range"]["start"]), "note", r["message"]))
    return out


class Session:
    def __init__(self, today=TODAY):
        self.c = Client(WRAP + [SVP, "lsp", "--today", today])
        init = self.c.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        self.capabilities = init["capabilities"]
        self.c.notify("initialized", {})
        self.version = 0

    def open(self, path, text=None):
        self.uri = "file://" + urllib.parse.quote(path)
        self.text = open(path, encoding="utf-8").read() if text is None else text
        self.version = 1
        self.c.notify("textDocument/didOpen", {"textDocument": {"uri": self.uri, "languageId": "svp",
                                                                  "version": 1, "text": self.text}})
        return self.c.diagnostics(self.uri)["diagnostics"]

    def edit(self, line, needle, replacement, k=0, length=None):
        """Replace needle (or length characters) on line, as an editor sends it; returns the diagnostics."""
        start = position(self.text, line, needle, k)
        n = len(needle) - k if length is None else length
        end = {"line": line, "character": start["character"] + len(needle[k:k + n].encode("utf-16-le")) // 2}
        lines = self.text.split("\n")
        s = lines[line]
        i = s.index(needle) + k
        lines[line] = s[:i] + replacement + s[i + n:]
        self.text = "\n".join(lines)
        self.version += 1
        self.c.notify("textDocument/didChange", {
            "textDocument": {"uri": self.uri, "version": self.version},
            "contentChanges": [{"range": {"start": start, "end": end}, "text": replacement}]})
        got = self.c.diagnostics(self.uri)
        check("diagnostics carry the version %d" % self.version, got.get("version"), self.version)
        return got["diagnostics"]

    def at(self, line, needle, k=1):
        return {"textDocument": {"uri": self.uri}, "position": position(self.text, line, needle, k)}

    def request(self, method, params):
        return self.c.request(method, params)

    def end(self):
        check("shutdown answers null", self.c.request("shutdown"), None)
        self.c.notify("exit")
        check("exit after shutdown: status 0", self.c.close(), 0)


def same_as_check(what, s, diagnostics):
    check(what + ": the same as svp check", as_check_lines(s.text, diagnostics),
          svp_check(s.text, os.path.basename(POLICY)))


def diag(d):
    """The parts of a diagnostic the tests compare."""
    out = {"range": d["range"], "severity": d["severity"], "code": d["code"], "message": d["message"]}
    if "relatedInformation" in d:
        out["related"] = [(r["location"]["range"], r["message"]) for r in d["relatedInformation"]]
    return out


# ---- breaking and fixing the council's policy --------------------------------------------------

def test_break_and_fix():
    s = Session()
    check("the council's policy opens clean", s.open(POLICY), [])
    check("serves UTF-16 positions", s.capabilities.get("positionEncoding"), "utf-16")

    # 1. a misspelt parameter (`when stage >= tender and value > sv_threshold ...` of sv-weighting)
    L = SVW_WHEN
    got = s.edit(L, "sv_threshold", "sv_treshold")
    check("misspelt parameter: one diagnostic", [diag(d) for d in got], [{
        "range": rng(L, 38, L, 49), "severity": 1, "code": "unknown-name",
        "message": "unknown name `sv_treshold`; did you mean the parameter `sv_threshold`?"}])
    same_as_check("misspelt parameter", s, got)
    actions = s.request("textDocument/codeAction", {"textDocument": {"uri": s.uri}, "range": rng(L, 40, L, 40),
                                                     "context": {"diagnostics": got}})
    check("the quick fix for the misspelling", [(a["title"], a["kind"], a["edit"]) for a in actions], [(
        "Replace `sv_treshold` with `sv_threshold`", "quickfix",
        {"changes": {s.uri: [{"range": rng(L, 38, L, 49), "newText": "sv_threshold"}]}})])
    check("no quick fix elsewhere", s.request("textDocument/codeAction", {
        "textDocument": {"uri": s.uri}, "range": rng(10, 0, 10, 0), "context": {"diagnostics": []}}), [])
    check("fixed: the diagnostic goes", s.edit(L, "sv_treshold", "sv_threshold"), [])

    # 2. `10` for a percentage (`require weighting.social_value >= minimum_weighting` of sv-weighting)
    L = SVW_REQUIRE
    got = s.edit(L, "minimum_weighting", "10")
    check("a number for a percentage", [diag(d) for d in got], [{
        "range": rng(L, 10, L, 38), "severity": 1, "code": "type",
        "message": "cannot compare a percentage (`weighting.social_value`) with a number (`10`): "
                   "write a percentage with `%`, like 10%"}])
    same_as_check("a number for a percentage", s, got)
    check("fixed with 10%", s.edit(L, ">= 10", "10%", k=3, length=2), [])
    check("and back to the parameter", s.edit(L, ">= 10%", "minimum_weighting", k=3, length=3), [])

    # 3. a missing bracket (the portfolio's `share value where supplier.size in [micro, small, medium, sme] or ...`,
    #    followed by its `require` clause)
    L = SME_SHARE
    check("(the portfolio's require follows its share)", s.text.split("\n")[L + 1][:9], "  require")
    got = s.edit(L, "sme]", "", k=3, length=1)
    bracket = position(s.text, L, "[")["character"]
    check("(the bracket was at character 39)", bracket, 39)
    check("a missing bracket: noticed at the next clause, the note at the bracket", [diag(d) for d in got], [{
        "range": rng(L + 1, 2, L + 1, 9), "severity": 1, "code": "syntax",
        "message": "unexpected `require`, expected `,`, `]` or an operator",
        "related": [(rng(L, 39, L, 40), "the `[` opened here is not closed")]}])
    same_as_check("a missing bracket", s, got)
    check("with a syntax error, the rest is still known: hover", hover_text(s, SVW_WHEN, "sv_threshold"), (
        "**parameter** `sv_threshold` = `£100,000`\n\nDelivery and Reporting, 1", rng(SVW_WHEN, 38, SVW_WHEN, 50)))
    check("and definition", s.request("textDocument/definition", s.at(BELOW_WHEN, "sv_threshold"))["range"],
          rng(PARAM_SV_THRESHOLD, 2, PARAM_SV_THRESHOLD, 14))
    r = s.c.call("textDocument/rename", dict(s.at(SVW_WHEN, "sv_threshold"), newName="threshold"))
    check("but no rename", r.get("error", {}).get("message"),
          "the policy has syntax errors: fix them first, so that no use of `sv_threshold` is missed")
    check("bracket put back", s.edit(L, "sme or", "]", k=3, length=0), [])

    # 4. UTF-16: a `£` before the mistake on the same line moves the column by one unit,
    #    an emoji (a surrogate pair) by two
    L = SVW_WHEN
    got = s.edit(L, "value > sv_threshold", "value > £100,000 and stge >= tender")
    check("a misspelling after a £", [diag(d) for d in got], [{
        "range": rng(L, 51, L, 55), "severity": 1, "code": "unknown-name",
        "message": "unknown name `stge`; did you mean the field `stage`?"}])
    line = s.text.split("\n")[L]
    check("(the £ is one UTF-16 unit, two bytes)", len(line[:line.index("stge")].encode("utf-8")), 52)
    same_as_check("a misspelling after a £", s, got)
    check("fixed after the £", s.edit(L, "£100,000 and stge >= tender", "sv_threshold"), [])
    L = OPT_OUT_REPORT  # `report warning "social value was opted out of a procurement of {value}, ...`
    check("(the {value} was at character 66)", position(s.text, L, "{value}")["character"], 66)
    got = s.edit(L, "{value}", "😀 {valu}")
    check("a misspelling after an emoji", [diag(d) for d in got], [{
        "range": rng(L, 70, L, 74), "severity": 1, "code": "unknown-name",
        "message": "unknown name `valu`; did you mean the field `value`?"}])
    actions = s.request("textDocument/codeAction", {"textDocument": {"uri": s.uri}, "range": rng(L, 70, L, 70),
                                                     "context": {"diagnostics": got}})
    check("its quick fix, in UTF-16 too", [a["edit"] for a in actions],
          [{"changes": {s.uri: [{"range": rng(L, 70, L, 74), "newText": "value"}]}}])
    check("fixed after the emoji", s.edit(L, "😀 {valu}", "{value}"), [])
    check("the text is the council's again", s.text, open(POLICY, encoding="utf-8").read())
    s.end()


# ---- what the language server knows about the council's policy ----------------------------------

def hover_text(s, line, needle, k=1):
    r = s.request("textDocument/hover", s.at(line, needle, k))
    return r and (r["contents"]["value"], r["range"])


def test_knowledge():
    s = Session()
    s.open(POLICY)
    L = SVW_WHEN
    check("hover: a parameter's value and comment", hover_text(s, L, "sv_threshold"), (
        "**parameter** `sv_threshold` = `£100,000`\n\nDelivery and Reporting, 1", rng(L, 38, L, 50)))
    L = EARLY_REQUIRE
    check("hover: a field's type, when it is required, its label and help", hover_text(s, L, "dates.publication"), (
        "**field** `dates.publication`: date, required from tender\n\nlabel: Opportunity published\n\n"
        "help: The date the opportunity was advertised.", rng(L, 61, L, 78)))
    L = SVW_WHEN
    check("hover: a field of an enumeration shows its values", hover_text(s, L, "stage"), (
        "**field** `stage`: stage, required\n\n`stage`: in order: planning, tender, award, delivery\n\n"
        "label: Stage\n\nhelp: Where the procurement is now: planning, tender, award or delivery.",
        rng(L, 10, L, 15)))
    check("hover: an enumeration value", hover_text(s, L, "tender"), (
        "**value** `tender` of the enumeration `stage`, in order: planning, tender, award, delivery",
        rng(L, 19, L, 25)))
    L = FIELD_OUTCOMES
    check("hover: an enumeration", hover_text(s, L, "list of outcome", 10), (
        "**enumeration** `outcome`: strong_economy, safe, health_wellbeing, sustainable_communities, skills_learning",
        rng(L, 47, L, 54)))
    L = MIN_WEIGHTING_IS
    check("hover: a decision's title and citation", hover_text(s, L, "social_value_required"), (
        "**decision** `social_value_required`: Social value must be part of the evaluation\n\n"
        "cite: Delivery and Reporting, 1", rng(L, 10, L, 31)))
    L = RULE_SV_WEIGHTING
    check("hover: a rule's title and citation", hover_text(s, L, "sv-weighting"), (
        "**rule** `sv-weighting`: Social value carries at least the minimum weighting\n\n"
        "cite: Delivery and Reporting, 2", rng(L, 5, L, 17)))
    L = SVW_REQUIRE
    check("hover: a keyword's meaning", hover_text(s, L, "require"), (
        "**require** (keyword): What must hold when the rule applies; the rule fires when it does not "
        "(or cannot be checked for lack of a value).", rng(L, 2, L, 9)))
    L = MEASURE_TARGET
    check("hover: a member of an object through its list", hover_text(s, L, "target"), (
        "**field** `target` of the object `measure`: number, required\n\nlabel: Target", rng(L, 2, L, 8)))
    L = SVW_ELSE
    check("hover: a parameter inside a message", hover_text(s, L, "{sv_threshold}", 2), (
        "**parameter** `sv_threshold` = `£100,000`\n\nDelivery and Reporting, 1", rng(L, 129, L, 141)))
    check("(the keyword record hovers outside a comment)", hover_text(s, line_of("record procurement"), "record") is None,
          False)
    L = FIELD_PUBLICATION
    check("hover: a field's label keyword", hover_text(s, L + 1, "label", 0), (
        "**label** (keyword): `label \"...\"`: the field's name as people read it, on forms and in reports.",
        rng(L + 1, 4, L + 1, 9)))
    check("hover: a field's help keyword", hover_text(s, L + 2, "help", 0), (
        "**help** (keyword): `help \"...\"`: a sentence that helps whoever fills the field in.",
        rng(L + 2, 4, L + 2, 8)))
    check("hover: nothing in a comment", hover_text(s, COMMENT_RECORD, "record"), None)
    check("hover: nothing in a citation", hover_text(s, SVW_CITE, "Delivery"), None)

    # definition
    d = s.request("textDocument/definition", s.at(SVW_WHEN, "tender"))
    check("definition of an enumeration value", d, {"uri": s.uri, "range": rng(ENUM_STAGE, 31, ENUM_STAGE, 37)})
    d = s.request("textDocument/definition", s.at(MIN_WEIGHTING_IS, "minimum_weighting"))
    check("definition of a parameter", d, {"uri": s.uri, "range": rng(PARAM_MIN_WEIGHTING, 2, PARAM_MIN_WEIGHTING, 19)})
    d = s.request("textDocument/definition", s.at(MIN_WEIGHTING_IS, "social_value_required"))
    check("definition of a decision", d, {"uri": s.uri, "range": rng(DECISION_SV_REQUIRED, 9, DECISION_SV_REQUIRED, 30)})
    d = s.request("textDocument/definition", s.at(FIELD_MEASURES, "list of measure", 9))
    check("definition of an object (a field's type)", d, {"uri": s.uri, "range": rng(OBJECT_MEASURE, 7, OBJECT_MEASURE, 14)})
    d = s.request("textDocument/definition", s.at(FIELD_PUBLICATION, "tender"))
    check("definition of `required from tender`", d, {"uri": s.uri, "range": rng(ENUM_STAGE, 31, ENUM_STAGE, 37)})
    d = s.request("textDocument/definition", s.at(SVW_BECAUSE, "weighting.social_value"))
    check("definition of a field in `because`", d, {"uri": s.uri, "range": rng(FIELD_SV_WEIGHTING, 2, FIELD_SV_WEIGHTING, 24)})
    check("definition of nothing", s.request("textDocument/definition", s.at(SVW_WHEN, "when")), None)

    # references (worked out from the policy: every `sv_threshold` outside comments, in the
    # declaration, conditions, `over` branches and `{...}` of messages; figures use none)
    refs = s.request("textDocument/references", dict(s.at(SVW_WHEN, "sv_threshold"), context={"includeDeclaration": True}))
    check("every use of sv_threshold, its declaration and messages included",
          [(r["range"]["start"]["line"] + 1, r["range"]["start"]["character"]) for r in refs],
          [(20, 2), (119, 15), (125, 9), (134, 38), (136, 129), (147, 43), (148, 85), (152, 39), (154, 63),
           (170, 38), (188, 37)])
    refs = s.request("textDocument/references", dict(s.at(PARAM_SV_THRESHOLD, "sv_threshold"),
                                                     context={"includeDeclaration": False}))
    check("references without the declaration", len(refs), 10)
    # the value award: the fields `required from award`, `stage >= award` in rules, the portfolio and
    # figures; not `dates.award` (a field), nor `award` inside a help text
    refs = s.request("textDocument/references", dict(s.at(ENUM_STAGE, "award"), context={"includeDeclaration": False}))
    check("every use of the value award", [r["range"]["start"]["line"] + 1 for r in refs],
          [69, 89, 91, 95, 97, 99, 101, 103, 105, 107, 176, 182, 188, 194, 200, 221, 228, 233])

    # symbols: the outline
    syms = s.request("textDocument/documentSymbol", {"textDocument": {"uri": s.uri}})
    check("the outline", [(x["name"], x["kind"]) for x in syms], [
        ("sv_threshold", 14), ("cabinet_threshold", 14), ("minimum_weighting", 14), ("sme_spend_target", 14),
        ("stage", 10), ("category", 10), ("outcome", 10), ("supplier_size", 10), ("measure", 23),
        ("procurement", 23), ("social_value_required", 12), ("sv_responsibility", 12),
        ("min_social_value_weighting", 12), ("sv-weighting", 6), ("sv-opt-out-evidence", 6), ("sv-opt-out", 6),
        ("sv-below-threshold", 6), ("sv-outcomes-linked", 6), ("weighting-total", 6), ("early-engagement", 6),
        ("living-wage", 6), ("ethical-sourcing", 6), ("contract-manager", 6), ("commitments-published", 6),
        ("sme-vcse-spend", 24), ("in-scope", 16), ("value-in-scope", 16), ("sme-vcse-spend-by-quarter", 16),
        ("sme-spend", 16), ("vcse-spend", 16), ("weighted-as-required", 16), ("committed-measures", 16),
        ("by-responsibility", 16), ("value-by-responsibility", 16), ("by-category", 16)])
    check("an enumeration's values are its children",
          [x["name"] for x in syms[4]["children"]], ["planning", "tender", "award", "delivery"])
    check("the record's fields are its children", len(syms[9]["children"]), 28)
    L = PARAM_SV_THRESHOLD
    check("a symbol's ranges", (syms[0]["range"], syms[0]["selectionRange"], syms[0]["detail"]),
          (rng(L, 2, L, 30), rng(L, 2, L, 14), "£100,000"))

    # formatting: the council's policy is in canonical layout already
    opts = {"tabSize": 2, "insertSpaces": True}
    check("formatting a formatted policy changes nothing",
          s.request("textDocument/formatting", {"textDocument": {"uri": s.uri}, "options": opts}), [])
    s.end()


def test_rename_and_complete():
    s = Session()
    s.open(POLICY)
    edit = s.request("textDocument/rename", dict(s.at(SVW_REQUIRE, "minimum_weighting"), newName="min_weighting"))
    edits = edit["changes"][s.uri]
    check("rename a parameter: every use",
          [(e["range"]["start"]["line"] + 1, e["range"]["start"]["character"], e["newText"]) for e in edits],
          [(27, 2, "min_weighting"), (130, 66, "min_weighting"), (135, 36, "min_weighting"),
           (136, 79, "min_weighting")])
    prep = s.request("textDocument/prepareRename", s.at(DECISION_MIN_WEIGHTING, "min_social_value_weighting"))
    L = DECISION_MIN_WEIGHTING
    check("prepare to rename a decision", prep, {"range": rng(L, 9, L, 35), "placeholder": "min_social_value_weighting"})
    edit = s.request("textDocument/rename", dict(s.at(MIN_WEIGHTING_IS, "social_value_required"), newName="sv_required"))
    # the declaration, the decision min_social_value_weighting and three figures
    check("rename a decision", [e["range"]["start"]["line"] + 1 for e in edit["changes"][s.uri]], [117, 130, 211, 216, 238])

    def refused(at, name):
        r = s.c.call("textDocument/rename", dict(at, newName=name))
        return r.get("error", {}).get("message")

    check("rename refused: the name is taken", refused(s.at(SVW_REQUIRE, "minimum_weighting"), "cabinet_threshold"),
          "`cabinet_threshold` is already a parameter (line %d)" % (PARAM_CABINET + 1))
    check("rename refused: a field's name", refused(s.at(SVW_REQUIRE, "minimum_weighting"), "value"),
          "`value` is already a field (line %d)" % (FIELD_VALUE + 1))
    check("rename refused: the start of fields", refused(s.at(SVW_REQUIRE, "minimum_weighting"), "dates"),
          "`dates` is already the start of the field `dates.engagement` (line %d)" % (FIELD_ENGAGEMENT + 1))
    check("rename refused: a keyword", refused(s.at(SVW_REQUIRE, "minimum_weighting"), "when"),
          "`when` is a keyword of the language")
    check("rename refused: not a name", refused(s.at(SVW_REQUIRE, "minimum_weighting"), "min weighting"),
          "`min weighting` is not a name: use letters, digits and `_`, starting with a letter")
    check("rename refused: a field", refused(s.at(SVW_REQUIRE, "weighting.social_value"), "sv_weighting"),
          "only parameters and decisions can be renamed")
    check("rename refused: a rule", refused(s.at(RULE_SV_WEIGHTING, "sv-weighting"), "sv-weight"),
          "only parameters and decisions can be renamed")
    r = s.c.call("textDocument/prepareRename", s.at(SVW_WHEN, "stage"))
    check("prepareRename refused for a field", r.get("error", {}).get("code"), -32803)

    def labels(line, needle, k):
        r = s.request("textDocument/completion", s.at(line, needle, k))
        return [i["label"] for i in r["items"]]

    check("complete fields after a path prefix", labels(SVW_REQUIRE, "weighting.social_value", 10),
          ["price", "quality", "social_value"])
    check("complete a group of fields", labels(ETHICAL_REQUIRE, "supplier.ethical", 9),
          ["name", "size", "vcse", "living_wage", "ethical"])
    check("complete values of the compared enumeration", labels(SVW_WHEN, "tender", 0),
          ["planning", "tender", "award", "delivery"])
    check("complete values in a list of `in`", labels(SME_SHARE, "small", 0),
          ["micro", "small", "medium", "sme", "large"])
    check("complete what is typed", labels(SVW_WHEN, "tender", 1), ["tender"])
    check("complete a decision declared above, not below", labels(MIN_WEIGHTING_IS, "social_value_required", 3),
          ["social_value.opt_out", "social_value.opt_out_evidence", "social_value.outcomes",
           "social_value.measures", "social_value_required"])
    check("no decision from below", labels(SV_REQUIRED_IS, "sv_threshold", 2), ["sv_threshold"])
    check("complete clause keywords at the start of a line", labels(SVW_REQUIRE, "require", 2),
          ["review", "record", "require", "report"])
    check("(a blank line after the rule sv-weighting)", s.text.split("\n")[SVW_BECAUSE + 1], "")
    r = s.request("textDocument/completion", {"textDocument": {"uri": s.uri},
                                              "position": {"line": SVW_BECAUSE + 1, "character": 0}})
    snippet = [i for i in r["items"] if i["kind"] == 15 and i["label"] == "rule (new rule)"]
    check("a snippet for a new rule", [(i["insertTextFormat"], i["textEdit"]["newText"].split("\n")[0]) for i in snippet],
          [(2, 'rule ${1:rule-id} "${2:What the rule requires}"')])
    item = s.request("textDocument/completion", s.at(SVW_REQUIRE, "minimum_weighting", 3))["items"][0]
    check("a completion replaces what is typed", (item["label"], item["kind"], item["textEdit"]),
          ("minimum_weighting", 21, {"range": rng(SVW_REQUIRE, 36, SVW_REQUIRE, 39), "newText": "minimum_weighting"}))
    check("nothing to complete in a comment",
          s.request("textDocument/completion", s.at(0, "North", 2))["items"], [])
    s.end()


def test_formatting():
    s = Session()
    text = open(POLICY, encoding="utf-8").read()
    messy = text.replace("  sv_threshold      = £100,000", "  sv_threshold = £100,000", 1) \
                .replace("  require weighting.social_value >= minimum_weighting",
                         "    require   weighting.social_value>=minimum_weighting", 1)
    s.open(POLICY, messy)
    edits = s.request("textDocument/formatting", {"textDocument": {"uri": s.uri},
                                                  "options": {"tabSize": 2, "insertSpaces": True}})
    check("formatting is one edit", len(edits), 1)
    lines = messy.split("\n")
    e = edits[0]
    start, end = e["range"]["start"], e["range"]["end"]

    def offset(p):
        before = "\n".join(lines[:p["line"]]) + ("\n" if p["line"] else "")
        return len(before) + len(lines[p["line"]].encode("utf-16-le")[: 2 * p["character"]].decode("utf-16-le"))

    result = messy[:offset(start)] + e["newText"] + messy[offset(end):]
    fmt = subprocess.run([SVP, "fmt", POLICY], capture_output=True, text=True).stdout
    check("the edit gives svp fmt's layout", result, fmt)
    check("it starts where the text first differs (after the £ line's start)", start, {"line": PARAM_SV_THRESHOLD, "character": 15})
    s.edit(SVW_WHEN, "sv_threshold", "sv_threshold and (")
    r = s.c.call("textDocument/formatting", {"textDocument": {"uri": s.uri}, "options": {}})
    check("a policy with syntax errors is not formatted", r.get("error"),
          {"code": -32803, "message": "the policy has syntax errors (see the problems): it was not formatted"})
    s.end()


def test_versions():
    d = tempfile.mkdtemp(prefix="svp lsp versions ")  # a space, %20 in the URI
    try:
        text = open(POLICY, encoding="utf-8").read()
        old = os.path.join(d, "a-2020.svp")
        new = os.path.join(d, "b-2021.svp")
        with open(old, "w", encoding="utf-8") as f:
            f.write(text)
        s = Session(today="2021-06-01")
        got = s.open(old)
        check("alone, the review is due", [diag(x) for x in got], [{
            "range": rng(0, 0, 0, 0), "severity": 2, "code": "review-due",
            "message": "annual review due since April 2021: version 2020.1 took effect on 2020-04-01 "
                       "and no newer version is given"}])
        out = subprocess.run([SVP, "check", "--today", "2021-06-01", old], capture_output=True, text=True).stderr
        check("(svp check says the same)", out.strip(), old + ": warning: " + got[0]["message"])
        newer = text.replace('version   "2020.1"', 'version   "2021.1"').replace("effective 2020-04-01", "effective 2021-04-01")
        with open(new, "w", encoding="utf-8") as f:
            f.write(newer)
        s.c.notify("textDocument/didSave", {"textDocument": {"uri": s.uri}})
        check("with a newer version in the folder, no reminder", s.c.diagnostics(s.uri)["diagnostics"], [])
        os.remove(new)
        s.c.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": "file://" + urllib.parse.quote(new), "type": 3}]})
        check("the newer version deleted: the reminder is back", [x["code"] for x in s.c.diagnostics(s.uri)["diagnostics"]],
              ["review-due"])
        with open(new, "w", encoding="utf-8") as f:
            f.write(newer)
        got = s.edit(8, "2020-04-01", "2021-04-01")
        check("two versions on one day: an error", [diag(x) for x in got], [{
            "range": rng(0, 0, 0, 0), "severity": 1, "code": "version-same-day",
            "message": "%s and %s both take effect on 2021-04-01: two versions of \"NELC Social Value Policy\" "
                       "cannot be in force on the same day" % (old, new)}])
        s.end()
    finally:
        shutil.rmtree(d)


def test_import_mapping():
    """An import mapping (also a .svp file) gets the mapping's diagnostics, as svp check gives them."""
    s = Session()
    path = os.path.join(ROOT, "policies", "import", "ocds.svp")
    check("the shipped OCDS mapping opens clean", s.open(path), [])
    line = next(i for i, l in enumerate(s.text.split("\n")) if l.startswith("import"))
    got = s.edit(line, "import", "imprt")
    check("a broken mapping: diagnostics, the first an error", bool(got) and got[0]["severity"], 1)
    broken = os.path.join(os.path.dirname(path), ".lsp-test-broken.svp")  # beside it: `into` is relative
    try:
        with open(broken, "w", encoding="utf-8") as f:
            f.write(s.text)
        out = subprocess.run([SVP, "check", broken], capture_output=True, text=True).stderr
        first = re.match(r"^.*?:(\d+):(\d+): error: (.*)$", out.split("\n")[0])
        check("(svp check says the same first)", first and (int(first.group(1)) - 1, first.group(3)),
              (got[0]["range"]["start"]["line"], got[0]["message"]) if got else None)
    finally:
        os.remove(broken)
    check("fixed", s.edit(line, "imprt", "import"), [])
    s.end()


# ---- what a client can get wrong ------------------------------------------------------------------

def test_robustness():
    r = subprocess.run([SVP, "lsp", "--port", "8080"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    check("an unknown option: a usage error", (r.returncode, r.stderr.split("\n")[0]),
          (2, "svp: usage: svp lsp [--stdio] [--today YYYY-MM-DD]"))
    r = subprocess.run([SVP, "lsp", "--stdio"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    check("--stdio (as editors pass it) is accepted; input ending without exit: status 1",
          (r.returncode, r.stdout, r.stderr), (1, "", ""))
    c = Client(WRAP + [SVP, "lsp"])
    r = c.call("textDocument/hover", {"textDocument": {"uri": "file:///x.svp"}, "position": {"line": 0, "character": 0}})
    check("a request before initialize", r["error"]["code"], -32002)
    c.request("initialize", {"capabilities": {}})
    check("initialize twice", c.call("initialize", {})["error"]["code"], -32600)
    c.send_raw(b"Content-Length: 5\r\n\r\n{oops")
    check("a body that is not JSON", c.read_message(), {"jsonrpc": "2.0", "id": None,
                                                         "error": {"code": -32700, "message": "the message is not JSON"}})
    c.send_raw(b"Content-Type: application/json\r\n\r\n")
    check("a header without Content-Length", c.read_message()["error"],
          {"code": -32700, "message": "the header has no Content-Length"})
    c.send_raw(b"Content-Length: 12x\r\n\r\n")
    check("a Content-Length that is not a number", c.read_message()["error"]["message"],
          "Content-Length is not a number of bytes")
    c.send_raw(b"Content-Length: 20000000\r\n\r\n" + b" " * 1000)
    check("a message too large", c.read_message()["error"]["message"], "a message larger than svp reads")
    # the rest of the oversized body is skipped without being kept: send it, then a good request
    remaining = 20000000 - 1000
    chunk = b" " * (1 << 20)
    while remaining > 0:
        n = min(remaining, len(chunk))
        c.send_raw(chunk[:n])
        remaining -= n
    check("after it, requests are answered", c.call("shutdown" if False else "textDocument/hover", {
        "textDocument": {"uri": "file:///never-opened.svp"}, "position": {"line": 0, "character": 0}})["error"],
          {"code": -32602, "message": "the document file:///never-opened.svp is not open: send textDocument/didOpen first"})
    check("an unknown method", c.call("textDocument/semanticTokens/full", {})["error"],
          {"code": -32601, "message": "unknown method textDocument/semanticTokens/full"})
    check("a request with no params", c.call("textDocument/definition")["error"]["code"], -32602)
    check("a position that is not a number", c.call("textDocument/hover", {
        "textDocument": {"uri": "file:///x.svp"}, "position": {"line": "one", "character": 0}})["error"]["code"], -32602)
    c.send({"jsonrpc": "2.0", "id": [1], "method": "shutdown"})
    check("an id that is a list", c.read_message()["error"]["code"], -32600)
    c.send([1, 2, 3])
    check("a batch (LSP has none)", c.read_message()["error"]["code"], -32600)
    c.notify("textDocument/didChange", {"textDocument": {"uri": "file:///never-opened.svp"}, "contentChanges": [{"text": "x"}]})
    c.notify("some/unknownNotification", {})
    # a position past the end, an edit with a range past the end: clamped, not crashed
    c.notify("textDocument/didOpen", {"textDocument": {"uri": "file:///tmp/t.svp", "version": 1, "text": "policy \"P\"\n"}})
    c.diagnostics("file:///tmp/t.svp")
    c.notify("textDocument/didChange", {"textDocument": {"uri": "file:///tmp/t.svp", "version": 2}, "contentChanges": [
        {"range": rng(99, 99, 5, 0), "text": "£"}, {"range": rng(0, 99999, 0, 2), "text": "\u00e9"}]})
    got = c.diagnostics("file:///tmp/t.svp")
    check("odd edits are applied clamped", got["version"], 2)
    r = c.request("textDocument/hover", {"textDocument": {"uri": "file:///tmp/t.svp"}, "position": {"line": 1e6, "character": 7}})
    check("hover past the end", r, None)
    c.notify("exit")
    check("exit without shutdown: status 1", c.close(), 1)


def test_many_edits():
    """A 1 MiB policy edited a thousand times: every edit answered, memory not growing."""
    text = open(POLICY, encoding="utf-8").read()
    big = text
    n = 0
    # SVP_LSP_BYTES makes the policy smaller (make valgrind: the council's own size)
    size = int(os.environ.get("SVP_LSP_BYTES", 1 << 20))
    while len((big + "\n").encode("utf-8")) < size - 2000:
        n += 1
        big += "\nrule extra-%d \"An extra rule\"\n  cite    \"Governance\"\n  when    value > sv_threshold\n" \
               "  require stage >= tender\n  else    warning \"extra %d: %s\"\n" % (n, n, "padding " * 30)
    # A sanitizer build keeps freed memory in quarantine (256 MiB by default),
    # which fills over the edits whatever the server does: a small quarantine
    # lets its resident size settle, as the release build's does.  (Builds
    # without AddressSanitizer ignore the variable.)
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(x for x in (env.get("ASAN_OPTIONS", ""), "quarantine_size_mb=4") if x)
    c = Client(WRAP + [SVP, "lsp", "--today", TODAY], timeout=120, env=env)
    c.request("initialize", {"capabilities": {}})
    uri = "file:///big/policy.svp"
    c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "version": 0, "text": big}})
    check("the policy of %d bytes is clean" % len(big.encode("utf-8")), c.diagnostics(uri)["diagnostics"], [])
    line = big.count("\n")  # the last line: `  else    warning "extra N: ..."`
    rss = []
    for v in range(1, 1001):
        # type an x and take it away again, alternately: the text breaks and heals
        if v % 2:
            change = {"range": rng(line - 1, 2, line - 1, 2), "text": "x"}
        else:
            change = {"range": rng(line - 1, 2, line - 1, 3), "text": ""}
        c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": v}, "contentChanges": [change]})
        got = c.diagnostics(uri)
        if got["version"] != v or (v % 2 == 0 and got["diagnostics"]) or (v % 2 and not got["diagnostics"]):
            check("edit %d answered in order" % v, (got["version"], len(got["diagnostics"])), (v, int(v % 2)))
            break
        if v in (100, 1000):
            with open("/proc/%d/status" % c.proc.pid) as f:
                rss.append(int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)))
    check("a thousand edits answered", v, 1000)
    if len(rss) == 2 and not WRAP:  # (under valgrind, its own memory is counted too)
        check("memory after 1000 edits within 4 MiB of after 100 (%d kB, %d kB)" % tuple(rss),
              rss[1] - rss[0] < 4096, True)
    c.request("shutdown")
    c.notify("exit")
    check("the server exits cleanly", c.close(), 0)


# ---- tables and lists of objects (policies/proxy-values.svp) ---------------------------------------

def test_tables():
    s = Session()
    path = os.path.join(os.path.dirname(POLICY), "proxy-values.svp")
    check("the proxy-values policy opens clean", s.open(path), [])
    L = s.text.split("\n").index("  is   sum over commitments of quantity * proxy_value[measure]")
    check("hover: a table read names the table", hover_text(s, L, "proxy_value"), (
        "**table** `proxy_value`: Proxy values, £ per unit (illustrative)\n\n"
        "keyed by text, 11 rows; edition by toms_edition: 2024, 2025\n\ncite: Proxy values, 1", rng(L, 42, L, 53)))
    r = s.request("textDocument/definition", s.at(L, "proxy_value"))
    T = s.text.split("\n").index('table proxy_value "Proxy values, £ per unit (illustrative)"')
    check("definition of a table read: its declaration", r and r["range"], rng(T, 6, T, 17))
    check("hover: an item's member inside `sum over`", hover_text(s, L, "quantity"), (
        "**field** `quantity` of the object `commitment`: number, required", rng(L, 31, L, 39)))
    r = s.request("textDocument/definition", s.at(L, "[measure]", 2))
    M = s.text.split("\n").index("  measure  text   required")
    check("definition of an item's member: the object's field", r and r["range"], rng(M, 2, M, 9))
    check("hover: the keyword table", hover_text(s, T, "table")[0].split(":")[0], "**table** (keyword)")
    E = s.text.split("\n").index("  keyed by   text")
    check("hover: the keyword keyed", hover_text(s, E, "keyed"),
          ("**keyed** (keyword): `keyed by text` or `keyed by ENUM`: what a table's keys are.", rng(E, 2, E, 7)))
    s.edit(L, "proxy_value[measure]", "proxy")
    items = s.request("textDocument/completion", s.at(L, "proxy", 5))["items"]
    check("complete a table: its name and `[`", [(i["label"], i["kind"], i["textEdit"]["newText"]) for i in items],
          [("proxy_value", 22, "proxy_value[")])
    symbols = s.request("textDocument/documentSymbol", {"textDocument": {"uri": s.uri}})
    check("document symbols: the tables, as arrays", [(x["name"], x["kind"]) for x in symbols if x["kind"] == 18],
          [("proxy_value", 18), ("theme_of", 18)])


# ---- the units of issue 11 -------------------------------------------------------------------

UNITS = "examples/units/units.svp"


def test_units():
    s = Session()
    check("units: the policy opens clean", [d["message"] for d in s.open(UNITS)], [])
    lines = s.text.split("\n")
    L = lines.index("  is   value / 12 rounded down")
    check("hover: rounded", hover_text(s, L, "rounded")[0], (
        "**rounded** (keyword): `A / B rounded down`, `rounded up` or `rounded to nearest` (halves away from zero): "
        "every division says how it rounds, to the penny, a hundredth of a per cent or a ten-thousandth."))
    T = lines.index("  is   months from start to end")
    check("hover: months", hover_text(s, T, "months")[0], (
        "**months** (keyword): `months from A to B`: the whole calendar months from date A to date B; one month "
        "after 31 January is 28 February."))
    C = lines.index("  is   min(value, cap)")
    check("hover: min", hover_text(s, C, "min(")[0].split(":")[0], "**min** (keyword)")
    got = s.edit(L, " rounded down", "")
    check("units: a division without its rounding says how to write it",
          [d["message"] for d in got],
          ["say how `value / 12` rounds: write `value / 12 rounded down`, `rounded up` or `rounded to nearest`"])
    s.edit(L, "/ 12", "/ 12 rounded down")
    r = s.request("textDocument/completion", s.at(L, "is   ", 5))
    words = [i["label"] for i in (r["items"] if isinstance(r, dict) else r)]
    check("complete: the unit keywords are offered", all(w in words for w in ("min", "max", "months", "days")), True)
    s.end()


def test_rules_of_issue_11():
    s = Session()
    path = os.path.join(os.path.dirname(POLICY), "..", "tests", "rules", "policy.svp")
    check("the rules policy opens clean (its tier warning allowed)", s.open(path), [])
    lines = s.text.split("\n")
    W = lines.index("working decision big \"Above the threshold\"")
    check("hover: the keyword working", hover_text(s, W, "working", 0)[0].split(":")[0], "**working** (keyword)")
    A = [i for i, l in enumerate(lines) if l.startswith("  allow tier-not-monotonic")][0]
    check("hover: the keyword allow", hover_text(s, A, "allow", 0)[0].split(":")[0], "**allow** (keyword)")
    got = s.edit(A, "allow tier-not-monotonic", "allow never-fires")
    check("an allow a decision cannot have: an error at its code", [(x["code"], x["range"]) for x in got],
          [("unknown-name", rng(A, 8, A, 19))])
    s.edit(A, "allow never-fires", "allow tier-not-monotonic")
    E = [i for i, l in enumerate(lines) if l.startswith("  else    error when")][0]
    got = s.edit(E, "published >= mandatory", "published >= mandatory or method = open and sv > 5%")
    check("precedence: a warning that says how it reads", [(x["code"], x["severity"]) for x in got],
          [("and-or-precedence", 2)])
    s.end()


if __name__ == "__main__":
    tests = [test_break_and_fix, test_knowledge, test_rename_and_complete, test_formatting, test_versions,
             test_import_mapping, test_robustness, test_many_edits, test_tables, test_units,
             test_rules_of_issue_11]
    only = sys.argv[2:]
    for t in tests:
        if only and t.__name__ not in only:
            continue
        try:
            t()
        except Exception as e:  # a hang or a crash of the server fails the test, it does not stop the rest
            failures.append(t.__name__)
            print("FAIL %s: %s: %s" % (t.__name__, type(e).__name__, e))
            traceback.print_exc()
    print("lsp: %d checks, %d failed" % (checks, len(failures)))
    sys.exit(1 if failures else 0)
