# shellcheck shell=bash
# up, down, status, logs: starting, watching and stopping the parts this checkout runs.

# ------------------------------------------------------------------------------------------- processes
# The fields of /proc/PID/stat after the process's name (its state first, its start time 20th); fails when there is
# no such process.
proc_stat() {
  local stat
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  printf '%s\n' "${stat##*) }"
}

start_time() {
  local fields
  read -ra fields <<<"$(proc_stat "$1")"
  printf '%s\n' "${fields[19]:-}"
}

# True when process PID lives (a zombie, killed and not yet reaped by its parent, is dead however long it lingers)
# and, when STARTED is given, started then.
alive() {
  local fields
  read -ra fields <<<"$(proc_stat "$1")"
  [ ${#fields[@]} -gt 19 ] && [[ ${fields[0]} != [ZX] ]] && [ "${2:-${fields[19]}}" = "${fields[19]}" ]
}

# The pid of a part that this checkout started and whose process lives; empty otherwise. A pid alone proves nothing
# (pids are reused), so the pid file also holds the process's start time, which must match.
part_pid() {
  local pidfile=$RUN/$1.pid pid started
  [ -f "$pidfile" ] || return 0
  read -r pid started <"$pidfile" 2>/dev/null || true
  if [ -n "${pid:-}" ] && [ -n "${started:-}" ] && alive "$pid" "$started"; then
    echo "$pid"
  else
    rm -f "$pidfile" # stale: a killed `up` or a crashed part; the next start repairs it
  fi
}

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# What a part of this checkout is doing, for `up` and `status` alike: "down" (no live process), "silent" (its process
# lives but its port does not answer: still starting, or dying), "running" (its process lives and its port answers).
part_state() {
  if [ -z "$(part_pid "$1")" ]; then echo down
  elif port_taken "$(port_of "$1")"; then echo running
  else echo silent
  fi
}

# Runs a part in its own session (so `down` can stop it with all its children), logging to its file.
launch() {
  local part=$1 pid; shift
  [ -f "$LOGS/$part.log" ] && mv -f "$LOGS/$part.log" "$LOGS/$part.log.1"
  setsid "$@" >"$LOGS/$part.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid $(start_time "$pid")" >"$RUN/$part.pid"
  port_of "$part" >"$RUN/$part.port"
}

# Stops with the fix when another program holds a port of the part.
port_free() {
  local variable port
  for variable in $(port_vars "$1"); do
    port=$(port_value "$variable")
    if port_taken "$port"; then
      die "$1 cannot start: port $port is already in use by another program. Stop that program, or choose another port with $variable=<port>."
    fi
  done
}

start_part() {
  port_free "$1"
  run_start_function "$1"
}

# Starts the given parts that are not running, then waits for each to be ready, one progress line each. A part whose
# process lives but whose port does not answer is not running either (e.g. killed a moment ago, or hung): it is
# stopped and started again.
start_all() {
  local started=() part pid
  for part in "$@"; do
    [ -n "$(external_url "$part")" ] && { say "  $part: external at $(external_url "$part")"; continue; }
    pid=$(part_pid "$part")
    case $(part_state "$part") in
      silent)
        stop_part "$part" >/dev/null
        say "  $part: pid $pid does not answer on port $(port_of "$part"): starting it again" ;;
      running)
        if is_service "$part" && [ "$STATE/build.stamp" -nt "$STATE/app/$part/.installed" ]; then
          stop_part "$part" >/dev/null
          say "  $part: restarting on the new build"
        else
          say "  $part: already running (pid $pid)"
          continue
        fi ;;
    esac
    start_part "$part"
    started+=("$part")
  done
  for part in "${started[@]}"; do
    wait_ready "$part" "${FRESHET_START_TIMEOUT:-180}"
  done
}

wait_ready() {
  local part=$1 timeout=$2 begin=$SECONDS
  printf '  %-15s starting ' "$part"
  while ! is_ready "$part"; do
    if [ -z "$(part_pid "$part")" ]; then
      red failed; say
      fail_part "$part" "it exited during start-up"
    fi
    if (( SECONDS - begin > timeout )); then
      red "timed out"; say
      fail_part "$part" "it was not ready after ${timeout}s"
    fi
    [ -t 1 ] && printf '.'
    sleep 0.5
  done
  say "$(green ready) in $((SECONDS - begin))s $(dim "(pid $(part_pid "$part"), $(url_of "$part"))")"
}

fail_part() {
  local part=$1 reason=$2 cause
  # a Java part's root cause is its last "Caused by:" line; show it before the raw log tail
  cause=$(grep -E '^Caused by: ' "$LOGS/$part.log" 2>/dev/null | tail -n 1 | sed 's/^Caused by: [a-zA-Z0-9_.$]*: //' || true)
  {
    say "$(red "freshet: $part did not come up: $reason${cause:+: $cause}.")"
    say "Last lines of $LOGS/$part.log:"
    tail -n 15 "$LOGS/$part.log" 2>/dev/null | sed 's/^/    /'
    say "Fix the cause above and run './freshet up' again; parts that are up keep running ('./freshet down' stops them)."
  } >&2
  exit 1
}

# What the parts and tests this command starts need: the endpoints, the admin token, tracing when asked for.
export_endpoints() {
  export_part_endpoints
  ensure_secret "$STATE/admin-token" 32
  FRESHET_ADMIN_TOKEN=$(admin_token) && export FRESHET_ADMIN_TOKEN
  # The sources service's own MQTT user; for the local broker it also keeps the broker's users (start_mqtt).
  ensure_secret "$STATE/mqtt-password" 16
  export FRESHET_MQTT_PASSWORD=${FRESHET_MQTT_PASSWORD:-$(cat "$STATE/mqtt-password")}
  if [ -z "$(external_url mqtt)" ]; then
    export FRESHET_MQTT_AUTH_DIR=$STATE/mosquitto FRESHET_MQTT_PID_FILE=$RUN/mosquitto.broker.pid
  fi
  # Tenants' database sources may not reach loopback or private hosts; the local PostgreSQL (the demo's and the tests'
  # tenant database) is the exception, added to the operator's own (docs/sources.md, "Hosts a source may reach").
  local postgres
  postgres=127.0.0.1:$(port_of postgres)
  case ",${FRESHET_SOURCES_ALLOWED_HOSTS:-}," in
    *",$postgres,"*) ;;
    *) export FRESHET_SOURCES_ALLOWED_HOSTS=${FRESHET_SOURCES_ALLOWED_HOSTS:+$FRESHET_SOURCES_ALLOWED_HOSTS,}$postgres ;;
  esac
  # The key that encrypts tenants' database passwords in freshet.tenants: made once; start_service hands it to the two
  # services that use it.
  ensure_secret "$STATE/secrets-key" 32 base64
  # Traces: an OTLP endpoint given turns them on in every service (OpenTelemetry's own variables; see docs/operations.md).
  if [ -n "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]; then export OTEL_SDK_DISABLED=${OTEL_SDK_DISABLED:-false}; fi
}

# Stops with the fix unless each given part answers its readiness check.
require_up() {
  local part
  for part in "$@"; do
    is_ready "$part" || die "the stack is not (fully) up: $part does not answer at $(url_of "$part"); run './freshet up' first."
  done
}

# ------------------------------------------------------------------------------------------------ verbs
# `up` sets up, builds and starts everything; `up <part>...` only starts those parts (no build), e.g. Kafka
# again after `down kafka`.
cmd_up() {
  local begin=$SECONDS part
  if [ $# -gt 0 ]; then
    for part in "$@"; do require_part "$part"; done
    mkdir -p "$RUN" "$LOGS" "$DATA"
    find_java
    export_endpoints
    start_all "$@"
    return
  fi
  prepare_machine
  build
  export_endpoints
  step "Starting the engines"
  start_all "${ENGINES[@]}"
  ensure_demo_database
  step "Starting the services"
  start_all "${SERVICES[@]}"
  ensure_demo_tenant
  step "Freshet is up in $((SECONDS - begin))s"
  cat <<EOF
  Ingest        POST $(url_of ingest-gateway)/v1/events
  Analytics     $(url_of analytics-api)/v1/stats/counts
  ClickHouse    $CLICKHOUSE_URL
  Kafka         $KAFKA_BOOTSTRAP_SERVERS
  Registry      $REGISTRY_URL
  MQTT          $MQTT_URL   (devices publish to freshet/<tenant>/<type>; ./freshet source mqtt <tenant> gives a login)
  PostgreSQL    $(url_of postgres)   (user freshet, password in .freshet/postgres-password; ./freshet source --help)
  Prometheus    $(url_of prometheus)   (alert rules: devstack/prometheus/freshet.rules.yml)
  Dashboard     $(url_of analytics-api)/dashboard/
  Traces        ${OTEL_EXPORTER_OTLP_ENDPOINT:-off (set OTEL_EXPORTER_OTLP_ENDPOINT to export them over OTLP)}
  Demo API key  $(cat "$STATE/demo-api-key")   (also in .freshet/demo-api-key)
  Admin token   in .freshet/admin-token
  Tenants       ./freshet tenant --help, ./freshet key --help

  Try:  curl -X POST $(url_of ingest-gateway)/v1/events -H "Authorization: Bearer \$(cat .freshet/demo-api-key)" \\
             -H 'Content-Type: application/json' -d '{"type":"page.viewed","user_id":"u1"}'
EOF
}

# `down` stops everything, `down <part>...` only those parts (e.g. to see how the pipeline rides out a
# Kafka outage; `up` starts them again).
cmd_down() {
  local stopped=0 part i
  for part in "$@"; do require_part "$part"; done
  # services first, so none of them logs a storm of connection errors while the engines go away
  for (( i = ${#PARTS[@]} - 1; i >= 0; i-- )); do
    part=${PARTS[i]}
    [ $# -eq 0 ] || [[ " $* " == *" $part "* ]] || continue
    stop_part "$part" && stopped=$((stopped + 1))
  done
  [ "$stopped" -gt 0 ] || say "Nothing of this checkout's stack is running${1:+ among: $*}."
}

# Stops a part this checkout started (TERM, then KILL after 30 s); false when it was not running.
stop_part() {
  local part=$1 pid
  pid=$(part_pid "$part")
  [ -n "$pid" ] || return 1
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do alive "$pid" || break; sleep 0.5; done
  if alive "$pid"; then
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    say "  $part: killed (pid $pid did not stop within 30s)"
  else
    say "  $part: stopped (pid $pid)"
  fi
  rm -f "$RUN/$part.pid"
}

# Each part: up (running and ready), starting (its process lives, but its port or its readiness check does not answer
# yet), down, or external. Exit 1 unless every part is up or external.
cmd_status() {
  local part pid port label any_down=0
  printf '%-15s %-8s %-8s %-6s %-8s %s\n' PART STATE PID PORT MEMORY URL
  for part in "${PARTS[@]}"; do
    if [ -n "$(external_url "$part")" ]; then
      printf '%-15s %-8s %-8s %-6s %-8s %s\n' "$part" external - - - "$(external_url "$part")"
      continue
    fi
    pid=$(part_pid "$part")
    port=$(cat "$RUN/$part.port" 2>/dev/null || port_of "$part")
    case $(part_state "$part") in
      down) label=down ;;
      running) if is_ready "$part"; then label=up; else label=starting; fi ;;
      silent) label=starting ;;
    esac
    [ "$label" = up ] || any_down=1
    printf '%-15s %-8s %-8s %-6s %-8s %s\n' "$part" "$label" "${pid:--}" "$port" "$(memory_of "$pid")" "$(url_of "$part")"
  done
  return $any_down
}

# Resident memory of a part's process, in MiB.
memory_of() {
  [ -n "$1" ] || { echo -; return; }
  awk '/^VmRSS:/ {printf "%d MiB", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo -
}

cmd_logs() {
  local part=${1:-} follow=${2:-}
  [ -n "$part" ] || die "which part? Usage: ./freshet logs <part> [-f]   (parts: ${PARTS[*]})"
  require_part "$part"
  [ -f "$LOGS/$part.log" ] || die "$part has no log yet: it has not been started by './freshet up'."
  if [ "$follow" = -f ]; then exec tail -n 100 -F "$LOGS/$part.log"; fi
  tail -n 200 "$LOGS/$part.log"
}
