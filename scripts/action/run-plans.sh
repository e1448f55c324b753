#!/usr/bin/env bash
# Runs each plan for the action, each into its own report folder, and records the exit code the
# job ends with: 0 when every plan ended as expected, else the exit code of the first that did not.
# A plan matching EXPECT_FAILURE must exit 1 (it proves a bad canary is caught); any other must exit 0.
#   PLANS           plan files or globs, separated by spaces or newlines ('' runs the shipped tutorial)
#   TARGET          --target for meshproof (kind, existing, kwok, local)
#   REPORTS         folder for the report folders (default reports)
#   EXPECT_FAILURE  globs of plans that must exit 1 (optional)
#   EXTRA_ARGS      more flags for every run (optional; split on spaces)
#   MESHPROOF       the command (default meshproof)
#   GITHUB_OUTPUT   from the runner: exit-code and reports are written to it
set -uo pipefail

: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: this runs inside a GitHub Actions job}"
target="${TARGET:-kind}"
reports="${REPORTS:-reports}"
meshproof="${MESHPROOF:-meshproof}"
read -r -a extra <<< "${EXTRA_ARGS:-}"
# The patterns, split on white space but not yet expanded: each is expanded on its own below.
set -f
patterns=(${PLANS:-})
failing=(${EXPECT_FAILURE:-})
set +f
mkdir -p "$reports"

plans=()
if [ ${#patterns[@]} -eq 0 ]; then
  plans=(tutorial)
else
  shopt -s nullglob
  for pattern in "${patterns[@]}"; do
    matched=($pattern)
    if [ ${#matched[@]} -eq 0 ]; then
      echo "::error::no plan file matches $pattern"
      echo "exit-code=2" >> "$GITHUB_OUTPUT"
      echo "reports=$reports" >> "$GITHUB_OUTPUT"
      exit 0
    fi
    plans+=("${matched[@]}")
  done
  shopt -u nullglob
fi

status=0
for plan in "${plans[@]}"; do
  if [ "$plan" = tutorial ]; then
    name=tutorial
    args=(tutorial)
  else
    # One folder per plan: its path below the working folder, slashes as dashes (plans/gateway-api/canary.yaml
    # → plans-gateway-api-canary), so twins in two folders keep two reports.
    name="$(printf '%s' "${plan%.y*ml}" | sed -e 's#^\./##' -e 's#[^A-Za-z0-9._-]#-#g')"
    args=(run "$plan")
  fi
  expected=0
  for pattern in ${failing[@]+"${failing[@]}"}; do
    # shellcheck disable=SC2053 # a glob on purpose
    if [[ "$plan" == $pattern ]]; then expected=1; fi
  done
  echo "::group::meshproof ${args[*]} --target $target (expected exit $expected)"
  "$meshproof" "${args[@]}" --target "$target" --report-dir "$reports/$name" ${extra[@]+"${extra[@]}"}
  code=$?
  echo "::endgroup::"
  if [ "$code" -ne "$expected" ]; then
    echo "::error::$plan exited $code, expected $expected"
    if [ "$status" -eq 0 ]; then status=$code; [ "$status" -eq 0 ] && status=1; fi
  else
    echo "$plan exited $code, as expected"
  fi
done

echo "exit-code=$status" >> "$GITHUB_OUTPUT"
echo "reports=$reports" >> "$GITHUB_OUTPUT"
