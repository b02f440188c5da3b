#!/usr/bin/env bash
# Verify a running Freshet devstack schema registry (Apicurio 2.4.2) end to end.
#
#   devstack/registry/check.sh URL [ARTIFACT_ID]
#
#   URL          base URL of the registry, e.g. http://127.0.0.1:8085
#   ARTIFACT_ID  optional; default is a fresh id (freshet-check-<time>-<pid>)
#
# Steps: register an Avro schema (or find it already there), set a BACKWARD compatibility rule,
# check that a compatible change passes the dry-run test and that an incompatible new version is
# refused with 409, and read the schema and rule back (also through the Confluent-compatible API).
#
# Persistence check: run it with a fixed ARTIFACT_ID, restart the registry with the same
# REGISTRY_DATA, and run it again with the same ARTIFACT_ID: the second run finds the artifact
# and its rule instead of creating them, and fails if they are missing or changed.
#
# Needs only bash and curl. Exit status 0 = all checks passed; non-zero with a FAIL message otherwise.
set -euo pipefail

usage() { echo "usage: $0 URL [ARTIFACT_ID]   (e.g. $0 http://127.0.0.1:8085)" >&2; exit 2; }
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi

BASE="${1%/}"
ID="${2:-freshet-check-$(date +%s)-$$}"
GROUP=default
API="$BASE/apis/registry/v2"
ART="$API/groups/$GROUP/artifacts/$ID"

fail() { echo "check.sh: FAIL: $*" >&2; exit 1; }
ok() { echo "check.sh: ok: $*"; }

BODY="$(mktemp)"
ERR="$(mktemp)"
trap 'rm -f "$BODY" "$ERR"' EXIT

# req METHOD URL [DATA [HEADER...]] -> sets STATUS, body in $BODY. Fails on a transport error.
req() {
  local method="$1" url="$2"; shift 2
  local args=(-sS -o "$BODY" -w '%{http_code}' -X "$method" --max-time 30)
  if [ $# -gt 0 ]; then
    args+=(--data-binary "$1"); shift
    local h; for h in "$@"; do args+=(-H "$h"); done
  fi
  STATUS="$(curl "${args[@]}" "$url" 2>"$ERR")" || fail "$method $url: cannot reach the registry: $(cat "$ERR")"
}
body() { cat "$BODY"; }
nospace() { tr -d '[:space:]'; }

# Version 1, a field added with a default (backward compatible), a required field added (not).
V1='{"type":"record","name":"FreshetCheck","namespace":"io.freshet.check","fields":[{"name":"id","type":"string"},{"name":"ts","type":"long"}]}'
V_COMPAT='{"type":"record","name":"FreshetCheck","namespace":"io.freshet.check","fields":[{"name":"id","type":"string"},{"name":"ts","type":"long"},{"name":"note","type":["null","string"],"default":null}]}'
V_INCOMPAT='{"type":"record","name":"FreshetCheck","namespace":"io.freshet.check","fields":[{"name":"id","type":"string"},{"name":"ts","type":"long"},{"name":"tenant","type":"string"}]}'
JSON='Content-Type: application/json'

# 0. Reachable and really an Apicurio registry.
req GET "$API/system/info"
[ "$STATUS" = 200 ] || fail "GET $API/system/info returned HTTP $STATUS: $(body)"
grep -q '"apicurio-registry"' "$BODY" || fail "$API/system/info does not look like Apicurio Registry: $(body)"
ok "registry reachable at $BASE ($(grep -o '"version":"[^"]*"' "$BODY" || true))"

# 1. Register the schema, unless it is already there (second run after a restart).
req GET "$ART/meta"
case "$STATUS" in
  404)
    req POST "$API/groups/$GROUP/artifacts" "$V1" "$JSON" "X-Registry-ArtifactId: $ID" "X-Registry-ArtifactType: AVRO"
    [ "$STATUS" = 200 ] || fail "registering artifact $ID returned HTTP $STATUS: $(body)"
    grep -q "\"id\":\"$ID\"" "$BODY" || fail "register response does not name artifact $ID: $(body)"
    ok "registered Avro schema $GROUP/$ID"
    EXISTED=false
    ;;
  200)
    grep -q '"type":"AVRO"' "$BODY" || fail "existing artifact $ID is not AVRO: $(body)"
    ok "artifact $GROUP/$ID already present (persisted), reusing it"
    EXISTED=true
    ;;
  *) fail "GET $ART/meta returned HTTP $STATUS: $(body)" ;;
esac

# 2. BACKWARD compatibility rule (create it, or find it already set).
req GET "$ART/rules/COMPATIBILITY"
if [ "$STATUS" = 404 ]; then
  [ "$EXISTED" = false ] || fail "artifact $ID exists but its COMPATIBILITY rule is gone (not persisted?)"
  req POST "$ART/rules" '{"type":"COMPATIBILITY","config":"BACKWARD"}' "$JSON"
  case "$STATUS" in 200|204) ;; *) fail "creating the COMPATIBILITY rule returned HTTP $STATUS: $(body)" ;; esac
  req GET "$ART/rules/COMPATIBILITY"
fi
[ "$STATUS" = 200 ] || fail "GET $ART/rules/COMPATIBILITY returned HTTP $STATUS: $(body)"
body | nospace | grep -q '"config":"BACKWARD"' || fail "COMPATIBILITY rule is not BACKWARD: $(body)"
ok "COMPATIBILITY rule is BACKWARD"

# 3a. A compatible change passes (dry run: PUT .../test creates no version).
req PUT "$ART/test" "$V_COMPAT" "$JSON"
case "$STATUS" in 200|204) ;; *) fail "a backward-compatible change was refused (HTTP $STATUS): $(body)" ;; esac
ok "backward-compatible change accepted by the rule (dry run)"

# 3b. An incompatible version (new required field, no default) is refused with 409.
req POST "$ART/versions" "$V_INCOMPAT" "$JSON"
[ "$STATUS" = 409 ] || fail "incompatible version: expected HTTP 409, got $STATUS: $(body)"
grep -qi 'compatib' "$BODY" || fail "409 response does not mention compatibility: $(body)"
ok "incompatible version refused with 409"

# 4. Read back: version 1 is the schema we registered; the latest is still version 1.
req GET "$ART/versions/1"
[ "$STATUS" = 200 ] || fail "GET $ART/versions/1 returned HTTP $STATUS: $(body)"
[ "$(body | nospace)" = "$(printf '%s' "$V1" | nospace)" ] || fail "version 1 content differs from what was registered: $(body)"
req GET "$ART/meta"
[ "$STATUS" = 200 ] || fail "GET $ART/meta returned HTTP $STATUS: $(body)"
grep -q '"version":"1"' "$BODY" || fail "latest version is not 1 (the refused version was stored?): $(body)"
ok "schema read back unchanged (version 1 is latest)"

# 5. Same schema through the Confluent-compatible API.
req GET "$BASE/apis/ccompat/v7/subjects/$ID/versions/latest"
[ "$STATUS" = 200 ] || fail "ccompat GET subjects/$ID/versions/latest returned HTTP $STATUS: $(body)"
grep -q 'FreshetCheck' "$BODY" || fail "ccompat response does not hold the schema: $(body)"
ok "schema visible at /apis/ccompat/v7"

echo "check.sh: PASS ($BASE, artifact $GROUP/$ID)"
