# shellcheck shell=bash
# `./freshet source ...`: a tenant's sources besides HTTP (MQTT devices, PostgreSQL changes) through the analytics API's
# admin API (docs/sources.md), and the demo database of `up`.

SOURCE_COMMANDS="list mqtt mqtt-off database remove"

cmd_source() { run_subcommand source "$SOURCE_COMMANDS" "$@"; }

source_usage() {
  local arguments
  case $1 in
    list|mqtt|mqtt-off) arguments="<tenant>" ;;
    database) arguments="<tenant> <name> --host HOST [--port 5432] --database DB --user USER --tables SCHEMA.TABLE,... [--snapshot]" ;;
    remove) arguments="<tenant> <name>" ;;
  esac
  printf 'Usage: ./freshet source %s %s [--json]\n' "$1" "$arguments"
}

source_about() {
  case $1 in
    list) printf '%s\n' "Shows the tenant's MQTT login (never its password) and database sources (never their passwords)." ;;
    mqtt) printf '%s\n' "Turns MQTT on for the tenant and prints its login, shown only this once." \
      "User name = tenant id, password = a new write key. Devices publish JSON events to freshet/<tenant>/<type> at QoS 1." \
      "Run again to replace the password; the previous one stops working." ;;
    mqtt-off) printf '%s\n' "Turns MQTT off for the tenant: its login stops working." ;;
    database) printf '%s\n' "Adds (or replaces) a PostgreSQL database whose row changes become the tenant's events." \
      "Events db.<table>.insert|update|delete. The database needs wal_level=logical; USER needs the REPLICATION attribute." \
      "The password is read from FRESHET_SOURCE_PASSWORD, else from standard input: never from the command line." \
      "--snapshot reads the rows already there first (as db.<table>.snapshot events)." ;;
    remove) printf '%s\n' "Stops reading the tenant's database source and forgets it." \
      "Its replication slot stays: drop it in the database with SELECT pg_drop_replication_slot('<slot>')" \
      "('./freshet source list' names it), or the database keeps its WAL." ;;
  esac
}

source_help() {
  if [ -n "${1:-}" ]; then
    printf '%s\n\n' "$(source_usage "$1")"
    source_about "$1"
    printf '\n%s\n' "--json prints the analytics API's answer (JSON) instead."
    return
  fi
  local command
  say "Usage: ./freshet source <command> <tenant> [arguments] [--json]"
  say
  for command in $SOURCE_COMMANDS; do
    printf '  %s\n      %s\n' "$(source_usage "$command" | sed 's/^Usage: .\/freshet source //; s/ \[--json\]$//')" \
      "$(source_about "$command" | head -n 1)"
  done
  say
  say "The sources service ($(url_of sources)) reads them; './freshet logs sources' shows what it does."
}

sources_path() { printf '/v1/admin/tenants/%s/sources%s\n' "$(path_segment "$1")" "${2:-}"; }

source_list() {
  local usage answer
  usage=$(source_usage list)
  parse_args "$usage" "--json" "$@"
  want_args "$usage" "tenant id"
  answer=$(admin_call analytics-api GET "$(sources_path "${ARGS[0]}")") || exit
  if has_opt --json; then printf '%s\n' "$answer"; return; fi
  jq -r '"mqtt:\t\(if .mqtt.enabled then "user \(.mqtt.username), key \(.mqtt.keyId), topics \(.mqtt.topicPrefix)<type>" else "off" end)"' \
    <<<"$answer" | print_table
  if [ "$(jq '.databases | length' <<<"$answer")" = 0 ]; then say "databases: none"; return; fi
  jq -r '["DATABASE", "AT", "USER", "TABLES", "SNAPSHOT", "SLOT"],
    (.databases[] | [.name, "\(.host):\(.port)/\(.database)", .user, (.tables | join(",")), .snapshot, .slot]) | @tsv' \
    <<<"$answer" | print_table
}

source_mqtt() {
  local usage answer
  usage=$(source_usage mqtt)
  parse_args "$usage" "--json" "$@"
  want_args "$usage" "tenant id"
  answer=$(admin_call analytics-api POST "$(sources_path "${ARGS[0]}" /mqtt)") || exit
  if has_opt --json; then printf '%s\n' "$answer"; return; fi
  jq -r --arg url "${MQTT_URL:-$(url_of mqtt)}" '"broker:\t\($url)", "username:\t\(.username)", "password:\t\(.password)",
    "topics:\t\(.topicPrefix)<type>"' <<<"$answer" | print_table
  say "The password is shown only now. Try: mosquitto_pub -h 127.0.0.1 -q 1 -u ${ARGS[0]} -P <password> \\"
  say "  -t '$(jq -r .topicPrefix <<<"$answer")reading' -m '{\"properties\":{\"temperature\":21.5}}'"
}

source_mqtt_off() {
  local usage
  usage=$(source_usage mqtt-off)
  parse_args "$usage" "--json" "$@"
  want_args "$usage" "tenant id"
  admin_call analytics-api DELETE "$(sources_path "${ARGS[0]}" /mqtt)" >/dev/null || exit
  say "MQTT is off for ${ARGS[0]}: its login stopped working."
}

source_database() {
  local usage password body answer option
  usage=$(source_usage database)
  parse_args "$usage" "--host= --port= --database= --user= --tables= --snapshot --json" "$@"
  want_args "$usage" "tenant id" "source name"
  for option in --host --database --user --tables; do
    has_opt "$option" || die "$option is missing. $usage"
  done
  if [ -n "${FRESHET_SOURCE_PASSWORD:-}" ]; then
    password=$FRESHET_SOURCE_PASSWORD
  else
    [ -t 0 ] && printf 'Password of %s: ' "$(opt --user)" >&2
    IFS= read -rs password || die "no password: set FRESHET_SOURCE_PASSWORD or give it on standard input."
    [ -t 0 ] && printf '\n' >&2
  fi
  # the password reaches jq in its environment, never on its command line
  body=$(SOURCE_PASSWORD=$password jq -cn --arg host "$(opt --host)" --arg port "$(opt --port)" --arg database "$(opt --database)" \
    --arg user "$(opt --user)" --arg tables "$(opt --tables)" --argjson snapshot "$(has_opt --snapshot && echo true || echo false)" \
    '{host: $host, port: (if $port == "" then 5432 else ($port | tonumber? // -1) end), database: $database, user: $user,
      password: env.SOURCE_PASSWORD, tables: ($tables | split(",") | map(select(. != ""))), snapshot: $snapshot}')
  answer=$(admin_call analytics-api PUT "$(sources_path "${ARGS[0]}" "/databases/$(path_segment "${ARGS[1]}")")" "$body") || exit
  if has_opt --json; then printf '%s\n' "$answer"; return; fi
  jq -r '"Database source \(.name) saved: \(.host):\(.port)/\(.database), tables \(.tables | join(", ")), slot \(.slot).",
    "Its changes become events db.<table>.insert|update|delete within seconds."' <<<"$answer"
}

source_remove() {
  local usage
  usage=$(source_usage remove)
  parse_args "$usage" "--json" "$@"
  want_args "$usage" "tenant id" "source name"
  admin_call analytics-api DELETE "$(sources_path "${ARGS[0]}" "/databases/$(path_segment "${ARGS[1]}")")" >/dev/null || exit
  say "Database source ${ARGS[1]} of ${ARGS[0]} removed."
}

# The local PostgreSQL's demo database, made once.
ensure_demo_database() {
  [ -z "$(part_pid postgres)" ] && return
  local psql=(psql -h 127.0.0.1 -p "$(port_of postgres)" -U freshet -d postgres -tAq)
  if [ "$(PGPASSWORD=$(<"$STATE/postgres-password") "${psql[@]}" -c "SELECT count(*) FROM pg_database WHERE datname = 'demo'")" = 0 ]; then
    PGPASSWORD=$(<"$STATE/postgres-password") "${psql[@]}" -c "CREATE DATABASE demo" \
      || die "postgres: cannot create the demo database (see $LOGS/postgres.log)."
  fi
}
