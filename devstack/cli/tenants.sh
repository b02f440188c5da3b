# shellcheck shell=bash
# `./freshet tenant ...`: tenants through the analytics API's admin API (docs/contracts.md), and the demo tenant of `up`.

TENANT_COMMANDS="create list show rotate-key rules limits origins"

cmd_tenant() { run_subcommand tenant "$TENANT_COMMANDS" "$@"; }

# The arguments of a tenant command, for its usage line (command_usage).
tenant_arguments() {
  case $1 in
    create) echo "<id> [--name NAME]" ;;
    list) : ;;
    show|rotate-key) echo "<id>" ;;
    rules) echo "<id> <file.json|->" ;;
    limits) echo "<id> --events-per-second N" ;;
    origins) echo "<id> (<origin>... | --clear)" ;;
  esac
}

# What a tenant command does; the first line is its summary in `./freshet tenant --help`.
tenant_about() {
  case $1 in
    create) printf '%s\n' "Creates a tenant and prints its API key (read and write), shown only this once." \
      "The id is 2 to 63 characters: lowercase letters, digits, '-'. NAME defaults to the id." ;;
    list) printf '%s\n' "Lists the tenants: name, events per second, rules version, allowed origins, creation time." ;;
    show) printf '%s\n' "Shows a tenant and its keys (ids, names, scopes; never a secret)." ;;
    rotate-key) printf '%s\n' "Replaces the tenant's read+write key and prints the new one, shown only this once." \
      "The old key stops working at once; the scoped keys of './freshet key' stay as they are." ;;
    rules) printf '%s\n' "Replaces the tenant's rules with the JSON object in the file ('-': standard input)." \
      "The enricher applies them from its next event; rules that cannot work are refused with the reason." \
      "Validation, transformation and alert rules: docs/contracts.md, \"Tenant rules\"; {} removes them all." ;;
    limits) printf '%s\n' "Sets how many events per second the tenant may send (0: the default, FRESHET_INGEST_RATE_LIMIT)." ;;
    origins) printf '%s\n' "Sets the web origins whose pages may use the tenant's keys (CORS), replacing the list." \
      "An origin is scheme://host[:port], e.g. https://app.example.com or http://localhost:3000; --clear allows none." ;;
  esac
}

tenant_help() {
  subcommand_help tenant "$TENANT_COMMANDS" "<command> [arguments] [--json]" "${1:-}" <<EOF
Each command has --help; --json prints the analytics API's answer. They call the analytics API
($(url_of analytics-api); ANALYTICS_PORT moves it) with the admin token: FRESHET_ADMIN_TOKEN, else .freshet/admin-token.
A refusal prints the API's reason and exits 1. Scoped keys (read or write only): ./freshet key --help.
EOF
}

tenant_create() {
  local usage answer named=()
  usage=$(command_usage tenant create)
  parse_args "$usage" "--name= --json" "$@"
  want_args "$usage" "tenant id"
  if has_opt --name; then named=(--arg name "$(opt --name)"); fi
  answer=$(new_tenant "${ARGS[0]}" "${named[@]}") || exit
  if has_opt --json; then printf '%s\n' "$answer"; return; fi
  jq -r '"tenant:\t\(.id)", "api key:\t\(.apiKey)"' <<<"$answer" | print_table
  say "The key reads and writes; it is shown only now: keep it ('./freshet tenant rotate-key ${ARGS[0]}' replaces it)."
}

# new_tenant ID [--arg name NAME]: creates the tenant and prints the analytics API's answer ({"id","apiKey"}).
new_tenant() {
  local id=$1
  shift
  admin_call analytics-api POST /v1/admin/tenants "$(jq -cn --arg id "$id" "$@" '{id: $id, name: $ARGS.named.name}')"
}

tenant_list() {
  local usage answer
  usage=$(command_usage tenant list)
  parse_args "$usage" "--json" "$@"
  want_args "$usage"
  answer=$(admin_call analytics-api GET /v1/admin/tenants) || exit
  if has_opt --json; then printf '%s\n' "$answer"; return; fi
  if [ "$(jq length <<<"$answer")" = 0 ]; then say "No tenants yet: './freshet tenant create <id>' makes one."; return; fi
  jq -r '["TENANT", "NAME", "EVENTS/S", "RULES", "ORIGINS", "CREATED"],
    (.[] | [.id, .name, (if .rateLimitPerSecond == 0 then "default" else .rateLimitPerSecond end),
            (if .rulesVersion == 0 then "none" else "v\(.rulesVersion)" end), ((.allowedOrigins // []) | length), .createdAt])
    | @tsv' <<<"$answer" | print_table
}

tenant_show() {
  local usage id keys tenant
  usage=$(command_usage tenant show)
  parse_args "$usage" "--json" "$@"
  want_args "$usage" "tenant id"
  id=${ARGS[0]}
  tenant=$(admin_call analytics-api GET "$(tenant_path "$id" "")") || exit
  keys=$(admin_call analytics-api GET "$(tenant_path "$id" "/api-keys")") || exit
  if has_opt --json; then jq -cn --argjson tenant "$tenant" --argjson keys "$keys" '$tenant + {keys: $keys}'; return; fi
  jq -r '"tenant:\t\(.id)", "name:\t\(.name)",
    "events/s:\t\(if .rateLimitPerSecond == 0 then "the default" else .rateLimitPerSecond end)",
    "rules:\t\(if .rulesVersion == 0 then "none" else "version \(.rulesVersion)" end)",
    "origins:\t\(.allowedOrigins // [] | if length == 0 then "none" else join(" ") end)",
    "created:\t\(.createdAt)", "updated:\t\(.updatedAt)"' <<<"$tenant" | print_table
  say "keys:"
  print_keys "$keys" "  "
}

tenant_rotate_key() {
  local usage answer
  usage=$(command_usage tenant rotate-key)
  parse_args "$usage" "--json" "$@"
  want_args "$usage" "tenant id"
  answer=$(admin_call analytics-api POST "$(tenant_path "${ARGS[0]}" "/keys")") || exit
  if has_opt --json; then printf '%s\n' "$answer"; return; fi
  jq -r '"tenant:\t\(.id)", "api key:\t\(.apiKey)"' <<<"$answer" | print_table
  say "The old read+write key stopped working; this one is shown only now: keep it."
}

tenant_rules() {
  local usage file rules answer
  usage=$(command_usage tenant rules)
  parse_args "$usage" "--json" "$@"
  want_args "$usage" "tenant id" "rules file (- for standard input)"
  file=${ARGS[1]}
  if [ "$file" = - ]; then
    rules=$(cat)
  else
    if [ ! -f "$file" ] || [ ! -r "$file" ]; then die "cannot read the rules file '$file'. $usage"; fi
    rules=$(<"$file")
  fi
  answer=$(admin_call analytics-api PUT "$(tenant_path "${ARGS[0]}" "/rules")" "$rules") || exit
  if has_opt --json; then printf '%s\n' "$answer"; return; fi
  jq -r '"Rules of \(.id) saved as version \(.rulesVersion): the enricher applies them from its next event."' <<<"$answer"
}

tenant_limits() {
  local usage rate answer
  usage=$(command_usage tenant limits)
  parse_args "$usage" "--events-per-second= --json" "$@"
  want_args "$usage" "tenant id"
  has_opt --events-per-second || die "missing --events-per-second N. $usage"
  rate=$(opt --events-per-second)
  [[ $rate =~ ^[0-9]+$ ]] || die "--events-per-second takes a whole number of events (0: the default), not '$rate'. $usage"
  answer=$(admin_call analytics-api PUT "$(tenant_path "${ARGS[0]}" "/limits")" \
    "$(jq -cn --arg rate "$rate" '{eventsPerSecond: ($rate | tonumber)}')") || exit
  if has_opt --json; then printf '%s\n' "$answer"; return; fi
  jq -r '"\(.id) may send " + (if .rateLimitPerSecond == 0 then "the default number of events per second (FRESHET_INGEST_RATE_LIMIT)."
    else "\(.rateLimitPerSecond) events per second." end)' <<<"$answer"
}

tenant_origins() {
  local usage answer
  usage=$(command_usage tenant origins)
  parse_args "$usage" "--clear --json" "$@"
  want_args "$usage" "tenant id" "origin..."
  if has_opt --clear; then
    [ ${#ARGS[@]} -eq 1 ] || die "--clear allows no origin, so it takes none. $usage"
  else
    [ ${#ARGS[@]} -gt 1 ] || die "missing the origins to allow (or --clear to allow none). $usage"
  fi
  answer=$(admin_call analytics-api PUT "$(tenant_path "${ARGS[0]}" "/origins")" \
    "$(jq -cn '{origins: $ARGS.positional}' --args "${ARGS[@]:1}")") || exit
  if has_opt --json; then printf '%s\n' "$answer"; return; fi
  jq -r '.allowedOrigins // [] | if length == 0 then "No web page may use the keys of this tenant (CORS is refused to every origin)."
    else "Pages of these origins may use the keys of this tenant: \(join(" "))" end' <<<"$answer"
}

# Prints a usable API key of the tenant ID: creates the tenant (named NAME) or, when it exists (409), rotates its
# key, since the admin API shows a key only once. Stops on any other answer.
tenant_key() {
  local id=$1 name=$2 answer key=""
  answer=$(admin_request analytics-api POST /v1/admin/tenants "$(jq -cn --arg id "$id" --arg name "$name" '{id: $id, name: $name}')") || exit
  if [ "$(status_of "$answer")" = 409 ]; then
    answer=$(admin_request analytics-api POST "$(tenant_path "$id" "/keys")") || exit
  fi
  if [[ $(status_of "$answer") == 20[01] ]]; then key=$(body_of "$answer" | jq -r '.apiKey // empty' 2>/dev/null || true); fi
  [ -n "$key" ] || die "could not get a key for the tenant '$id' (HTTP $(status_of "$answer"): $(body_of "$answer"))."
  printf '%s\n' "$key"
}

# The demo tenant's key is shown once by the admin API, so it is kept in .freshet/demo-api-key; when
# the tenant exists but the key file is gone, the key is rotated to get a usable one. A kept key the gateway no
# longer knows (the data was deleted) is replaced: an empty batch is 400 for a known key, 401 for an unknown one.
ensure_demo_tenant() {
  if [ -s "$STATE/demo-api-key" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' -m 10 -X POST \
      -H @<(printf 'Authorization: Bearer %s\n' "$(<"$STATE/demo-api-key")") -H 'Content-Type: application/json' \
      -d '[]' "$(url_of ingest-gateway)/v1/events")" != 401 ]; then
    return
  fi
  local key
  key=$(tenant_key demo Demo) || exit
  (umask 077 && printf '%s\n' "$key" >"$STATE/demo-api-key")
}
