#!/usr/bin/env bash
# Run the Freshet devstack schema registry (Apicurio 2.4.2) in the foreground on JDK 25.
#   REGISTRY_PORT (8085)  REGISTRY_HOST (127.0.0.1)  REGISTRY_DATA (.freshet/data/registry)
#   REGISTRY_JAVA_OPTS    JVM flags (default: -Xmx256m)
# Stop it with SIGTERM (Ctrl-C). Build first: see README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/target/quarkus-app/quarkus-run.jar"
[ -f "$jar" ] || { echo "run.sh: $jar missing; build it first (see $here/README.md)" >&2; exit 1; }

java_bin=""
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] \
   && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
  java_bin="$JAVA_HOME/bin/java"
else
  for d in /usr/lib/jvm/*25*; do
    if [ -x "$d/bin/java" ]; then java_bin="$d/bin/java"; break; fi
  done
fi
[ -n "$java_bin" ] || { echo "run.sh: no JDK 25 found (set JAVA_HOME or install one under /usr/lib/jvm)" >&2; exit 1; }

# shellcheck disable=SC2086 # REGISTRY_JAVA_OPTS is a list of flags
exec "$java_bin" ${REGISTRY_JAVA_OPTS:--Xmx256m} -jar "$jar"
