# shellcheck shell=bash
# `./freshet source ...`: a tenant's sources besides HTTP (MQTT devices, PostgreSQL changes) through the analytics API's
# admin API (docs/sources.md), and the demo database of `up`.

SOURCE_COMMANDS="list mqtt mqtt-off database remove"

cmd_source() { run_subcommand source "$SOURCE_COMMANDS" "$@"; }

# The arguments of a source command, for its usage line (command_usage).
source_arguments() {
  case $1 in
    list|mqtt|mqtt-off) echo "<tenant>" ;;
    database) echo "<tenant> <name> --host HOST [--port 5432] --database DB --user USER --tables SCHEMA.TABLE,... [--snapshot]" ;;
    remove) echo "<tenant> <name>" ;;
  esac
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
  subcommand_help source "$SOURCE_COMMANDS" "<command> <tenant> [arguments] [--json]" "${1:-}" <<EOF
The sources service ($(url_of sources)) reads them; './freshet logs sources' shows what it does.
EOF
}

sources_path() { tenant_path "$1" "/sources${2:-}"; }

source_list() {
  local usage answer
  usage=$(command_usage source list)
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
  usage=$(command_usage source mqtt)
  parse_args "$usage" "--json" "$@"
  want_args "$usage" "tenant id"
  answer=$(admin_call analytics-api POST "$(sources_path "${ARGS[0]}" /mqtt)") || exit
  if has_opt --json; then printf '%s\n' "$answer"; return; fi
  jq -r --arg url "${MQTT_URL:-$(url_of mqtt)}" '"broker:\t\($url)", "username:\t\(.username)", "password:\t\(.password)",
    "client ids:\t\(.username):<device name>", "topics:\t\(.topicPrefix)<type>"' <<<"$answer" | print_table
  say "The password is shown only now. Try (mosquitto_pub takes it on its command line, which ps shows: for a test only):"
  say "  mosquitto_pub -h 127.0.0.1 -q 1 -u ${ARGS[0]} -P <password> -i ${ARGS[0]}:device-1 \\"
  say "    -t '$(jq -r .topicPrefix <<<"$answer")reading' -m '{\"properties\":{\"temperature\":21.5}}'"
}

source_mqtt_off() {
  local usage
  usage=$(command_usage source mqtt-off)
  parse_args "$usage" "--json" "$@"
  want_args "$usage" "tenant id"
  admin_call analytics-api DELETE "$(sources_path "${ARGS[0]}" /mqtt)" >/dev/null || exit
  if has_opt --json; then jq -cn --arg tenant "${ARGS[0]}" '{tenant: $tenant, mqtt: false}'; return; fi
  say "MQTT is off for ${ARGS[0]}: its login stopped working."
}

source_database() {
  local usage password body answer option
  usage=$(command_usage source database)
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
  usage=$(command_usage source remove)
  parse_args "$usage" "--json" "$@"
  want_args "$usage" "tenant id" "source name"
  admin_call analytics-api DELETE "$(sources_path "${ARGS[0]}" "/databases/$(path_segment "${ARGS[1]}")")" >/dev/null || exit
  if has_opt --json; then jq -cn --arg tenant "${ARGS[0]}" --arg name "${ARGS[1]}" '{tenant: $tenant, name: $name, removed: true}'; return; fi
  say "Database source ${ARGS[1]} of ${ARGS[0]} removed."
}

# The local PostgreSQL's demo database, made once.
ensure_demo_database() {
  [ -n "$(part_pid postgres)" ] || return 0
  PGPASSWORD=$(<"$STATE/postgres-password") psql -h 127.0.0.1 -p "$(port_of postgres)" -U freshet -d postgres -tAq \
    -v ON_ERROR_STOP=1 <<<"SELECT 'CREATE DATABASE demo' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'demo') \gexec" \
    || die "postgres: cannot create the demo database (see $LOGS/postgres.log)."
}
