#!/usr/bin/env bash
# build.sh BUILD - package the VS Code extension as BUILD/svp-policy-VERSION.vsix.
#
# The extension's files are copied to BUILD/vscode/, its npm packages
# (vscode-languageclient, and @vscode/vsce and vscode-tmgrammar-test for
# packaging and testing) installed there from the npm registry at the
# versions package-lock.json pins (`npm ci`; the network is needed here, and
# only here: the packaged extension runs without it), and vsce packages it.
# Nothing is written into editors/vscode/.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "${1:-build}" 2>/dev/null && pwd || { mkdir -p "${1:-build}" && cd "${1:-build}" && pwd; })
out="$build/vscode"
command -v npm >/dev/null || { echo "build.sh: npm is needed (Debian: apt-get install nodejs npm; make setup does it)" >&2; exit 2; }
mkdir -p "$out"
# the sources, fresh each time (node_modules is kept between runs)
for f in package.json package-lock.json extension.js language-configuration.json README.md .vscodeignore; do
    cp "$here/$f" "$out/$f"
done
rm -rf "$out/syntaxes" "$out/test"
cp -r "$here/syntaxes" "$here/test" "$out/"
cd "$out"
if [ ! -d node_modules ] || ! cmp -s package-lock.json node_modules/.svp-lock; then
    npm ci --no-audit --no-fund --loglevel=error >&2 # stdout is the .vsix path alone
    cp package-lock.json node_modules/.svp-lock
fi
version=$(node -p 'require("./package.json").version')
vsix="$build/svp-policy-$version.vsix"
npx --no-install vsce package --allow-missing-repository --skip-license -o "$vsix" >/dev/null
echo "$vsix"
