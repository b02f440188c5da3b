# shellcheck shell=bash
# `./freshet replay`: asks the router to store again what ClickHouse lacks of the enriched events since a time or an
# offset, waits for it, and prints what it found.

cmd_replay() {
  local usage="Usage: ./freshet replay [--tenant ID] (--from ISO-8601-TIME | --from-offset N) [--json]"
  local given=() body note="" replay
  if wants_help "$@"; then
    printf '%s\n' "$usage" "" \
      "Stores again, exactly once, what ClickHouse lacks of the enriched events since the time (or offset), of one" \
      "tenant or all, and prints how many records it read, restored and found already stored. --json prints the" \
      "router's report as it is."
    return
  fi
  parse_args "$usage" "--tenant= --from= --from-offset= --json" "$@"
  want_args "$usage"
  # what was not given is null
  if has_opt --tenant; then given+=(--arg tenant "$(opt --tenant)"); fi
  if has_opt --from; then given+=(--arg from "$(opt --from)"); fi
  if has_opt --from-offset; then
    [[ $(opt --from-offset) =~ ^[0-9]+$ ]] || die "--from-offset takes a number. $usage"
    given+=(--arg from_offset "$(opt --from-offset)")
  fi
  body=$(jq -cn "${given[@]}" '{tenant: $ARGS.named.tenant, from: $ARGS.named.from, from_offset: ($ARGS.named.from_offset | if . == null then null else tonumber end)}')
  require_up router
  has_opt --json || note="Replay %s running (the router's log has its progress)"
  replay=$(router_job replay /v1/admin/replays "$body" "$note") || exit
  if has_opt --json; then
    printf '%s\n' "$replay"
  else
    jq -r '"  read \(.read) records: restored \(.restored) rows, \(.present) already stored, \(.dead_lettered) dead-lettered"' <<<"$replay"
  fi
  [ "$(jq -r .state <<<"$replay")" = DONE ] || die "replay $(jq -r .id <<<"$replay") failed: $(jq -r .error <<<"$replay")"
}
