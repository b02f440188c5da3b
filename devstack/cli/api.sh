# shellcheck shell=bash
# Calls to the services' admin APIs (/v1/admin on the analytics API and the router), with the admin token. The token
# reaches curl as a header read from a file descriptor: no command line (seen by ps) ever holds it.

# The admin token: FRESHET_ADMIN_TOKEN, else the one `./freshet up` wrote.
admin_token() {
  if [ -n "${FRESHET_ADMIN_TOKEN:-}" ]; then printf '%s\n' "$FRESHET_ADMIN_TOKEN"; return; fi
  [ -s "$STATE/admin-token" ] \
    || die "no admin token: set FRESHET_ADMIN_TOKEN, or run './freshet up', which writes one to .freshet/admin-token."
  printf '%s\n' "$(<"$STATE/admin-token")"
}

# curl with the admin token.
admin_curl() {
  local token
  token=$(admin_token) || exit
  curl -H @<(printf 'Authorization: Bearer %s\n' "$token") "$@"
}

# admin_request PART METHOD PATH [JSON]: sends the request (with the JSON body, when given) to PART's admin API and
# prints the answer's body, then its HTTP status on a line of its own. Stops when PART does not answer.
admin_request() {
  local part=$1 method=$2 path=$3 url send=()
  url=$(url_of "$part")$path
  if [ $# -ge 4 ]; then send=(-H 'Content-Type: application/json' --data-binary @-); fi
  admin_curl -sS -m 20 -w '\n%{http_code}' -X "$method" "${send[@]}" "$url" <<<"${4:-}" \
    || die "$part did not answer at $url: is the stack up? ('./freshet status' shows it)"
}

# The HTTP status and the body of an admin_request's answer.
status_of() { printf '%s\n' "${1##*$'\n'}"; }
body_of() { printf '%s\n' "${1%$'\n'*}"; }

# admin_call PART METHOD PATH [JSON]: admin_request that prints the body of a 2xx answer and stops with PART's reason
# on any other.
admin_call() {
  local answer
  answer=$(admin_request "$@") || exit
  [[ $(status_of "$answer") == 2?? ]] || die_refused "$1 refused the request" "$(status_of "$answer")" "$(body_of "$answer")"
  body_of "$answer"
}

# Stops with a refusal: WHAT (e.g. "the router refused the replay"), the HTTP status and the error's message from the
# body ({"error":{"code","message"}}; the body itself when it is no error).
die_refused() {
  local what=$1 status=$2 body=$3
  if [ "$status" = 401 ]; then
    die "$what ($status): the admin token (FRESHET_ADMIN_TOKEN, else .freshet/admin-token) is not the one the stack runs with."
  fi
  die "$what ($status): $(jq -r '.error.message // .' <<<"$body" 2>/dev/null || printf '%s' "$body")"
}

# A value as one segment of a URL path (a tenant or key id as typed).
path_segment() { jq -rn --arg segment "$1" '$segment | @uri'; }

# The admin API's path of a tenant (as typed), and of what is under it: tenant_path acme /api-keys.
tenant_path() { printf '/v1/admin/tenants/%s%s\n' "$(path_segment "$1")" "${2:-}"; }

# Starts a router job (POST BODY to PATH: a replay, a redrive), waits until it is no longer RUNNING and prints its
# last state (JSON). NOTE, when given, is printed to stderr with the job's id (%s) meanwhile. Stops with the router's
# message when it refuses. WHAT names the job in messages.
router_job() {
  local what=$1 path=$2 body=$3 note=${4:-} answer id job
  answer=$(admin_request router POST "$path" "$body") || exit
  [ "$(status_of "$answer")" = 202 ] || die_refused "the router refused the $what" "$(status_of "$answer")" "$(body_of "$answer")"
  id=$(body_of "$answer" | jq -r .id)
  # shellcheck disable=SC2059 # the note is ours, with the id's place in it
  [ -z "$note" ] || step "$(printf "$note" "$id")" >&2
  while :; do
    job=$(admin_curl -fsS -m 20 "$(url_of router)$path/$id") || die "lost the $what $id: the router did not answer."
    [ "$(jq -r .state <<<"$job")" = RUNNING ] || break
    sleep 1
  done
  printf '%s\n' "$job"
}
