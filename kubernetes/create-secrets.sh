#!/usr/bin/env bash
# Creates the Secrets that the manifests expect but never carry, with random values, in a namespace of the cluster that
# kubectl points at:
#   freshet-secrets  admin-token, clickhouse-user, clickhouse-password, clickhouse-analytics-password, mqtt-password,
#                    redis-password, secrets-key
#   mqtt-tls         the MQTT broker's certificate for devices (kubernetes.io/tls)
# Kafka's credentials are not among them: Strimzi makes one Secret per KafkaUser. A Secret that exists is left as it is
# (rotating one is a step of its own: docs/kubernetes.md, "Secrets").
#
#   kubernetes/create-secrets.sh NAMESPACE [--mqtt-cert FILE --mqtt-key FILE]
#
# Without --mqtt-cert, the broker gets a self-signed certificate for the Service mqtt (enough for a dev cluster, whose
# devices can be told to trust it); devices on the internet need one they trust: cert-manager or your CA.
set -euo pipefail

usage() {
  echo "usage: $0 NAMESPACE [--mqtt-cert FILE --mqtt-key FILE]" >&2
  exit 2
}

[ $# -ge 1 ] || usage
namespace=$1
shift
cert='' key=''
while [ $# -gt 0 ]; do
  case $1 in
    --mqtt-cert) [ $# -ge 2 ] || usage; cert=$2; shift 2 ;;
    --mqtt-key) [ $# -ge 2 ] || usage; key=$2; shift 2 ;;
    *) usage ;;
  esac
done
if { [ -n "$cert" ] && [ -z "$key" ]; } || { [ -z "$cert" ] && [ -n "$key" ]; }; then usage; fi
for command in kubectl openssl; do
  command -v "$command" >/dev/null || { echo "$0: $command is needed" >&2; exit 1; }
done

# The values go through files only this user may read, never through a command line that ps would show.
umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

exists() {
  kubectl -n "$namespace" get secret "$1" >/dev/null 2>&1
}

kubectl get namespace "$namespace" >/dev/null 2>&1 || kubectl create namespace "$namespace"

if exists freshet-secrets; then
  echo "freshet-secrets exists in $namespace: left as it is"
else
  mkdir "$work/freshet-secrets"
  cd "$work/freshet-secrets"
  openssl rand -hex 32 | tr -d '\n' >admin-token          # FRESHET_ADMIN_TOKEN
  printf freshet >clickhouse-user                          # the ClickHouseInstallation's user
  openssl rand -hex 24 | tr -d '\n' >clickhouse-password
  openssl rand -hex 24 | tr -d '\n' >clickhouse-analytics-password # the analytics API's read-only user
  openssl rand -hex 16 | tr -d '\n' >mqtt-password         # the sources service's own MQTT user
  openssl rand -hex 24 | tr -d '\n' >redis-password
  openssl rand -base64 32 | tr -d '\n' >secrets-key        # FRESHET_SECRETS_KEY: AES-256, base64 of 32 bytes
  cd - >/dev/null
  kubectl -n "$namespace" create secret generic freshet-secrets --from-file="$work/freshet-secrets"
fi

if exists mqtt-tls; then
  echo "mqtt-tls exists in $namespace: left as it is"
else
  if [ -z "$cert" ]; then
    cert=$work/tls.crt key=$work/tls.key
    service=mqtt.$namespace.svc
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 -subj "/CN=$service" \
      -addext "subjectAltName=DNS:mqtt,DNS:mqtt.$namespace,DNS:$service,DNS:$service.cluster.local" \
      -keyout "$key" -out "$cert" 2>/dev/null
    echo "mqtt-tls: a self-signed certificate for $service, valid for a year; devices must trust $namespace's mqtt-tls tls.crt"
  fi
  kubectl -n "$namespace" create secret tls mqtt-tls --cert="$cert" --key="$key"
fi

echo "The admin token: kubectl -n $namespace get secret freshet-secrets -o jsonpath='{.data.admin-token}' | base64 -d"
