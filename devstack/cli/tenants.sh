# shellcheck shell=bash
# Tenants through the analytics API's admin API (docs/contracts.md): the demo tenant of `up`, the benchmarks' tenants.

# new_tenant ID [--arg name NAME]: creates the tenant and prints the analytics API's answer ({"id","apiKey"}).
new_tenant() {
  local id=$1
  shift
  admin_call analytics-api POST /v1/admin/tenants "$(jq -cn --arg id "$id" "$@" '{id: $id, name: $ARGS.named.name}')"
}

# Prints a usable API key of the tenant ID: creates the tenant (named NAME) or, when it exists (409), rotates its
# key, since the admin API shows a key only once. Stops on any other answer.
tenant_key() {
  local id=$1 name=$2 answer key=""
  answer=$(admin_request analytics-api POST /v1/admin/tenants "$(jq -cn --arg id "$id" --arg name "$name" '{id: $id, name: $name}')") || exit
  if [ "$(status_of "$answer")" = 409 ]; then
    answer=$(admin_request analytics-api POST "/v1/admin/tenants/$(path_segment "$id")/keys") || exit
  fi
  if [[ $(status_of "$answer") == 20[01] ]]; then key=$(body_of "$answer" | jq -r '.apiKey // empty' 2>/dev/null || true); fi
  [ -n "$key" ] || die "could not get a key for the tenant '$id' (HTTP $(status_of "$answer"): $(body_of "$answer"))."
  printf '%s\n' "$key"
}

# The demo tenant's key is shown once by the admin API, so it is kept in .freshet/demo-api-key; when
# the tenant exists but the key file is gone, the key is rotated to get a usable one. A kept key the gateway no
# longer knows (the data was deleted) is replaced: an empty batch is 400 for a known key, 401 for an unknown one.
ensure_demo_tenant() {
  if [ -s "$STATE/demo-api-key" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' -m 10 -X POST \
      -H @<(printf 'Authorization: Bearer %s\n' "$(<"$STATE/demo-api-key")") -H 'Content-Type: application/json' \
      -d '[]' "$(url_of ingest-gateway)/v1/events")" != 401 ]; then
    return
  fi
  local key
  key=$(tenant_key demo Demo) || exit
  (umask 077 && printf '%s\n' "$key" >"$STATE/demo-api-key")
}
