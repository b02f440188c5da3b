# shellcheck shell=bash
# `./freshet bench ingest|enrich|pipeline|analytics`: each stage's throughput next to a yardstick on the same machine.

cmd_bench() {
  case "${1:-}" in
    ingest|enrich|pipeline|analytics) ;;
    *) die "which benchmark? Usage: ./freshet bench ingest|enrich|pipeline|analytics" ;;
  esac
  cmd_status >/dev/null || die "the stack is not (fully) up: run './freshet up' first."
  find_java
  export_endpoints
  case $1 in
    ingest|analytics) install_missing wrk:wrk ;;
  esac
  "bench_$1"
}

# Kafka's ProducerPerformance on a scratch topic with the gateway's producer settings; prints its summary line.
producer_performance() {
  local records=$1 record_size=$2 cp="$ROOT/devstack/kafka/target/lib/*"
  shift 2
  "$JAVA" -cp "$cp" org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" --create \
    --if-not-exists --topic freshet.bench.yardstick --partitions 6 >/dev/null
  "$JAVA" -Xmx512m -cp "$cp" org.apache.kafka.tools.ProducerPerformance --topic freshet.bench.yardstick \
    --num-records "$records" --record-size "$record_size" --throughput -1 "$@" \
    --command-property bootstrap.servers="$KAFKA_BOOTSTRAP_SERVERS" acks=all enable.idempotence=true \
    compression.type=lz4 linger.ms=5 batch.size=262144 2>/dev/null | tail -n 1
  "$JAVA" -cp "$cp" org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" --delete \
    --topic freshet.bench.yardstick >/dev/null 2>&1 || true
}

# Creates a run's four tenants (RUN-1 to RUN-4) and prints their API keys, each followed by a comma.
bench_keys() {
  local i key keys=""
  for i in 1 2 3 4; do
    key=$(new_tenant "$1-$i" | jq -r .apiKey) || exit
    keys+=$key,
  done
  printf '%s\n' "$keys"
}

# Stops the enricher and router for a benchmark, and starts them again when it ends (however it ends).
pause_consumers() {
  stop_part router >/dev/null; stop_part enricher >/dev/null
  trap 'start_all enricher router >/dev/null' EXIT
}

# A process's peak resident memory (VmHWM).
peak_rss() {
  awk '/^VmHWM:/ {printf "%d MiB", $2 / 1024}' "/proc/$1/status"
}

# The sum of the series of a counter NAME in a part's Prometheus metrics whose labels include every LABEL given
# (e.g. tenant="acme"); 0 when none.
metric_sum() {
  local part=$1 name=$2
  shift 2
  curl -fsS "$(management_url_of "$part")/q/metrics" | awk -v m="$name" -v labels="$*" '
    index($0, m "{") == 1 || index($0, m " ") == 1 {
      n = split(labels, wanted, " "); for (i = 1; i <= n; i++) if (!index($0, wanted[i])) next; s += $NF}
    END {printf "%.0f", s}'
}

# `./freshet bench enrich`: one enricher instance on a backlog of raw events, next to Kafka's own
# ConsumerPerformance reading the same topic, in one run. The router pauses meanwhile.
bench_enrich() {
  local records=${FRESHET_BENCH_RECORDS:-300000} run tenant payloads cp="$ROOT/devstack/kafka/target/lib/*"
  run=bench-$(date +%s)
  tenant=$run-enrich
  new_tenant "$tenant" >/dev/null || exit
  # the work a real tenant asks for: validation and transformation rules, user agents, half the sessions derived
  admin_call analytics-api PUT "/v1/admin/tenants/$tenant/rules" "$(jq -cn '{
      validation: {required: {"page.viewed": ["path"]}, properties: {price: {type: "number", min: 0}}},
      transform: {rename: {referrer: "ref"}, hash: ["email"], tags: {source: "bench"}}}')" >/dev/null || exit
  payloads=$STATE/bench-raw-events.tsv
  # one distinct event_id per record: the enricher drops repeated ids as duplicates, which would measure nothing
  awk -v records="$records" -v tenant="$tenant" -v now="$(date -u +%Y-%m-%dT%H:%M:%S.000Z)" -v run="$(date +%s)" 'BEGIN {
    agents[0] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    agents[1] = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
    agents[2] = "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36"
    agents[3] = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
    agents[4] = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    for (i = 0; i < records; i++) {
      user = "user-" (i % 500)
      session = (i % 2) ? sprintf("\"session_id\":\"s-%d\",", i % 90) : ""
      printf "%s/%s\t{\"tenant_id\":\"%s\",\"event_id\":\"%08x-0000-4000-8000-%012x\",\"type\":\"page.viewed\",\"received_at\":\"%s\",\"user_id\":\"%s\",%s\"user_agent\":\"%s\",\"properties\":{\"path\":\"/products/%d\",\"referrer\":\"https://example.com/search?q=item%d\",\"price\":%d.5,\"currency\":\"EUR\",\"email\":\"user%d@example.com\"}}\n",
        tenant, user, tenant, run, i, now, user, session, agents[i % 5], i % 1000, i % 97, i % 300, i % 500
    }
  }' >"$payloads"

  step "Pausing enricher and router; writing $records raw events of one tenant (distinct event ids)"
  pause_consumers
  # murmur2: the partitions the gateway's Java producer would pick for these keys
  kcat -P -b "$KAFKA_BOOTSTRAP_SERVERS" -t freshet.events.raw -K $'\t' -X acks=all -X compression.type=lz4 \
    -X linger.ms=5 -X partitioner=murmur2_random <"$payloads" || die "could not write the raw events"

  step "Yardstick: Kafka ConsumerPerformance, $records records of freshet.events.raw"
  local yardstick consumed
  yardstick=$("$JAVA" -Xmx512m -cp "$cp" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" \
    --topic freshet.events.raw --messages "$records" --group "$run-yardstick" 2>/dev/null | tail -n 1)
  say "  $yardstick"
  # its CSV line: records read is the 5th field, records/s the 6th; it stops early when no more records come
  consumed=$(awk -F', *' '{print $5}' <<<"$yardstick")
  [ "${consumed:-0}" -ge "$records" ] || die "ConsumerPerformance read ${consumed:-0} of $records records."

  step "Enricher: the same backlog, one instance (read_committed in, transactions out)"
  start_all enricher >/dev/null
  local start_count start_ns end_count end_ns deadline=$((SECONDS + 600)) ours="tenant=\"$tenant\""
  # the run's tenant's outcome counter: it counts committed transactions only, and no other tenant's events.
  # Measured from the first committed batch on, so the JVM's start does not count.
  until start_count=$(metric_sum enricher freshet_enricher_events_total "$ours"); [ "$start_count" -gt 0 ]; do
    [ $SECONDS -lt $deadline ] || die "the enricher committed none of the $records events in 10 minutes."
    sleep 0.2
  done
  start_ns=$(date +%s%N)
  until end_count=$(metric_sum enricher freshet_enricher_events_total "$ours"); [ "$end_count" -ge "$records" ]; do
    [ $SECONDS -lt $deadline ] || die "the enricher committed $end_count of the $records events in 10 minutes."
    sleep 0.2
  done
  end_ns=$(date +%s%N)
  local enricher_rate raw_rate rss
  enricher_rate=$(awk -v c=$((end_count - start_count)) -v ns=$((end_ns - start_ns)) 'BEGIN {printf "%.0f", c / (ns / 1e9)}')
  raw_rate=$(awk -F', *' '{printf "%.0f", $6}' <<<"$yardstick")
  rss=$(peak_rss "$(part_pid enricher)")
  step "Enricher benchmark ($(nproc) cores)"
  printf '  %-34s %10s records/s  records it read / its run time (%s read)\n' "Kafka ConsumerPerformance" "$raw_rate" "$consumed"
  printf '  %-34s %10s events/s   = %s%% of the yardstick; events of the run tenant in committed transactions / s, from the first commit (%s)\n' \
    "enricher (1 instance, exactly once)" "$enricher_rate" \
    "$(awk -v g="$enricher_rate" -v r="$raw_rate" 'BEGIN {printf "%.0f", 100 * g / r}')" \
    "$(metric_sum enricher freshet_enricher_events_total "$ours" 'outcome="enriched"') of $end_count enriched"
  printf '  %-34s %s\n' "enricher peak RSS (VmHWM)" "$rss"
  printf '  %-34s %s\n' "transaction time" "$(curl -fsS "$(management_url_of enricher)/q/metrics" | awk '
    /^freshet_enricher_transaction_seconds_count/ {n=$NF} /^freshet_enricher_transaction_seconds_sum/ {s=$NF}
    END {if (n > 0) printf "mean %.0f ms over the %d transactions since the enricher started", 1000 * s / n, n}')"
}

# `./freshet bench ingest`: the gateway over HTTP (wrk, realistic batches from several tenants) next to
# Kafka's own ProducerPerformance on the same broker, record size, acks and compression, in one run.
# The enricher and router are paused meanwhile, so both runs have the machine to themselves.
bench_ingest() {
  local seconds=${FRESHET_BENCH_SECONDS:-20} batch=${FRESHET_BENCH_BATCH:-100} connections=${FRESHET_BENCH_CONNECTIONS:-32}
  local records=${FRESHET_BENCH_RECORDS:-1000000} record_size=320 keys run gateway_pid
  run=bench-$(date +%s)
  keys=$(bench_keys "$run")
  step "Pausing enricher and router for the run (they catch up afterwards)"
  pause_consumers

  step "Yardsticks: Kafka ProducerPerformance, $records records of $record_size B, acks=all, idempotent, lz4"
  local yardstick yardstick_tx
  yardstick=$(producer_performance "$records" "$record_size")
  say "  plain:         $yardstick"
  # the gateway's own guarantee: events become visible only when their transaction commits
  yardstick_tx=$(producer_performance "$records" "$record_size" --transactional-id "$run" --transaction-duration-ms 20)
  say "  transactional: $yardstick_tx"

  step "Gateway: wrk ${seconds}s after 5s of warm-up, $connections connections, batches of $batch events from 4 tenants"
  gateway_pid=$(part_pid ingest-gateway)
  # warm-up, not measured: a fresh JVM runs the first seconds interpreted
  ingest_run "$keys" "$batch" "" "$connections" 5 >/dev/null
  local result
  result=$(ingest_run "$keys" "$batch" "" "$connections" "$seconds")
  say "  $result"

  local raw_rate tx_rate gateway_rate rss
  raw_rate=$(yardstick_rate "$yardstick" "$records")
  tx_rate=$(yardstick_rate "$yardstick_tx" "$records")
  gateway_rate=$(bench_rate "$result" accepted)
  rss=$(peak_rss "$gateway_pid")
  step "Ingest benchmark ($(nproc) cores)"
  printf '  %-34s %10s events/s  records Kafka acknowledged / s (all %s)\n' "Kafka ProducerPerformance" "$raw_rate" "$records"
  printf '  %-34s %10s events/s  records Kafka acknowledged / s (all %s)\n' "  same, in 20 ms transactions" "$tx_rate" "$records"
  printf '  %-34s %10s events/s  events accepted in 202 answers / s = %s%% of the plain, %s%% of the transactional yardstick\n' \
    "ingest-gateway (HTTP, batches)" "$gateway_rate" \
    "$(awk -v g="$gateway_rate" -v r="$raw_rate" 'BEGIN {printf "%.0f", 100 * g / r}')" \
    "$(awk -v g="$gateway_rate" -v r="$tx_rate" 'BEGIN {printf "%.0f", 100 * g / r}')"
  printf '  %-34s %s\n' "gateway answers" "$(ingest_answers "$result")"
  printf '  %-34s p50 %s ms, p99 %s ms (of every answer)\n' "request latency" \
    "$(bench_field "$result" p50_ms)" "$(bench_field "$result" p99_ms)"
  printf '  %-34s %s\n' "gateway peak RSS (VmHWM)" "$rss"
}

# The records/s of a ProducerPerformance summary line, rounded; stops unless Kafka acknowledged all RECORDS (it
# counts only acknowledged records, and prints the others' errors, which producer_performance drops).
yardstick_rate() {
  local sent
  sent=$(sed -n 's/^\([0-9]*\) records sent.*/\1/p' <<<"$1")
  [ "${sent:-0}" -eq "$2" ] || die "Kafka acknowledged ${sent:-0} of the yardstick's $2 records: $1"
  sed -n 's/.* records sent, \([0-9.]*\) records\/sec.*/\1/p' <<<"$1" | xargs printf '%.0f'
}

# What the gateway answered in an ingest_run BENCH line, for a person.
ingest_answers() {
  printf '%s requests answered 202 (%s events accepted, %s rejected); other answers by status: %s; unanswered: %s' \
    "$(bench_field "$1" acknowledged)" "$(bench_field "$1" accepted)" "$(bench_field "$1" rejected)" \
    "$(bench_field "$1" non202)" "$(bench_field "$1" errors)"
}

# `./freshet bench pipeline`: events end to end, from HTTP ingest to queryable in ClickHouse, by Freshet's own load
# generator (devstack/bench: open loop, freshness from outside with marker events, the RowBinary yardstick); prints a
# table and writes the run as JSON and a chart under .freshet/bench/.
bench_pipeline() {
  local jar="$ROOT/devstack/bench/target/bench-0.1.0-SNAPSHOT.jar" part pids=""
  [ -f "$jar" ] || die "the benchmark tool is not built (devstack/bench): run ./freshet up, which builds it."
  for part in ingest-gateway enricher router clickhouse kafka; do
    pids+="$part=$(part_pid "$part"),"
  done
  # the admin token reaches it in the environment (export_endpoints), never on its command line
  FRESHET_BENCH_DIR=$STATE/bench FRESHET_BENCH_PIDS=$pids INGEST_URL=$(url_of ingest-gateway) \
    ANALYTICS_URL=$(url_of analytics-api) "$JAVA" -XX:+UseSerialGC -Xmx256m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$jar:$ROOT/devstack/bench/target/lib/*" io.freshet.bench.Bench pipeline
}

# One wrk run of event batches into the gateway, rotating over KEYS (comma-separated), at RATE events/s offered
# (as fast as it goes when empty); prints wrk's BENCH line.
ingest_run() {
  local keys=$1 batch=$2 rate=$3 connections=$4 seconds=$5
  BENCH_KEYS=$keys BENCH_BATCH=$batch BENCH_RATE=$rate BENCH_CONNECTIONS=$connections \
    wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s -s "$ROOT/devstack/bench/ingest.lua" \
    "$(url_of ingest-gateway)" | grep '^BENCH'
}

# The value of KEY in a BENCH line of wrk ("BENCH requests=1200 seconds=20.003 ..."); empty when it has none.
bench_field() {
  local field fields
  read -ra fields <<<"$1"
  for field in "${fields[@]}"; do
    if [ "${field%%=*}" = "$2" ]; then printf '%s\n' "${field#*=}"; return; fi
  done
}

# A BENCH line's FIELD (a count) per second of its run, rounded.
bench_rate() {
  awk -v n="$(bench_field "$1" "$2")" -v s="$(bench_field "$1" seconds)" 'BEGIN {printf "%.0f", n / s}'
}

# One wrk run of an analytics query; prints wrk's BENCH line and, from the analytics API's counters (of every
# caller), the answers it took from its cache and those it computed during the run: "hits=H computed=C".
analytics_run() {
  local key=$1 path=$2 rate=$3 connections=$4 seconds=$5 hits computed line
  hits=$(metric_sum analytics-api freshet_analytics_cache_total 'result="hit"')
  computed=$(metric_sum analytics-api freshet_analytics_query_seconds_count)
  line=$(BENCH_KEY=$key BENCH_PATH=$path BENCH_RATE=$rate BENCH_CONNECTIONS=$connections \
    wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s -s "$ROOT/devstack/bench/analytics.lua" \
    "$(url_of analytics-api)" | grep '^BENCH')
  printf '%s hits=%s computed=%s\n' "$line" "$(($(metric_sum analytics-api freshet_analytics_cache_total 'result="hit"') - hits))" \
    "$(($(metric_sum analytics-api freshet_analytics_query_seconds_count) - computed))"
}

# `./freshet bench analytics`: the analytics API over 10M stored events of one tenant, cached (the same closed
# range each time) and uncached (a range nobody asked for yet), with requests/s and latency percentiles.
bench_analytics() {
  local events=${FRESHET_BENCH_EVENTS:-10000000} seconds=${FRESHET_BENCH_SECONDS:-20} rate=${FRESHET_BENCH_RATE:-5000}
  local tenant=bench-analytics ch stored key
  ch=$(url_of clickhouse)
  # the tenant lives on between runs; a new key each run (the old one is shown nowhere)
  key=$(tenant_key "$tenant" "analytics benchmark") || exit
  stored=$(curl -fsS "$ch" --data-binary "SELECT count() FROM freshet.events WHERE tenant_id = '$tenant'")
  if [ "$stored" -lt "$events" ]; then
    step "Storing $((events - stored)) events of '$tenant' over the past week in ClickHouse (once; kept for later runs)"
    curl -fsS "$ch" --data-binary "INSERT INTO freshet.events (tenant_id, event_id, type, event_time, received_at, user_id,
        session_id, properties, schema_version, source_topic, browser, os, device_class)
      SELECT '$tenant', generateUUIDv4(number),
        ['page.viewed', 'order.created', 'cart.updated', 'search.performed', 'session.started'][number % 5 + 1],
        toDateTime64(now() - (number % 604800), 3, 'UTC') AS t, t, concat('user-', toString(number % 50000)),
        concat('s-', toString(number % 9000)), concat('{\"path\":\"/products/', toString(number % 1000), '\"}'), 2, 'bench',
        ['Chrome', 'Firefox', 'Safari', 'Edge'][number % 4 + 1], ['Windows', 'macOS', 'iOS', 'Android'][number % 4 + 1],
        ['Desktop', 'Phone'][number % 2 + 1]
      FROM numbers($((events - stored)))" >/dev/null || die "could not store the benchmark's events."
    stored=$(curl -fsS "$ch" --data-binary "SELECT count() FROM freshet.events WHERE tenant_id = '$tenant'")
    [ "$stored" -ge "$events" ] || die "ClickHouse holds $stored of the benchmark's $events events."
  fi

  # a dashboard's question: a day of hourly counts per type (a closed day, so the cache keeps it)
  local day counts="/v1/stats/counts?interval=hour" cached_counts uncached_counts uncached_top
  day="from=$(date -u -d '-2 days' +%Y-%m-%dT%H:00:00Z)&to=$(date -u -d '-1 day' +%Y-%m-%dT%H:00:00Z)"
  step "Cached: the same day of hourly counts, $rate requests/s offered for ${seconds}s"
  analytics_run "$key" "$counts&$day" "$rate" 50 5 >/dev/null # warm-up (a fresh JVM), and the one computation
  cached_counts=$(analytics_run "$key" "$counts&$day" "$rate" 50 "$seconds")
  say "  $cached_counts"
  step "Uncached: a day of hourly counts that nobody asked for yet, 2 clients for ${seconds}s"
  uncached_counts=$(analytics_run "$key" "$counts&from={from}&to={to}" "" 2 "$seconds")
  say "  $uncached_counts"
  step "Uncached: the top 10 types of a day of raw events that nobody asked for yet, 2 clients for ${seconds}s"
  uncached_top=$(analytics_run "$key" "/v1/stats/top?dimension=type&from={from}&to={to}" "" 2 "$seconds")
  say "  $uncached_top"

  step "Analytics benchmark ($(nproc) cores, $stored events of one tenant)"
  local line result
  for line in "cached day of hourly counts|$cached_counts" "uncached day of hourly counts|$uncached_counts" \
              "uncached top types (raw events)|$uncached_top"; do
    result=${line#*|}
    printf '  %-34s %8s answers/s  2xx answers / s; p50 %s ms, p95 %s ms, p99 %s ms (of every answer)\n' "${line%%|*}" \
      "$(bench_rate "$result" ok)" "$(bench_field "$result" p50_ms)" "$(bench_field "$result" p95_ms)" \
      "$(bench_field "$result" p99_ms)"
    printf '  %-34s %s 2xx answers in %s s: the API took %s from its cache and computed %s; other answers by status: %s; unanswered: %s\n' \
      "" "$(bench_field "$result" ok)" "$(bench_field "$result" seconds)" "$(bench_field "$result" hits)" \
      "$(bench_field "$result" computed)" "$(bench_field "$result" non2xx)" "$(bench_field "$result" errors)"
  done
  printf '  %-34s %s\n' "analytics-api peak RSS (VmHWM)" "$(peak_rss "$(part_pid analytics-api)")"
}
