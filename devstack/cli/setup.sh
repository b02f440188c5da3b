# shellcheck shell=bash
# Setting up a machine: the JDK, OS packages, the ClickHouse engine, the build.

CHDB_PACKAGE=@chdb/lib-linux-x64-gnu@26.7.3-stable.1

find_java() {
  local candidate major
  local jvms=${FRESHET_JVM_DIR:-/usr/lib/jvm}
  for candidate in "${JAVA_HOME:-}" "$jvms"/*25* "$jvms"/*2[6-9]*; do
    if [ -z "$candidate" ] || [ ! -x "$candidate/bin/java" ]; then continue; fi
    major=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ "${major:-0}" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME=$candidate
      # shellcheck disable=SC2034 # the java of the start functions (parts.sh) and the benchmarks (bench.sh)
      JAVA=$candidate/bin/java
      return
    fi
  done
  die "Freshet needs JDK 25 or newer and found none: install one (e.g. Temurin 25 under /usr/lib/jvm) or set JAVA_HOME to it."
}

# The tools the command line uses, and what each part started here needs (the parts table's "needs").
ensure_packages() {
  local needs=() part
  for part in "${PARTS[@]}"; do
    [ -n "$(external_url "$part")" ] || mapfile -t -O "${#needs[@]}" needs < <(part_needs "$part")
  done
  install_missing curl:curl jq:jq mvn:maven kcat:kcat redis-cli:redis-tools "${needs[@]}"
}

# Installs the Debian packages of the given command:package pairs whose command (or file, when it starts with /) is missing.
install_missing() {
  local missing=() cmd pkg pair
  for pair in "$@"; do
    [ -n "$pair" ] || continue
    cmd=${pair%%:*}; pkg=${pair#*:}
    if [[ $cmd == /* ]]; then # a file the package installs (headers)
      [ -e "$cmd" ] || missing+=("$pkg")
    else
      command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return
  step "Installing OS packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1 || ! sudo -n true 2>/dev/null; then
      die "missing packages ${missing[*]}: install them with 'sudo apt-get install ${missing[*]}' and run again."
    fi
    sudo=(sudo -n)
  fi
  { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}"; } \
    >"$LOGS/apt.log" 2>&1 && return
  local unknown # the packages that no apt source of this machine offers
  unknown=$(sed -n -e 's/^E: Unable to locate package \(.*\)$/\1/p' \
    -e "s/^E: Package '\(.*\)' has no installation candidate$/\1/p" "$LOGS/apt.log" | paste -sd ' ' -)
  [ -z "$unknown" ] || die "could not install ${missing[*]}: no apt source of this machine offers $unknown (see $LOGS/apt.log). Add an apt source that does, or install what is missing another way, and run again."
  die "could not install ${missing[*]} (see $LOGS/apt.log); install them with apt-get and run again."
}

# The embedded ClickHouse engine (566 MB) lives in a cache outside the repo, downloaded once per machine.
chdb_lib() { find "$CACHE/chdb/node_modules/@chdb" -name libchdb.so 2>/dev/null | head -n 1; }

ensure_chdb() {
  [ -n "$(external_url clickhouse)" ] && return
  [ -n "$(chdb_lib)" ] && return
  step "Downloading the ClickHouse engine (libchdb, once per machine) into $CACHE/chdb"
  mkdir -p "$CACHE/chdb"
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$CACHE/chdb" "$CHDB_PACKAGE" >"$LOGS/chdb-install.log" 2>&1 \
    || die "could not download $CHDB_PACKAGE with npm (see $LOGS/chdb-install.log); check the npm registry is reachable."
  [ -n "$(chdb_lib)" ] || die "npm installed $CHDB_PACKAGE but libchdb.so is not in $CACHE/chdb; remove that folder and run again."
}

# Rebuilds when a build input changed since the last successful build (the stamp is written only after
# success, so an interrupted build is simply redone).
stale() {
  local stamp=$1; shift
  [ -f "$stamp" ] || return 0
  [ -n "$(find "$@" -newer "$stamp" -type f -not -path '*/target/*' -not -path '*/src/test/*' -print -quit 2>/dev/null)" ]
}

build() {
  local sources=("$ROOT/pom.xml" "$ROOT/event-model" "$ROOT/devstack/kafka" "$ROOT/devstack/clickhouse" "$ROOT/devstack/bench") s
  for s in "${SERVICES[@]}"; do sources+=("$ROOT/$s"); done
  if stale "$STATE/build.stamp" "${sources[@]}"; then
    step "Building Freshet (mvn package; log: $LOGS/build.log)"
    (cd "$ROOT" && mvn -B -q package -DskipTests) >"$LOGS/build.log" 2>&1 \
      || { tail -n 30 "$LOGS/build.log" >&2; die "the build failed (full log: $LOGS/build.log)."; }
    touch "$STATE/build.stamp"
  fi
  if [ -z "$(external_url registry)" ] && stale "$STATE/registry-build.stamp" "$ROOT/devstack/registry/pom.xml" "$ROOT/devstack/registry/src"; then
    step "Building the local schema registry (Apicurio 2.4.2; log: $LOGS/registry-build.log)"
    (cd "$ROOT" && mvn -B -q -s devstack/registry/settings.xml -f devstack/registry/pom.xml package -DskipTests) \
      >"$LOGS/registry-build.log" 2>&1 \
      || { tail -n 30 "$LOGS/registry-build.log" >&2; die "the registry build failed (full log: $LOGS/registry-build.log)."; }
    touch "$STATE/registry-build.stamp"
  fi
}

prepare_machine() {
  [ -n "${MACHINE_PREPARED:-}" ] && return # `test` prepares, then calls `up`
  mkdir -p "$RUN" "$LOGS" "$DATA"
  find_java
  ensure_packages
  ensure_chdb
  MACHINE_PREPARED=1
}
