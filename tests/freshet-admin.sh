#!/usr/bin/env bash
# Tests of the admin verbs of the `freshet` command line (`tenant ...`, `key ...`) against a running stack's analytics
# API (`./freshet test` runs this before tests/freshet-cli.sh): what they print for a person and as JSON, refusals
# and bad arguments as one clear sentence with a non-zero exit, and no secret on a command line: every curl and jq
# they run goes through a wrapper that records its arguments and what ps shows at that moment.
# The tenants it creates (cli-test-...) stay: the admin API deletes none.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# expect_json <name> <jq condition> -- command...: exit 0 and JSON on stdout that meets the condition; it stays in $out
expect_json() {
  local name=$1 condition=$2 code; shift 3
  out=$("$@" 2>"$scratch/stderr"); code=$?
  if [ $code -ne 0 ]; then fail "$name: exit $code: $(cat "$scratch/stderr")"; return; fi
  if jq -e "$condition" <<<"$out" >/dev/null 2>&1; then pass "$name"; else fail "$name: not $condition: $out"; fi
}

# Every curl and jq of the command line runs through a wrapper that records its arguments and the ps listing of that
# moment (the command line's own processes, the wrapper's arguments being the real command's).
mkdir -p "$scratch/bin" "$scratch/trace"
for tool in curl jq; do
  cat >"$scratch/bin/$tool" <<EOF
#!/usr/bin/env bash
printf '%s\n' "$tool \$*" >>"$scratch/trace/argv"
ps -eo pid,args >>"$scratch/trace/ps"
exec $(command -v "$tool") "\$@"
EOF
  chmod +x "$scratch/bin/$tool"
done
wrapped=(env PATH="$scratch/bin:$PATH")
fr() { "${wrapped[@]}" "$FRESHET" "$@"; }

# The secrets that must appear on no command line: the admin token, and each key the verbs print (added as they come).
(umask 077 && touch "$scratch/secrets")
secret() { [ -z "$1" ] || printf '%s\n' "$1" >>"$scratch/secrets"; }
secret "${FRESHET_ADMIN_TOKEN:-$(cat "$ROOT/.freshet/admin-token" 2>/dev/null)}"
[ -s "$scratch/secrets" ] || { echo "freshet admin tests: no admin token (FRESHET_ADMIN_TOKEN or .freshet/admin-token)"; exit 1; }

analytics=http://127.0.0.1:${ANALYTICS_PORT:-8083}
gateway=http://127.0.0.1:${INGEST_PORT:-8080}
curl -fsS -m 5 -o /dev/null "http://127.0.0.1:${ANALYTICS_MANAGEMENT_PORT:-9083}/q/health/ready" \
  || { echo "freshet admin tests: the analytics API does not answer at $analytics: run './freshet up' first"; exit 1; }
tenant=cli-test-$(date +%s)-$RANDOM
other=$tenant-b

echo "freshet admin CLI tests (tenant $tenant)"

# help and bad arguments, refused before any request
expect "tenant --help lists the commands" 0 "Usage: ./freshet tenant <command>" -- fr tenant --help
expect "tenant create --help says what it does" 0 "prints its API key" -- fr tenant create --help
expect "key revoke --help says how to call it" 0 "Usage: ./freshet key revoke <tenant> <key-id>" -- fr key revoke --help
expect "tenant without a command says how to call it" nonzero "tenant needs a command. Usage:" -- fr tenant
expect "an unknown tenant command is named" nonzero "unknown tenant command 'bogus'" -- fr tenant bogus
expect "a missing tenant id is named" nonzero "missing the tenant id. Usage: ./freshet tenant create" -- fr tenant create
expect "an unknown option is named" nonzero "unknown option '--nmae'" -- fr tenant create "$tenant" --nmae x
expect "an option without its value is named" nonzero "--name needs a value" -- fr tenant create "$tenant" --name
expect "an extra argument is named" nonzero "unexpected argument 'extra'" -- fr key list "$tenant" extra
expect "a rate that is no number is refused" nonzero "--events-per-second takes a whole number" -- \
  fr tenant limits "$tenant" --events-per-second fast
expect "limits without the rate say so" nonzero "missing --events-per-second N" -- fr tenant limits "$tenant"
expect "origins without origins or --clear say so" nonzero "missing the origins to allow" -- fr tenant origins "$tenant"
expect "a rules file that is not there is named" nonzero "cannot read the rules file '$scratch/none.json'" -- \
  fr tenant rules "$tenant" "$scratch/none.json"
expect "key create without scopes says so" nonzero "missing --scopes" -- fr key create "$tenant"
expect "key rotate without a key id says so" nonzero "missing the key id" -- fr key rotate "$tenant"

# where the token and the API come from
mkdir -p "$scratch/checkout/devstack"
cp "$FRESHET" "$scratch/checkout/freshet"
cp -r "$ROOT/devstack/cli" "$scratch/checkout/devstack/cli"
expect "no admin token is named with its fix" nonzero "no admin token: set FRESHET_ADMIN_TOKEN" -- \
  "${wrapped[@]}" FRESHET_ADMIN_TOKEN= "$scratch/checkout/freshet" tenant list
expect "a wrong admin token is named" nonzero "(401): the admin token" -- \
  "${wrapped[@]}" FRESHET_ADMIN_TOKEN=not-the-token "$FRESHET" tenant list
expect "an analytics API that does not answer is named" nonzero "analytics-api did not answer at http://127.0.0.1:1/" -- \
  "${wrapped[@]}" ANALYTICS_PORT=1 "$FRESHET" tenant list

# tenants
expect_json "tenant create --json prints the id and the key" \
  "$(printf '.id == "%s" and (.apiKey | type) == "string" and (.apiKey | length) > 20' "$tenant")" -- \
  fr tenant create "$tenant" --name "CLI test" --json
key=$(jq -r '.apiKey // empty' <<<"$out"); secret "$key"
code=000
for _ in $(seq 1 20); do # the gateway learns of the tenant from Kafka: an empty batch is 400 for a known key, 401 else
  code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 -X POST -H @<(printf 'Authorization: Bearer %s\n' "$key") \
    -H 'Content-Type: application/json' -d '[]' "$gateway/v1/events")
  [ "$code" = 400 ] && break
  sleep 0.5
done
if [ "$code" = 400 ]; then pass "the printed key is the tenant's key at the gateway"; else fail "the printed key at the gateway: HTTP $code"; fi
expect "a second create of the id is refused with the API's reason" nonzero "Tenant '$tenant' already exists" -- \
  fr tenant create "$tenant"
expect "an id the API refuses is refused with its reason" nonzero "'id' must match" -- fr tenant create Not_An_Id
expect "tenant create prints the key for a person, once" 0 "shown only now" -- fr tenant create "$other"
secret "$(awk '$1 == "api" && $2 == "key:" {print $3}' <<<"$out")"
if [[ $out == *"api key:"* ]]; then pass "tenant create names the key"; else fail "tenant create: $out"; fi
expect_json "tenant list --json lists the tenant with its name" \
  "$(printf 'any(.[]; .id == "%s" and .name == "CLI test")' "$tenant")" -- fr tenant list --json
expect "tenant list is a table" 0 "TENANT" -- fr tenant list
if grep -Eq "^$tenant +CLI test +default +none +0 " <<<"$out"; then pass "tenant list shows the tenant's line"; else fail "tenant list: $out"; fi
expect_json "tenant show --json shows the tenant and its read+write key" \
  '.name == "CLI test" and (.keys | length) == 1 and (.keys[0].scopes | sort) == ["read", "write"]' -- \
  fr tenant show "$tenant" --json
expect "tenant show lists name and keys" 0 "keys:" -- fr tenant show "$tenant"
if grep -Eq '^name: +CLI test$' <<<"$out"; then pass "tenant show has aligned key: value lines"; else fail "tenant show: $out"; fi
expect "tenant show of an unknown tenant is refused" nonzero "No tenant 'nope-$tenant'" -- fr tenant show "nope-$tenant"
expect_json "tenant rotate-key --json prints a new key" "$(printf '.id == "%s" and .apiKey != "%s"' "$tenant" "$key")" -- \
  fr tenant rotate-key "$tenant" --json
secret "$(jq -r '.apiKey // empty' <<<"$out")"
expect "rotate-key of an unknown tenant is refused" nonzero "No tenant 'nope-$tenant'" -- fr tenant rotate-key "nope-$tenant"

# rules, limits, origins
printf '%s\n' '{"validation": {"required": {"order.created": ["order_id"]}}, "transform": {"hash": ["email"]}}' >"$scratch/rules.json"
expect_json "tenant rules from a file saves version 1" '.rulesVersion == 1' -- fr tenant rules "$tenant" "$scratch/rules.json" --json
rules_from_stdin() { fr tenant rules "$tenant" - <<<"$1"; }
expect "tenant rules from standard input saves version 2" 0 "saved as version 2" -- rules_from_stdin '{"transform": {"tags": {"env": "test"}}}'
expect "rules the API refuses are refused with its reason" nonzero "(400)" -- rules_from_stdin '{"transform": {"sample": {"*": 2}}}'
if [[ $out == *sample* ]]; then pass "the refusal names the broken rule"; else fail "refused rules: $out"; fi
expect_json "tenant limits sets the rate" '.rateLimitPerSecond == 500' -- fr tenant limits "$tenant" --events-per-second 500 --json
expect "tenant limits 0 is the default" 0 "the default number of events per second" -- \
  fr tenant limits "$tenant" --events-per-second 0
expect "a rate the API refuses is refused with its reason" nonzero "'eventsPerSecond' must be between" -- \
  fr tenant limits "$tenant" --events-per-second 20000000
expect_json "tenant origins sets the origins" '.allowedOrigins == ["https://shop.example.com", "http://localhost:3000"]' -- \
  fr tenant origins "$tenant" https://shop.example.com http://localhost:3000 --json
expect "a bad origin is refused with the API's reason" nonzero "no '*'" -- fr tenant origins "$tenant" 'https://*.example.com'
expect_json "tenant origins --clear allows none" '.allowedOrigins == []' -- fr tenant origins "$tenant" --clear --json

# scoped keys
expect_json "key create --json prints a write key" '.scopes == ["write"] and .name == "web" and (.apiKey | length) > 20' -- \
  fr key create "$tenant" --scopes write --name web --json
key_id=$(jq -r .id <<<"$out"); write_key=$(jq -r .apiKey <<<"$out"); secret "$write_key"
expect "key create prints the secret for a person, once" 0 "The secret is shown only now" -- fr key create "$tenant" --scopes read,write
secret "$(awk '$1 == "secret:" {print $2}' <<<"$out")"
if grep -Eq '^scopes: +read,write$' <<<"$out"; then pass "key create names the scopes"; else fail "key create: $out"; fi
expect "scopes the API refuses are refused with its reason" nonzero "'scopes' must list" -- fr key create "$tenant" --scopes admin
expect "a key of an unknown tenant is refused" nonzero "No tenant 'nope-$tenant'" -- fr key create "nope-$tenant" --scopes read
expect_json "key list --json lists the key, without a secret" \
  "$(printf 'any(.[]; .id == "%s" and .name == "web") and all(.[]; has("apiKey") | not)' "$key_id")" -- fr key list "$tenant" --json
expect "key list is a table" 0 "KEY" -- fr key list "$tenant"
if grep -Eq "^$key_id +web +write " <<<"$out"; then pass "key list shows the key's line"; else fail "key list: $out"; fi
expect_json "key rotate keeps the id and scopes, with a new secret" \
  "$(printf '.id == "%s" and .scopes == ["write"] and .apiKey != "%s"' "$key_id" "$write_key")" -- fr key rotate "$tenant" "$key_id" --json
secret "$(jq -r '.apiKey // empty' <<<"$out")"
expect_json "key revoke --json says it is revoked" "$(printf '.id == "%s" and .revoked' "$key_id")" -- \
  fr key revoke "$tenant" "$key_id" --json
expect_json "a revoked key is no longer listed" "$(printf 'all(.[]; .id != "%s")' "$key_id")" -- fr key list "$tenant" --json
expect "a key revoked twice is refused with the API's reason" nonzero "has no key '$key_id'" -- fr key revoke "$tenant" "$key_id"

# called from elsewhere, through a symlink
ln -s "$FRESHET" "$scratch/freshet-link"
expect_json "freshet works from another directory through a symlink" "$(printf 'any(.[]; .id == "%s")' "$tenant")" -- \
  "${wrapped[@]}" bash -c "cd / && '$scratch/freshet-link' tenant list --json"

# sources: the tenant's MQTT login (shown once) and a database source (its password from the environment)
expect_json "source mqtt gives the tenant's MQTT login" \
  "$(printf '.username == "%s" and (.password | startswith("fsk_")) and .topicPrefix == "freshet/%s/"' "$tenant" "$tenant")" -- \
  fr source mqtt "$tenant" --json
secret "$(jq -r .password <<<"$out")"
expect "source list shows MQTT on, never its password" 0 "user $tenant" -- fr source list "$tenant"
expect "a database source without --tables is refused with the flag named" nonzero "--tables is missing" -- \
  fr source database "$tenant" shop --host 127.0.0.1 --database demo --user freshet
database_password=cli-test-db-$RANDOM$RANDOM
secret "$database_password"
export FRESHET_SOURCE_PASSWORD=$database_password
expect "a database source on a host the operator did not allow is refused, naming the setting" nonzero \
  "FRESHET_SOURCES_ALLOWED_HOSTS" -- \
  fr source database "$tenant" shop --host 127.0.0.1 --port 1 --database demo --user freshet --tables public.orders
expect "source database saves the source and names its replication slot" 0 "slot freshet_${tenant//-/_}_shop_" -- \
  fr source database "$tenant" shop --host 127.0.0.1 --port "${POSTGRES_PORT:-5432}" --database demo --user freshet \
  --tables public.orders
expect "a table without its schema is refused with the API's reason" nonzero "as schema.table" -- \
  fr source database "$tenant" shop --host 127.0.0.1 --database demo --user freshet --tables orders
unset FRESHET_SOURCE_PASSWORD
expect_json "source list --json shows the database, never its password" \
  '.databases[0].name == "shop" and (.databases[0] | has("password") | not)' -- fr source list "$tenant" --json
expect "source remove forgets it" 0 "removed" -- fr source remove "$tenant" shop
expect "source mqtt-off turns the login off" 0 "MQTT is off" -- fr source mqtt-off "$tenant"
expect "source of an unknown tenant is refused with the API's reason" nonzero "No tenant 'nope-nope'" -- fr source list nope-nope

# no secret on a command line
calls=$(grep -c . "$scratch/trace/argv")
if [ "$calls" -lt 50 ] || ! grep -q '^curl .*/v1/admin/tenants' "$scratch/trace/argv"; then
  fail "the wrappers saw $calls calls: are curl and jq the wrapped ones?"
elif grep -qF -f "$scratch/secrets" "$scratch/trace/argv" "$scratch/trace/ps"; then
  fail "a secret was on a command line: $(grep -lF -f "$scratch/secrets" "$scratch/trace/argv" "$scratch/trace/ps" | paste -sd ' ' -)"
else
  pass "no token or key on the command line of any of $calls curl and jq calls, nor in ps while each ran"
fi

finish "freshet admin CLI tests"
