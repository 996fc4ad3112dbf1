#!/bin/sh
# Stages what the 2nd-gen functions are built from: package.json, package-lock.json and the compiled
# dist/ (run `npm run build` first). Cloud Functions installs the production dependencies itself.
# Usage (from the repo root): sh infra/stage-function-source.sh
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/infra/.build/function-source"

if [ ! -f "$root/dist/functions/index.js" ]; then
  echo "dist/functions/index.js is missing: run \`npm run build\` first." >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out"
cp "$root/package.json" "$root/package-lock.json" "$out/"
cp -R "$root/dist" "$out/dist"
echo "staged function source in $out"
