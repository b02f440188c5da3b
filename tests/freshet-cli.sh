#!/usr/bin/env bash
# Tests of the `freshet` command line against a running local stack (`./freshet test` runs this after
# the integration tests): bad input gets one clear sentence and a non-zero exit, `down` stops exactly
# what `up` started, and a second `up` is fast and keeps the data.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

echo "freshet CLI tests"

expect "unknown command is refused" nonzero "unknown command 'bogus'" -- "$FRESHET" bogus
for verb in up down status logs test bench replay dlq tenant key source; do
  expect "$verb --help says how to call it, and does nothing else" 0 "Usage" -- "$FRESHET" "$verb" --help
done
expect "logs without a part says how to call it" nonzero "Usage: ./freshet logs <part>" -- "$FRESHET" logs
expect "logs of an unknown part names the parts" nonzero "unknown part 'nope'" -- "$FRESHET" logs nope
expect "logs of a part prints its log" 0 "Ready to accept connections" -- "$FRESHET" logs redis
expect "status shows every part up" 0 "analytics-api   up" -- "$FRESHET" status
# every port of the stack (status's PORT column) listens on loopback only, and nothing of it anywhere else
exposed=""
for port in $("$FRESHET" status | awk 'NR > 1 {print $4}'); do
  listeners=$(ss -Hltn "sport = :$port" | awk '{print $4}')
  [ -n "$listeners" ] || exposed="$exposed $port(not listening)"
  for address in $listeners; do
    [[ $address == 127.0.0.1:* || $address == "[::ffff:127.0.0.1]:"* ]] || exposed="$exposed $address"
  done
done
if [ -z "$exposed" ]; then pass "the stack listens on 127.0.0.1 only"; else fail "listening beyond 127.0.0.1:$exposed"; fi
# dead letters: the router's counts as JSON, and refusals with the router's reason or the flag named
out=$("$FRESHET" dlq list --tenant demo --json 2>&1)
if jq -e '.filter.tenant == "demo" and (.total | type) == "number" and (.by_stage | type) == "object"' <<<"$out" >/dev/null 2>&1; then
  pass "dlq list --tenant --json prints the router's counts"
else
  fail "dlq list --tenant demo --json: $out"
fi
expect "dlq list refuses a time that is not ISO-8601" nonzero "'since' is an ISO-8601 time" -- "$FRESHET" dlq list --since yesterday
expect "dlq redrive refuses an unknown reason before it starts" nonzero "Unknown reason 'broken'" -- \
  "$FRESHET" dlq redrive --reason broken
expect "dlq names an unknown flag" nonzero "unknown option '--tenantt'" -- "$FRESHET" dlq list --tenantt demo
expect "dlq without list or redrive says how to call it" nonzero "Usage: ./freshet dlq list|redrive" -- "$FRESHET" dlq
expect "dlq redrive --help says what it does" 0 "Sends the matching dead letters" -- "$FRESHET" dlq redrive --help
expect "a missing JDK 25 is named with its fix" nonzero "needs JDK 25 or newer" -- \
  env JAVA_HOME=/nonexistent FRESHET_JVM_DIR="$scratch/no-jvms" "$FRESHET" up

# A scratch checkout: its own .freshet state, nothing built, so nothing there is ours to stop.
mkdir -p "$scratch/checkout/.freshet/run" "$scratch/checkout/devstack" "$scratch/no-jvms"
cp "$FRESHET" "$scratch/checkout/freshet"
cp -r "$ROOT/devstack/cli" "$scratch/checkout/devstack/cli"
expect "a taken port is named with its fix" nonzero "port $("$FRESHET" status | awk '$1=="kafka"{print $4}') is already in use" -- \
  bash -c "cd '$scratch/checkout' && source ./freshet && start_part kafka"
expect "a part that dies at start is named with its log" nonzero "redis did not come up: it exited during start-up" -- \
  env REDIS_PORT=16399 bash -c "cd '$scratch/checkout' && source ./freshet && mkdir -p \"\$LOGS\" \"\$RUN\" &&
           start_part() { launch redis bash -c 'echo cannot open the data directory >&2; exit 3'; } && start_all redis"
sleep 300 & stranger=$!
echo "$stranger 12345" >"$scratch/checkout/.freshet/run/kafka.pid" # right pid, wrong start time: not ours
expect "down leaves a process it did not start alone" 0 "Nothing of this checkout's stack is running" -- \
  "$scratch/checkout/freshet" down
if kill -0 "$stranger" 2>/dev/null && [ ! -f "$scratch/checkout/.freshet/run/kafka.pid" ]; then
  pass "the stranger runs on and its stale pid file is gone"
else
  fail "down killed a process it did not start, or kept its stale pid file"
fi
kill "$stranger" 2>/dev/null

# A part killed with -9 is not running, however soon `up` asks (its zombie may linger until its parent reaps it), and
# a live process whose port does not answer is not running either: `up` starts both again. In the scratch checkout,
# with a Redis of its own on a port of its own.
scratch_redis() { (cd "$scratch/checkout" && REDIS_PORT=16398 ./freshet "$@"); }
scratch_redis up redis >/dev/null 2>&1
killed=$(cut -d' ' -f1 "$scratch/checkout/.freshet/run/redis.pid")
kill -9 "$killed"
expect "up starts a part again right after kill -9" 0 "redis           starting ready" -- scratch_redis up redis
expect "status agrees: the new process is up" 0 "redis           up" -- bash -c "cd '$scratch/checkout' && REDIS_PORT=16398 ./freshet status | grep redis"
REDIS_PORT=16398 bash -c "cd '$scratch/checkout' && source ./freshet && stop_part redis >/dev/null && launch redis sleep 300"
expect "up starts a part again whose process lives but does not answer" 0 "does not answer on port 16398: starting it again" -- \
  scratch_redis up redis
scratch_redis down redis >/dev/null

# down, then up again: nothing of the stack survives down; the second up is quick and keeps the data.
clickhouse=$(awk '$1=="clickhouse"{print $NF}' <("$FRESHET" status))
rows_before=$(curl -sS "$clickhouse/" --data-binary 'SELECT count() FROM freshet.events')
pids=$(cat "$ROOT"/.freshet/run/*.pid | cut -d' ' -f1)
"$FRESHET" down >/dev/null
# a stopped process may linger a moment as a zombie until PID 1 reaps it: dead all the same (state Z or X)
alive=$(for pid in $pids; do
  state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
  [[ -n $state && $state != [ZX] ]] && echo "$pid"
done)
if [ -z "$alive" ]; then pass "down stops every part (pids: $(paste -sd ' ' <<<"$pids"))"; else fail "down left pids running: $alive"; fi
begin=$(date +%s%N)
if "$FRESHET" up >/dev/null 2>&1; then
  pass "up again ($(( ($(date +%s%N) - begin) / 1000000 )) ms)"
else
  fail "up again failed"
fi
rows_after=$(curl -sS "$clickhouse/" --data-binary 'SELECT count() FROM freshet.events')
if [ "$rows_before" = "$rows_after" ] && [ "$rows_after" -gt 0 ]; then
  pass "ClickHouse keeps its $rows_after rows across down and up"
else
  fail "rows before $rows_before, after $rows_after"
fi
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$(awk '$1=="ingest-gateway"{print $NF}' <("$FRESHET" status))/v1/events" \
  -H @<(printf 'Authorization: Bearer %s\n' "$(<"$ROOT/.freshet/demo-api-key")") -H 'Content-Type: application/json' \
  -d '{"type":"cli.checked"}')
if [ "$code" = 202 ]; then pass "the demo tenant's key still works after a restart"; else fail "demo key after restart: HTTP $code"; fi
expect "a second up starts nothing" 0 "analytics-api: already running" -- "$FRESHET" up

finish "freshet CLI tests"
