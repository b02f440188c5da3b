# shellcheck shell=bash
# `./freshet key ...`: a tenant's scoped API keys through the analytics API's admin API (docs/contracts.md). `write`
# only sends events (safe in a web page), `read` only asks the analytics API.

KEY_COMMANDS="create list rotate revoke"

cmd_key() { run_subcommand key "$KEY_COMMANDS" "$@"; }

key_usage() {
  local arguments
  case $1 in
    create) arguments="<tenant> --scopes read,write|read|write [--name NAME]" ;;
    list) arguments="<tenant>" ;;
    rotate|revoke) arguments="<tenant> <key-id>" ;;
  esac
  printf 'Usage: ./freshet key %s %s [--json]\n' "$1" "$arguments"
}

# What a key command does; the first line is its summary in `./freshet key --help`.
key_about() {
  case $1 in
    create) printf '%s\n' "Creates a key of the tenant with the scopes and prints its secret, shown only this once." \
      "write: sends events only (safe in a web page or an app); read: asks the analytics API only. NAME defaults to" \
      "the scopes." ;;
    list) printf '%s\n' "Lists the tenant's keys: id, name, scopes, creation time (never a secret)." ;;
    rotate) printf '%s\n' "Gives the key a new secret (same id and scopes) and prints it, shown only this once." \
      "The old secret stops working at once." ;;
    revoke) printf '%s\n' "Revokes the key: it stops working at once." ;;
  esac
}

key_help() {
  if [ -n "${1:-}" ]; then
    printf '%s\n\n' "$(key_usage "$1")"
    key_about "$1"
    printf '\n%s\n' "--json prints the analytics API's answer (JSON) instead."
    return
  fi
  local command
  say "Usage: ./freshet key <command> <tenant> [arguments] [--json]"
  say
  for command in $KEY_COMMANDS; do
    printf '  %s\n      %s\n' "$(key_usage "$command" | sed 's/^Usage: .\/freshet key //; s/ \[--json\]$//')" \
      "$(key_about "$command" | head -n 1)"
  done
  say
  say "Each command has --help; --json prints the analytics API's answer. They call the analytics API"
  say "($(url_of analytics-api); ANALYTICS_PORT moves it) with the admin token: FRESHET_ADMIN_TOKEN, else .freshet/admin-token."
  say "A refusal prints the API's reason and exits 1. The tenant's read+write key: ./freshet tenant rotate-key."
}

key_create() {
  local usage scopes answer named=()
  usage=$(key_usage create)
  parse_args "$usage" "--scopes= --name= --json" "$@"
  want_args "$usage" "tenant id"
  has_opt --scopes || die "missing --scopes (read,write, read or write). $usage"
  IFS=, read -ra scopes <<<"$(opt --scopes)"
  if has_opt --name; then named=(--arg name "$(opt --name)"); fi
  answer=$(admin_call analytics-api POST "/v1/admin/tenants/$(path_segment "${ARGS[0]}")/api-keys" \
    "$(jq -cn "${named[@]}" '{scopes: $ARGS.positional, name: $ARGS.named.name}' --args "${scopes[@]}")") || exit
  if has_opt --json; then printf '%s\n' "$answer"; return; fi
  print_issued_key "${ARGS[0]}" "$answer"
}

key_list() {
  local usage answer
  usage=$(key_usage list)
  parse_args "$usage" "--json" "$@"
  want_args "$usage" "tenant id"
  answer=$(admin_call analytics-api GET "/v1/admin/tenants/$(path_segment "${ARGS[0]}")/api-keys") || exit
  if has_opt --json; then printf '%s\n' "$answer"; return; fi
  print_keys "$answer"
}

key_rotate() {
  local usage answer
  usage=$(key_usage rotate)
  parse_args "$usage" "--json" "$@"
  want_args "$usage" "tenant id" "key id"
  answer=$(admin_call analytics-api POST \
    "/v1/admin/tenants/$(path_segment "${ARGS[0]}")/api-keys/$(path_segment "${ARGS[1]}")/rotate") || exit
  if has_opt --json; then printf '%s\n' "$answer"; return; fi
  print_issued_key "${ARGS[0]}" "$answer"
}

key_revoke() {
  local usage
  usage=$(key_usage revoke)
  parse_args "$usage" "--json" "$@"
  want_args "$usage" "tenant id" "key id"
  admin_call analytics-api DELETE \
    "/v1/admin/tenants/$(path_segment "${ARGS[0]}")/api-keys/$(path_segment "${ARGS[1]}")" >/dev/null || exit
  if has_opt --json; then
    jq -cn --arg tenant "${ARGS[0]}" --arg id "${ARGS[1]}" '{tenant: $tenant, id: $id, revoked: true}'
    return
  fi
  say "Key ${ARGS[1]} of tenant ${ARGS[0]} is revoked: it stopped working."
}

# A key as created or rotated (the admin API's JSON, with its secret) of TENANT, for a person.
print_issued_key() {
  jq -r --arg tenant "$1" '"tenant:\t\($tenant)", "key:\t\(.id)", "name:\t\(.name)", "scopes:\t\(.scopes | sort | join(","))",
    "secret:\t\(.apiKey)"' <<<"$2" | print_table
  say "The secret is shown only now: keep it."
}

# Keys as the admin API lists them (JSON), as a table after INDENT.
print_keys() {
  if [ "$(jq length <<<"$1")" = 0 ]; then say "${2:-}none"; return; fi
  jq -r '["KEY", "NAME", "SCOPES", "CREATED"], (.[] | [.id, .name, (.scopes | sort | join(",")), .createdAt]) | @tsv' <<<"$1" \
    | print_table "${2:-}"
}
