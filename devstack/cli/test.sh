# shellcheck shell=bash
# `./freshet test`: every test. Shell scripts, unit tests, then the integration tests (*IT) and the command-line tests
# against the real stack. The stack is started if it is not running, and stopped afterwards if this command started it.

cmd_test() {
  local begin=$SECONDS scripts service
  prepare_machine
  # the dashboard's browser test; kubernetes/'s tests render the manifests with kubectl 1.27+ (kustomize v5;
  # client side only), whose package kubectl comes from an apt source such as pkgs.k8s.io, not Debian's archive
  # (mosquitto_sub and _pub: MqttGuardIT's service on a broker of its own)
  install_missing shellcheck:shellcheck chromium:chromium chromedriver:chromium-driver kubectl:kubectl node:nodejs npm:npm \
    mosquitto_sub:mosquitto-clients
  phase "Shell scripts (shellcheck)"
  mapfile -t scripts < <(shell_scripts)
  shellcheck -x "${scripts[@]}" || die "shellcheck found the problems above in the shell scripts."
  export CHDB_LIB=${CHDB_LIB:-$(chdb_lib)}
  # the official Segment and RudderStack SDKs and the graphql-ws client the integration tests drive (pinned)
  phase "SDKs for the integration tests (npm ci in tests/sdk)"
  node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
    || die "the SDK tests need Node.js 20 or newer; this machine has $(node --version)."
  (cd "$ROOT/tests/sdk" && npm ci --no-audit --no-fund --loglevel=error) || die "npm could not install tests/sdk (see above)."
  phase "Alert rules (promtool check rules, promtool test rules)"
  (cd "$ROOT/devstack/prometheus" && promtool check rules freshet.rules.yml && promtool test rules freshet.rules.test.yml) \
    || die "the alert rules are broken (see above)."
  # install, not verify: the integration step below runs failsafe's goals without a lifecycle phase, and such a
  # run resolves the modules' jars (event-model's and its test-jar) from the local repository, not the reactor
  phase "Build and unit tests (mvn install)"
  (cd "$ROOT" && mvn -B install) || die "the build or a unit test failed (see above)."
  touch "$STATE/build.stamp"
  # what src/main/docker/Dockerfile.native compiles
  phase "Native build sources (mvn package -Dnative -Dquarkus.native.sources-only=true)"
  (cd "$ROOT" && mvn -B -q package -Dnative -Dquarkus.native.sources-only=true -DskipTests \
    -pl "$(IFS=,; echo "${SERVICES[*]}")" -am) || die "the native build's sources could not be generated (see above)."
  for service in "${SERVICES[@]}"; do
    ls "$ROOT/$service/target/native-sources/"*-runner.jar "$ROOT/$service/target/native-sources/native-image.args" >/dev/null \
      || die "the native build wrote no runner jar or native-image.args for $service (Dockerfile.native compiles those)."
  done
  if ! cmd_status >/dev/null 2>&1; then
    trap 'step "Stopping the stack this test run started"; cmd_down' EXIT
  fi
  cmd_up
  phase "Prometheus scrapes every service"
  prometheus_targets_up || die "Prometheus does not scrape every service: $(jq -c '[.data.activeTargets[] | {job: .labels.job, health, lastError}]' <<<"$PROMETHEUS_TARGETS")"
  phase "Integration tests against the stack (mvn failsafe)"
  (cd "$ROOT" && INGEST_URL=$(url_of ingest-gateway) \
    ANALYTICS_URL=$(url_of analytics-api) mvn -B failsafe:integration-test failsafe:verify -DskipITs=false) \
    || die "an integration test failed (see above; service logs in $LOGS)."
  local registry=${REGISTRY_URL%/apis/registry/v2} schema
  schema="freshet-check-$(date +%s)"
  phase "Schema registry: BACKWARD rule refuses an incompatible schema (devstack/registry/check.sh)"
  "$ROOT/devstack/registry/check.sh" "$registry" "$schema" || die "the schema registry check failed."
  # a short round of the chaos a user runs: every fault kind once, a fixed seed (so a failure can be run again)
  phase "Chaos: 60 s of load through a kill -9, a pause and an engine outage; exactly once checked (./freshet chaos)"
  cmd_chaos --seconds 60 --rate 1000 --seed 11 || die "the chaos round found a violation (its report is above and in .freshet/chaos/)."
  phase "Admin command-line tests: tenants and keys (tests/freshet-admin.sh)"
  "$ROOT/tests/freshet-admin.sh" || die "an admin command-line test failed."
  phase "Command-line tests, including down and up again (tests/freshet-cli.sh)"
  "$ROOT/tests/freshet-cli.sh" || die "a command-line test failed."
  phase "Schema registry: the schema and its rule survived the restart"
  "$ROOT/devstack/registry/check.sh" "$registry" "$schema" || die "the schema registry lost a schema across a restart."
  step "All tests passed in $((SECONDS - begin))s"
}

# Every shell script of the repository: the command line and its modules, the tests', the tools', CI's.
shell_scripts() {
  printf '%s\n' "$ROOT/freshet" "$ROOT/.ci/run"
  find "$ROOT" \( -name node_modules -o -name target -o -name .git -o -path "$STATE" \) -prune -o -name '*.sh' -type f -print \
    | sort
}

# True once Prometheus has scraped each service successfully (waits up to 30 s for its first scrapes). Keeps
# Prometheus's last answer (/api/v1/targets) in PROMETHEUS_TARGETS.
prometheus_targets_up() {
  local deadline=$((SECONDS + 30)) healthy
  PROMETHEUS_TARGETS=
  while [ $SECONDS -lt $deadline ]; do
    PROMETHEUS_TARGETS=$(curl -fsS "$(url_of prometheus)/api/v1/targets" 2>/dev/null || true)
    healthy=$(jq '[.data.activeTargets[] | select(.health == "up")] | length' <<<"$PROMETHEUS_TARGETS" 2>/dev/null || echo 0)
    [ "${healthy:-0}" -eq ${#SERVICES[@]} ] && return 0
    sleep 1
  done
  return 1
}

# A step of the test run with the seconds since it began, so a slow phase shows in the CI log (cmd_test's $begin).
phase() { step "[$((SECONDS - begin))s] $*"; }
