#!/usr/bin/env bash
# Appends every report's summary.md under REPORTS to the job summary, one after another in name order.
#   REPORTS               folder of report folders (default reports)
#   GITHUB_STEP_SUMMARY   from the runner
set -euo pipefail

: "${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY is not set: this runs inside a GitHub Actions job}"
reports="${REPORTS:-reports}"
shopt -s nullglob
found=0
for f in "$reports"/*/summary.md; do
  cat "$f" >> "$GITHUB_STEP_SUMMARY"
  echo >> "$GITHUB_STEP_SUMMARY"
  found=$((found + 1))
done
if [ "$found" -eq 0 ]; then
  echo "meshproof wrote no summary.md under $reports/ (no plan ran far enough to write a report)" >> "$GITHUB_STEP_SUMMARY"
fi
echo "appended $found summary.md to the job summary"
