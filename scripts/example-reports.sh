#!/usr/bin/env bash
# Writes the deterministic JSON report (wallMs zeroed) of every example to
# DIR/<name>.json, so that two trees can be compared with `diff -r`:
#   scripts/example-reports.sh /tmp/before   # on main
#   scripts/example-reports.sh /tmp/after    # after a change
#   diff -r /tmp/before /tmp/after
set -euo pipefail
out=${1:?usage: scripts/example-reports.sh DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
for topology in "$root"/examples/*.yaml; do
  name=$(basename "$topology" .yaml)
  status=0
  node "$root/packages/cli/bin/ioasim.js" run "$topology" --json >"$out/$name.raw" 2>"$out/$name.err" || status=$?
  node -e '
    const fs = require("node:fs");
    const text = fs.readFileSync(process.argv[1], "utf8");
    const report = JSON.parse(text);
    report.wallMs = 0;
    fs.writeFileSync(process.argv[2], JSON.stringify(report, null, 1) + "\n");
  ' "$out/$name.raw" "$out/$name.json"
  echo "exit $status" >>"$out/$name.json"
  rm -f "$out/$name.raw" "$out/$name.err"
done
echo "wrote $(ls "$out"/*.json | wc -l) reports to $out"
