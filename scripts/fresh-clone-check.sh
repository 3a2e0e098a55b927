#!/usr/bin/env bash
# The install proof, repeatable in about two minutes: a fresh clone of this checkout, `npm install` exactly
# as the README has it, then the bounded `npm start` smoke (scripts/smoke-start.mjs). On a machine that
# reaches only the npm registry it must end in the loopback host, serving the app, with the reason printed.
# Usage: scripts/fresh-clone-check.sh [target-dir]
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$(mktemp -d "${TMPDIR:-/tmp}/fb-fresh-clone-XXXXXX")}"
git clone -q "$src" "$dest"
cd "$dest"
npm install
node scripts/smoke-start.mjs
