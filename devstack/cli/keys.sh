# shellcheck shell=bash
# `./freshet key ...`: a tenant's scoped API keys through the analytics API's admin API (docs/contracts.md). `write`
# only sends events (safe in a web page), `read` only asks the analytics API.

KEY_COMMANDS="create list rotate revoke"

cmd_key() { run_subcommand key "$KEY_COMMANDS" "$@"; }

# The arguments of a key command, for its usage line (command_usage).
key_arguments() {
  case $1 in
    create) echo "<tenant> --scopes read,write|read|write [--name NAME]" ;;
    list) echo "<tenant>" ;;
    rotate|revoke) echo "<tenant> <key-id>" ;;
  esac
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
  subcommand_help key "$KEY_COMMANDS" "<command> <tenant> [arguments] [--json]" "${1:-}" <<EOF
Each command has --help; --json prints the analytics API's answer. They call the analytics API
($(url_of analytics-api); ANALYTICS_PORT moves it) with the admin token: FRESHET_ADMIN_TOKEN, else .freshet/admin-token.
A refusal prints the API's reason and exits 1. The tenant's read+write key: ./freshet tenant rotate-key.
EOF
}

key_create() {
  local usage scopes answer named=()
  usage=$(command_usage key create)
  parse_args "$usage" "--scopes= --name= --json" "$@"
  want_args "$usage" "tenant id"
  has_opt --scopes || die "missing --scopes (read,write, read or write). $usage"
  IFS=, read -ra scopes <<<"$(opt --scopes)"
  if has_opt --name; then named=(--arg name "$(opt --name)"); fi
  answer=$(admin_call analytics-api POST "$(tenant_path "${ARGS[0]}" "/api-keys")" \
    "$(jq -cn "${named[@]}" '{scopes: $ARGS.positional, name: $ARGS.named.name}' --args "${scopes[@]}")") || exit
  if has_opt --json; then printf '%s\n' "$answer"; return; fi
  print_issued_key "${ARGS[0]}" "$answer"
}

key_list() {
  local usage answer
  usage=$(command_usage key list)
  parse_args "$usage" "--json" "$@"
  want_args "$usage" "tenant id"
  answer=$(admin_call analytics-api GET "$(tenant_path "${ARGS[0]}" "/api-keys")") || exit
  if has_opt --json; then printf '%s\n' "$answer"; return; fi
  print_keys "$answer"
}

key_rotate() {
  local usage answer
  usage=$(command_usage key rotate)
  parse_args "$usage" "--json" "$@"
  want_args "$usage" "tenant id" "key id"
  answer=$(admin_call analytics-api POST \
    "$(tenant_path "${ARGS[0]}" "/api-keys/$(path_segment "${ARGS[1]}")/rotate")") || exit
  if has_opt --json; then printf '%s\n' "$answer"; return; fi
  print_issued_key "${ARGS[0]}" "$answer"
}

key_revoke() {
  local usage
  usage=$(command_usage key revoke)
  parse_args "$usage" "--json" "$@"
  want_args "$usage" "tenant id" "key id"
  admin_call analytics-api DELETE \
    "$(tenant_path "${ARGS[0]}" "/api-keys/$(path_segment "${ARGS[1]}")")" >/dev/null || exit
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
