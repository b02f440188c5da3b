# shellcheck shell=bash
# `./freshet chaos`: a retrying client's load through the gateway while kill -9s, pauses and engine outages hit the
# local stack at times drawn from a seed; then checks exactly once from ClickHouse and the topics (devstack/bench,
# io.freshet.bench.ChaosRun) and exits 0 only when every check held.

cmd_chaos() {
  local usage="Usage: ./freshet chaos [--seconds N] [--rate EVENTS_PER_SECOND] [--faults kill,pause,outage] [--seed S]"
  if wants_help "$@"; then
    printf '%s\n' "$usage" "" \
      "Sends events with ids of its own for N seconds (default 60) at the rate (default 1000/s), retrying 503s and" \
      "timeouts with the same ids as a careful client does, while it kills (kill -9) and restarts services, pauses them" \
      "(SIGSTOP/SIGCONT) and stops engines (Kafka, ClickHouse, the registry, Redis) for a few seconds. The seed (default:" \
      "a new one, printed) fixes which faults come when. Then it waits for the pipeline to settle and checks: every" \
      "acknowledged event stored exactly once, nothing stored that no request carried, rollup and billing equal to the" \
      "rows, no consumer group behind, no valid event dead-lettered. The report is printed and written as JSON and a" \
      "chart under .freshet/chaos/. Exit 0 only when every check held."
    return
  fi
  parse_args "$usage" "--seconds= --rate= --faults= --seed=" "$@"
  want_args "$usage"
  local seconds=${OPTS[--seconds]:-60} rate=${OPTS[--rate]:-1000} faults=${OPTS[--faults]:-kill,pause,outage} seed=${OPTS[--seed]:-}
  if ! [[ $seconds =~ ^[0-9]+$ ]] || (( seconds < 30 || seconds > 86400 )); then
    die "--seconds takes a number from 30 to 86400. $usage"
  fi
  if ! [[ $rate =~ ^[0-9]+$ ]] || (( rate < 100 || rate > 1000000 )); then
    die "--rate takes a number from 100 to 1000000. $usage"
  fi
  [[ $faults =~ ^(kill|pause|outage)(,(kill|pause|outage))*$ ]] || die "--faults takes kill, pause and outage, comma-separated. $usage"
  [[ -z $seed || $seed =~ ^[0-9]+$ ]] || die "--seed takes a whole number. $usage"
  cmd_status >/dev/null || die "the stack is not (fully) up: run './freshet up' first."
  local part
  for part in kafka clickhouse registry redis; do
    [ -z "${EXTERNAL[$part]}" ] || die "chaos stops and starts the local engines; $part is external (${EXTERNAL[$part]})."
  done
  local jar="$ROOT/devstack/bench/target/bench-0.1.0-SNAPSHOT.jar"
  [ -f "$jar" ] || die "the chaos tool is not built (devstack/bench): run ./freshet up, which builds it."
  find_java
  export_endpoints
  # the admin token reaches it in the environment (export_endpoints), never on its command line
  FRESHET_BENCH_DIR=$STATE/chaos FRESHET_CHAOS_SECONDS=$seconds FRESHET_CHAOS_RATE=$rate FRESHET_CHAOS_FAULTS=$faults \
    FRESHET_CHAOS_SEED=$seed FRESHET_CLI=$ROOT/freshet FRESHET_RUN_DIR=$RUN INGEST_URL=$(url_of ingest-gateway) \
    ANALYTICS_URL=$(url_of analytics-api) ROUTER_URL=$(url_of router) \
    "$JAVA" -XX:+UseSerialGC -Xmx768m -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
    -cp "$jar:$ROOT/devstack/bench/target/lib/*" io.freshet.bench.Bench chaos
}
