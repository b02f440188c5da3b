# shellcheck shell=bash
# What the command-line tests share: pass/fail lines, a count of failures, a scratch directory, and `expect`.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this file
FRESHET=$ROOT/freshet
failures=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

pass() { printf '  ok    %s\n' "$1"; }
fail() { printf '  FAIL  %s\n' "$1"; failures=$((failures + 1)); }
# expect <name> <expected exit: 0|nonzero> <text the output must contain> -- command...; the output stays in $out
expect() {
  local name=$1 want=$2 text=$3 code; shift 4
  out=$("$@" 2>&1); code=$?
  if [ "$want" = 0 ] && [ $code -ne 0 ]; then fail "$name: exit $code, output: $out"; return; fi
  if [ "$want" = nonzero ] && [ $code -eq 0 ]; then fail "$name: exit 0, expected failure; output: $out"; return; fi
  if [[ $out != *"$text"* ]]; then fail "$name: output lacks '$text': $out"; return; fi
  pass "$name"
}

# Ends the test script: exit 1 when anything failed. NAME names the suite.
finish() {
  if [ "$failures" -gt 0 ]; then echo "$1: $failures failed"; exit 1; fi
  echo "$1: all passed"
}
