#!/usr/bin/env bash
# vscode.sh [BUILD] - package the VS Code extension and test it: the
# TextMate grammar against editors/vscode/test/*.svp (vscode-tmgrammar-test),
# and the .vsix holds what VS Code needs to run it without the network
# (the client library, the grammar, the language configuration).
# Needs npm and the npm registry (make editors-test; CI runs it).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$root/build}
fail=0
vsix=$(bash "$root/editors/vscode/build.sh" "$build") || { echo "FAIL packaging the extension"; exit 1; }
echo "packaged $vsix"
cd "$build/vscode" || exit 1
if ! npx --no-install vscode-tmgrammar-test -g syntaxes/svp.tmLanguage.json 'test/*.svp'; then
    echo "FAIL the grammar tests"
    fail=1
fi
# the grammar over the council's whole policy: every line tokenised, none left unscoped as invalid
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
(cd "$unpacked" && unzip -q "$vsix") || { echo "FAIL the .vsix is not a zip"; exit 1; }
for f in extension/package.json extension/extension.js extension/language-configuration.json \
         extension/syntaxes/svp.tmLanguage.json extension/node_modules/vscode-languageclient/node.js; do
    [ -f "$unpacked/$f" ] || { echo "FAIL the .vsix has no $f"; fail=1; }
done
# what package.json promises is there, and the client library loads from the package alone
node -e '
const path = require("path"), dir = process.argv[1];
const pkg = require(path.join(dir, "package.json"));
const lang = pkg.contributes.languages[0], gram = pkg.contributes.grammars[0];
const fail = (m) => { console.log("FAIL " + m); process.exitCode = 1; };
if (lang.id !== "svp" || lang.extensions.join() !== ".svp") fail("the language is not svp for .svp files");
if (gram.scopeName !== "source.svp") fail("the grammar scope is not source.svp");
for (const f of [pkg.main, lang.configuration, gram.path]) require("fs").accessSync(path.join(dir, f));
const conf = JSON.parse(require("fs").readFileSync(path.join(dir, lang.configuration)));
if (conf.comments.lineComment !== "#") fail("comments are not #");
require.resolve("vscode-languageclient/node", { paths: [dir] });
if (pkg.contributes.configurationDefaults["[svp]"]["editor.formatOnSave"] !== true) fail("no format on save");
' "$unpacked/extension" || fail=1
[ $fail -eq 0 ] && echo "vscode: grammar tests and package checks passed"
exit $fail
