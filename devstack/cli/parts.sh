# shellcheck shell=bash
# The parts of the local stack: each described once, in PARTS_TABLE, and started by the function its line names.
# Adding a part is a line here (and, for an engine, its start function below).

# One line per part, in start order (engines first; `down` stops them in reverse):
#   part       its name in every verb (up, down, status, logs)
#   kind       engine (started first; may be external) or service (a Quarkus application of this repository)
#   ports      VARIABLE=default, comma-separated: the part's own port first, then the other ports it listens on (a
#              service's second is its management port: health and metrics, its port + 1000 by default)
#   external   the variable that points Freshet at an external engine instead of starting one (- for none)
#   url        how clients reach it; {port} is its port
#   ready      its readiness check: an HTTP path that answers 2xx when ready (a service's on its management port), or
#              a function given the port
#   needs      command:package pairs (Debian) it needs to be started here, comma-separated (- for none); a command
#              that starts with / is a file the package installs
#   start      the function that starts it, given the part's name and the words after it; a service's word is its
#              heap, from its live set measured under load plus what it may hold in flight (docs/operations.md, "Memory")
PARTS_TABLE='
# part          kind     ports                                                            external                 url                                       ready            needs                      start
kafka           engine   KAFKA_PORT=9092,KAFKA_CONTROLLER_PORT=9093,KAFKA_SASL_PORT=9094  KAFKA_BOOTSTRAP_SERVERS  127.0.0.1:{port}                          kafka_metadata   -                          start_kafka
registry        engine   REGISTRY_PORT=8085                                               REGISTRY_URL             http://127.0.0.1:{port}/apis/registry/v2  /health/ready    -                          start_registry
clickhouse      engine   CLICKHOUSE_PORT=8123                                             CLICKHOUSE_URL           http://127.0.0.1:{port}                   clickhouse_ping  npm:npm                    start_clickhouse
redis           engine   REDIS_PORT=6379                                                  REDIS_URL                redis://127.0.0.1:{port}                  redis_ping       redis-server:redis-server  start_redis
prometheus      engine   PROMETHEUS_PORT=9090                                             -                        http://127.0.0.1:{port}                   /-/ready         prometheus:prometheus      start_prometheus
mqtt            engine   MQTT_PORT=1883                                                   MQTT_URL                 tcp://127.0.0.1:{port}                    port_taken       mosquitto:mosquitto,gcc:gcc,/usr/include/mosquitto_broker.h:mosquitto-dev,/usr/include/mosquitto.h:libmosquitto-dev  start_mqtt
postgres        engine   POSTGRES_PORT=5432                                               -                        postgresql://127.0.0.1:{port}/demo        postgres_ready   pg_isready:postgresql      start_postgres
ingest-gateway  service  INGEST_PORT=8080,INGEST_MANAGEMENT_PORT=9080                     -                        http://127.0.0.1:{port}                   /q/health/ready  -                          start_service 192m  # ~30 MiB live + up to 64 MiB of request bodies + 2 x 16 MiB producer buffers
enricher        service  ENRICHER_PORT=8081,ENRICHER_MANAGEMENT_PORT=9081                 -                        http://127.0.0.1:{port}                   /q/health/ready  -                          start_service 320m  # ~140 MiB of Yauaa matchers + batches; RocksDB is native, bounded apart
router          service  ROUTER_PORT=8082,ROUTER_MANAGEMENT_PORT=9082                     -                        http://127.0.0.1:{port}                   /q/health/ready  -                          start_service 384m  # ~30 MiB at rest, ~230 MiB draining a backlog (2 lanes of 30,000-record polls)
analytics-api   service  ANALYTICS_PORT=8083,ANALYTICS_MANAGEMENT_PORT=9083               -                        http://127.0.0.1:{port}                   /q/health/ready  -                          start_service 128m  # ~16 MiB live, answers streamed
sources         service  SOURCES_PORT=8084,SOURCES_MANAGEMENT_PORT=9084                   -                        http://127.0.0.1:{port}                   /q/health/ready  -                          start_service 192m  # Debezium engines (batches of 2,048 changes) + MQTT batches
'

# The table, read once: PARTS, ENGINES and SERVICES in start order, the columns by part, port defaults by variable.
ENGINES=() SERVICES=()
declare -A PART_PORT_VARS=() PART_ENDPOINT_VAR=() PART_URL=() PART_READY=() PART_NEEDS=() PART_START=() PORT_DEFAULT=()
read_parts_table() {
  local part kind ports endpoint url ready needs start port list
  while read -r part kind ports endpoint url ready needs start; do
    [[ -z $part || $part == \#* ]] && continue
    if [ "$kind" = engine ]; then ENGINES+=("$part"); else SERVICES+=("$part"); fi
    IFS=, read -ra list <<<"$ports"
    PART_PORT_VARS[$part]=
    for port in "${list[@]}"; do
      PART_PORT_VARS[$part]+="${port%%=*} "
      PORT_DEFAULT[${port%%=*}]=${port#*=}
    done
    PART_ENDPOINT_VAR[$part]=$endpoint PART_URL[$part]=$url PART_READY[$part]=$ready
    PART_NEEDS[$part]=${needs//,/ } PART_START[$part]=${start%%#*}
  done <<<"$PARTS_TABLE"
}
read_parts_table
PARTS=("${ENGINES[@]}" "${SERVICES[@]}")

require_part() {
  [ -n "${PART_URL[$1]+known}" ] || die "unknown part '$1' (parts: ${PARTS[*]})"
}

is_service() { [[ " ${SERVICES[*]} " == *" $1 "* ]]; }

# The port variables of a part, its own first.
port_vars() {
  local vars
  require_part "$1"
  read -ra vars <<<"${PART_PORT_VARS[$1]}"
  printf '%s\n' "${vars[@]}"
}

# The value of a port variable: from the environment, else its default in the table.
port_value() { printf '%s\n' "${!1:-${PORT_DEFAULT[$1]}}"; }

port_var() { require_part "$1"; printf '%s\n' "${PART_PORT_VARS[$1]%% *}"; }

port_of() { require_part "$1"; port_value "$(port_var "$1")"; }

url_of() {
  local url=${PART_URL[$1]}
  printf '%s\n' "${url//"{port}"/$(port_of "$1")}"
}

# A service's management interface (health and metrics, which name tenants): its second port.
management_port_of() {
  local vars
  mapfile -t vars < <(port_vars "$1")
  port_value "${vars[1]}"
}

management_url_of() { printf 'http://127.0.0.1:%s\n' "$(management_port_of "$1")"; }

# What a part needs installed to be started here (command:package pairs).
part_needs() {
  local needs
  read -ra needs <<<"${PART_NEEDS[$1]}"
  [ "${needs[0]}" = - ] || printf '%s\n' "${needs[@]}"
}

# An engine given by its endpoint variable is external: Freshet uses it and does not start one. A freshet started by
# `./freshet test` (the CLI tests, an IT restarting Kafka) inherits the endpoints the parent exported for its local
# stack, so it takes the parent's word (FRESHET_EXTERNAL_<PART>) for which ones are external.
declare -A EXTERNAL=()
find_external_parts() {
  local part variable
  for part in "${PARTS[@]}"; do
    variable=${PART_ENDPOINT_VAR[$part]}
    [ "$variable" != - ] || continue
    [ -z "${FRESHET_PARENT:-}" ] || variable=$(inherited_external_var "$part")
    EXTERNAL[$part]=${!variable:-}
  done
}
inherited_external_var() { local name=${1^^}; printf 'FRESHET_EXTERNAL_%s\n' "${name//-/_}"; }
find_external_parts

# The endpoint of an external part; empty for a part Freshet starts.
external_url() { printf '%s\n' "${EXTERNAL[$1]:-}"; }

# Endpoints the services use (the external ones when given, the local stack's otherwise) and the services' ports,
# exported for the parts and tests this command starts; also which engines are external, for a freshet they start.
export_part_endpoints() {
  local part variable
  export FRESHET_PARENT=$$
  for part in "${PARTS[@]}"; do
    variable=${PART_ENDPOINT_VAR[$part]}
    if [ "$variable" != - ]; then
      export "$(inherited_external_var "$part")=${EXTERNAL[$part]}"
      export "$variable=${!variable:-$(url_of "$part")}"
    fi
    if is_service "$part"; then
      local var
      for var in $(port_vars "$part"); do export "$var=$(port_value "$var")"; done
    fi
  done
}

# ------------------------------------------------------------------------------------------- readiness
is_ready() {
  local check=${PART_READY[$1]} port
  if is_service "$1"; then port=$(management_port_of "$1"); else port=$(port_of "$1"); fi
  if [[ $check == /* ]]; then
    curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$port$check" 2>/dev/null
  else
    "$check" "$port"
  fi
}

kafka_metadata() { kcat -b "127.0.0.1:$1" -L -m 2 >/dev/null 2>&1; }
clickhouse_ping() { [ "$(curl -fsS -m 2 "http://127.0.0.1:$1/ping" 2>/dev/null)" = "Ok." ]; }
redis_ping() { [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = "PONG" ]; }
postgres_ready() { pg_isready -q -h 127.0.0.1 -p "$1" -d postgres 2>/dev/null; }

# ------------------------------------------------------------------------------------------- starting
# Runs the start function of a part's line.
run_start_function() {
  local start
  read -ra start <<<"${PART_START[$1]}"
  "${start[0]}" "$1" "${start[@]:1}"
}

# The local broker: PLAINTEXT for the local stack, and a SASL/PLAIN listener (user freshet, password in
# .freshet/kafka-password) on which the tests check that the services reach a secured cluster.
start_kafka() {
  local cp="$ROOT/devstack/kafka/target/lib/*" release formatted_by
  kafka_config
  release=$(kafka_release)
  if [ ! -f "$DATA/kafka/meta.properties" ]; then
    "$JAVA" -cp "$cp" kafka.tools.StorageTool format -t "$("$JAVA" -cp "$cp" kafka.tools.StorageTool random-uuid)" \
      -c "$STATE/kafka.properties" >"$LOGS/kafka-format.log" 2>&1 \
      || die "kafka: formatting its storage failed (see $LOGS/kafka-format.log)."
    echo "$release" >"$DATA/kafka/freshet-kafka-release"
  fi
  formatted_by=$(cat "$DATA/kafka/freshet-kafka-release" 2>/dev/null || echo "4.3.1")
  [ "$formatted_by" = "$release" ] \
    || die "kafka: its data in $DATA/kafka was written by Kafka $formatted_by, this checkout runs Kafka $release, which may not read it. Start afresh with ./freshet down && rm -rf $DATA (deletes all local events, tenants and tables)."
  launch kafka "$JAVA" -Xms256m -Xmx512m -XX:+UseG1GC -Dlog4j2.configurationFile="$ROOT/devstack/kafka/log4j2.properties" \
    -cp "$cp" kafka.Kafka "$STATE/kafka.properties"
}

kafka_config() {
  local dir=$DATA/kafka port cport sport
  port=$(port_value KAFKA_PORT); cport=$(port_value KAFKA_CONTROLLER_PORT); sport=$(port_value KAFKA_SASL_PORT)
  mkdir -p "$dir"
  ensure_secret "$STATE/kafka-password" 16
  (umask 077 && cat >"$STATE/kafka.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport,SASL_PLAINTEXT://127.0.0.1:$sport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,SASL_PLAINTEXT://127.0.0.1:$sport
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=PLAIN
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_freshet="$(cat "$STATE/kafka-password")";
log.dirs=$dir
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# one laptop: a transaction log of 50 partitions only makes the first transaction slow
transaction.state.log.num.partitions=6
# and 50 group-offset partitions make every start load 50 logs before groups can join (seconds, on two cores)
offsets.topic.num.partitions=6
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  )
}

# The broker's release, from the jar the build resolved (devstack/kafka/pom.xml pins it).
kafka_release() {
  local jar; jar=$(find "$ROOT/devstack/kafka/target/lib" -name 'kafka_2.13-*.jar' | head -n 1)
  jar=${jar##*/kafka_2.13-}; echo "${jar%.jar}"
}

start_registry() {
  REGISTRY_PORT=$(port_of registry) REGISTRY_HOST=127.0.0.1 REGISTRY_DATA=$DATA/registry \
    launch registry "$JAVA" -Xmx256m -jar "$ROOT/devstack/registry/target/quarkus-app/quarkus-run.jar"
}

start_clickhouse() {
  local app
  app=$(install_app clickhouse "$ROOT/devstack/clickhouse/target/freshet-clickhouse.jar") || exit
  CLICKHOUSE_PORT=$(port_of clickhouse) CLICKHOUSE_HOST=127.0.0.1 CLICKHOUSE_DATA=$DATA/clickhouse CHDB_LIB=$(chdb_lib) \
    launch clickhouse "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx256m -jar "$app/freshet-clickhouse.jar"
}

start_redis() {
  mkdir -p "$DATA/redis"
  launch redis redis-server --bind 127.0.0.1 --port "$(port_of redis)" --dir "$DATA/redis" --save "" --appendonly no
}

start_prometheus() {
  prometheus_config
  mkdir -p "$DATA/prometheus"
  launch prometheus prometheus --config.file="$STATE/prometheus.yml" --storage.tsdb.path="$DATA/prometheus" \
    --storage.tsdb.retention.time=2d --web.listen-address="127.0.0.1:$(port_of prometheus)"
}

# The local MQTT broker (Mosquitto) for devices: its users, ACL and tenants' rates are the files the sources service
# keeps from the tenants (FRESHET_MQTT_AUTH_DIR); until then nobody may log in. Freshet's guard plugin
# (sources/src/main/mosquitto, compiled here) lets each login use only its own client ids and pushes back, without
# acknowledging, on a tenant over its rate and on everyone while the sources service's backlog is full (docs/security.md).
# Persistent, so the sources service's session keeps what devices publish while that service is away; the queue
# bounds are a backstop above the guard's backlog bound, which is what keeps the broker from dropping an acknowledged
# message. A message is one event, so 256 KiB bounds it (the broker refuses a bigger one to its device).
start_mqtt() {
  local auth=$STATE/mosquitto guard=$STATE/freshet_mqtt_guard.so source=$ROOT/sources/src/main/mosquitto/freshet_mqtt_guard.c
  mkdir -p "$auth" "$DATA/mosquitto"
  [ -f "$auth/passwords" ] || : >"$auth/passwords"
  [ -f "$auth/acl" ] || : >"$auth/acl"
  if [ ! -f "$guard" ] || [ "$source" -nt "$guard" ]; then
    gcc -O2 -Wall -Werror -fPIC -shared -o "$guard" "$source" >"$LOGS/mqtt-guard-build.log" 2>&1 \
      || die "could not compile the MQTT guard plugin (see $LOGS/mqtt-guard-build.log)."
  fi
  cat >"$STATE/mosquitto.conf" <<EOF
listener $(port_of mqtt) 127.0.0.1
allow_anonymous false
plugin $guard
plugin_opt_service_user ${FRESHET_MQTT_USER:-freshet_sources}
plugin_opt_service_prefix freshet-sources-
plugin_opt_limits_file $auth/limits
plugin_opt_default_rate ${FRESHET_INGEST_RATE_LIMIT:-100000}
plugin_opt_max_backlog 100000
plugin_opt_max_backlog_bytes 67108864
plugin_opt_max_tenant_backlog 20000
plugin_opt_max_tenant_backlog_bytes 16777216
password_file $auth/passwords
acl_file $auth/acl
pid_file $RUN/mosquitto.broker.pid
user $(id -un)
persistence true
persistence_location $DATA/mosquitto/
autosave_interval 1
max_inflight_messages 1000
max_queued_messages 200000
max_queued_bytes 134217728
max_packet_size 262144
log_dest stdout
log_type error
log_type warning
log_type notice
EOF
  launch mqtt mosquitto -c "$STATE/mosquitto.conf"
}

# A local PostgreSQL (Debian's) with logical decoding, for the database sources' demo and tests: superuser freshet,
# its password in .freshet/postgres-password, a database demo (made by `up` once it is ready). PostgreSQL refuses to
# run as root: as root it runs in a user namespace as the postgres user the package made, so its files stay root's,
# under .freshet, wherever the checkout is (a 0700 home or temporary directory included).
start_postgres() {
  local bin pgdata=$DATA/postgres as_user=()
  bin=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d | sort -V | tail -n 1)
  [ -x "$bin/postgres" ] || die "postgres: no PostgreSQL server under /usr/lib/postgresql (Debian's postgresql package)."
  if [ "$(id -u)" = 0 ]; then
    as_user=(unshare --user --map-user="$(id -u postgres)" --map-group="$(id -g postgres)")
    "${as_user[@]}" true 2>/dev/null || die "postgres: PostgreSQL does not run as root, and this machine allows no user namespace to run it as another user: run ./freshet as a user other than root."
  fi
  ensure_secret "$STATE/postgres-password" 16
  mkdir -p "$pgdata" "$RUN/postgres"
  if [ ! -s "$pgdata/PG_VERSION" ]; then
    # the password reaches initdb in a file, never on a command line
    "${as_user[@]}" "$bin/initdb" -D "$pgdata" -U freshet --pwfile="$STATE/postgres-password" -A scram-sha-256 \
      --no-instructions >"$LOGS/postgres-initdb.log" 2>&1 || die "postgres: initdb failed (see $LOGS/postgres-initdb.log)."
  fi
  launch postgres "${as_user[@]}" "$bin/postgres" -D "$pgdata" -p "$(port_of postgres)" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories="$RUN/postgres" -c wal_level=logical -c max_replication_slots=20 -c max_wal_senders=20
}

# Prometheus scrapes every service every 5 s and evaluates the alert rules of devstack/prometheus.
prometheus_config() {
  local service
  {
    printf 'global: {scrape_interval: 5s, evaluation_interval: 5s}\n'
    printf 'rule_files: ["%s"]\n' "$ROOT/devstack/prometheus/freshet.rules.yml"
    printf 'scrape_configs:\n'
    for service in "${SERVICES[@]}"; do
      printf '  - {job_name: %s, metrics_path: /q/metrics, static_configs: [{targets: ["127.0.0.1:%s"]}]}\n' \
        "$service" "$(management_port_of "$service")"
    done
  } >"$STATE/prometheus.yml"
}

# A service's JVM, sized on purpose (docs/operations.md, "Memory"): the heap HEAP; the native parts (metaspace, JIT code, thread
# stacks, direct buffers, malloc arenas) bounded too. A JVM out of heap exits rather than limp on: a router that did
# kept its consumers and stored nothing; restarted, every service resumes exactly once. FRESHET_JAVA_OPTS replaces
# the options. One instance of each service: its id names its static group membership and its state directory.
LOCAL_INSTANCE_ID=local
start_service() {
  local part=$1 heap=$2 app java_opts
  read -ra java_opts <<<"${FRESHET_JAVA_OPTS:--XX:+UseSerialGC -XX:+UseCompactObjectHeaders -XX:+ExitOnOutOfMemoryError -Xms32m -Xmx$heap -Xss512k -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=64m -XX:MaxDirectMemorySize=64m}"
  # the secrets key (export_endpoints) only in the environment of the services that encrypt (analytics-api) and
  # decrypt (sources) tenants' database passwords
  if [ "$part" = analytics-api ] || [ "$part" = sources ]; then
    local key=${FRESHET_SECRETS_KEY:-}
    [ -n "$key" ] || key=$(<"$STATE/secrets-key")
    local -x FRESHET_SECRETS_KEY=$key
  fi
  app=$(install_app "$part" "$ROOT/$part/target/quarkus-app/.") || exit
  # the build's AOT cache (the root pom): made with the default options above; a JVM whose options differ says so once
  # in the log and starts without it
  [ -f "$app/app.aot" ] && java_opts+=("-XX:AOTCache=$app/app.aot")
  MALLOC_ARENA_MAX=2 FRESHET_INSTANCE_ID=$LOCAL_INSTANCE_ID FRESHET_STATE_DIR=$DATA \
    FRESHET_MANAGEMENT_PORT=$(management_port_of "$part") \
    launch "$part" "$JAVA" "${java_opts[@]}" -jar "$app/quarkus-run.jar"
}

# A part runs from its own copy of the build output: a rebuild (`mvn verify` in `./freshet test`, an IDE) must never
# replace the jars under a running JVM, which then hangs loading a class. Prints the copy's folder.
install_app() {
  local build=$2 app=$STATE/app/$1
  { rm -rf "$app" && mkdir -p "$app" && cp -a "$build" "$app/" && touch "$app/.installed"; } || die "cannot copy $build to $app."
  echo "$app"
}
