# shellcheck shell=bash
# `./freshet dlq list|redrive`: what freshet.events.dlq holds (counts by stage and reason, samples), or a redrive of
# its letters back through the pipeline, waited for, with what became of them (the router's admin API).

cmd_dlq() {
  local action=${1:-} usage="Usage: ./freshet dlq list|redrive [--tenant ID] [--since ISO-8601-TIME] [--reason CODE] [--json]"
  local given=() name json=false
  case $action in
    list|redrive) shift ;;
    -h|--help|help) dlq_help; return ;;
    *) die "dlq lists or redrives: say which. $usage" ;;
  esac
  if wants_help "$@"; then dlq_help "$action"; return; fi
  parse_args "$usage" "--tenant= --since= --reason= --json" "$@"
  want_args "$usage"
  # what was not given is left out of the filter
  for name in tenant since reason; do
    if has_opt "--$name"; then given+=(--arg "$name" "$(opt "--$name")"); fi
  done
  if has_opt --json; then json=true; fi
  require_up router
  "dlq_$action" "$json" "${given[@]}"
}

dlq_help() {
  case ${1:-} in
    list) printf '%s\n' "Usage: ./freshet dlq list [--tenant ID] [--since ISO-8601-TIME] [--reason CODE] [--json]" "" \
      "Counts the dead letters on freshet.events.dlq (of one tenant, failed since the time, of one reason; all by" \
      "default) by stage and reason and by tenant, and shows the newest few of each kind. --json prints the router's" \
      "answer as it is." ;;
    redrive) printf '%s\n' "Usage: ./freshet dlq redrive [--tenant ID] [--since ISO-8601-TIME] [--reason CODE] [--json]" "" \
      "Sends the matching dead letters of the enricher back to freshet.events.raw, so the pipeline processes them" \
      "again once their cause is fixed (rules changed, tenant unpaused, registry back), and waits until each is" \
      "stored or dead-lettered again (or a minute passed). Events ClickHouse already holds are not sent; router" \
      "letters (rows ClickHouse refused) are skipped: fix the cause, then use './freshet replay'. Exit 0 when it" \
      "finished. --json prints the router's report as it is." ;;
    *) printf '%s\n' "Usage: ./freshet dlq list|redrive [--tenant ID] [--since ISO-8601-TIME] [--reason CODE] [--json]" "" \
      "  list     counts of the dead letters by stage and reason, with samples" \
      "  redrive  send the enricher's dead letters through the pipeline again and report what became of them" "" \
      "Reason codes: invalid_event, rule_violation, tenant_paused, tenant_deleted, unknown_tenant, row_refused," \
      "processing_failed, unknown (older letters whose reason is not known)." ;;
  esac
}

# Prints the router's counts of the DLQ's letters (JSON with --json).
dlq_list() {
  local json=$1 query=() name value answer
  shift
  # the filter as query parameters, each encoded by curl
  while IFS=$'\t' read -r name value; do query+=(--data-urlencode "$name=$value"); done \
    < <(jq -rn "$@" '$ARGS.named | to_entries[] | [.key, .value] | @tsv')
  answer=$(admin_curl -sS -m 120 -w '\n%{http_code}' -G "$(url_of router)/v1/admin/dlq" "${query[@]}") \
    || die "the router did not answer."
  [ "$(status_of "$answer")" = 200 ] || die_refused "the router refused the listing" "$(status_of "$answer")" "$(body_of "$answer")"
  if [ "$json" = true ]; then body_of "$answer"; return; fi
  body_of "$answer" | jq -r 'def pad($n): tostring | . + (" " * ([$n - length, 1] | max));
    def cut($n): if . == null then "" elif length > $n then .[:$n] + "…" else . end;
    "\(.total) dead letters"
      + (if .filter.tenant then " of tenant \(.filter.tenant)" else "" end)
      + (if .filter.since then " failed since \(.filter.since)" else "" end)
      + (if .filter.reason then " with reason \(.filter.reason)" else "" end)
      + (if .unreadable > 0 then " (+ \(.unreadable) unreadable records)" else "" end),
    (if .total > 0 then "  \("stage" | pad(10))\("reason" | pad(19))letters" else empty end),
    (.by_stage | to_entries[] | .key as $stage | .value | to_entries[] | "  \($stage | pad(10))\(.key | pad(19))\(.value)"),
    (if .total > 0 then "  by tenant: " + ([.by_tenant | to_entries[] | "\(.key) \(.value)"] | .[:10] | join(", "))
      + (if (.by_tenant | length) > 10 then ", … (\(.by_tenant | length) tenants)" else "" end) else empty end),
    (if (.samples | length) > 0 then "Newest of each kind:" else empty end),
    (.samples[] | "  \(.failed_at) \(.stage)/\(.reason) tenant \(.tenant_id // "(none)") from \(.source_topic)-\(.source_partition)@\(.source_offset) (dlq \(.dlq_partition)@\(.dlq_offset))",
      "    \(.error_message | cut(200))", "    payload: \(.payload | cut(200))")'
}

# Runs a redrive on the router, waits for it and prints what became of the letters (JSON with --json).
dlq_redrive() {
  local json=$1 body note="" redrive
  shift
  body=$(jq -cn "$@" '{tenant: $ARGS.named.tenant, since: $ARGS.named.since, reason: $ARGS.named.reason}')
  [ "$json" = true ] || note="Redrive %s running: reading the dead letters, then following the events it sent back"
  redrive=$(router_job redrive /v1/admin/dlq/redrives "$body" "$note") || exit
  if [ "$json" = true ]; then
    printf '%s\n' "$redrive"
  else
    jq -r 'def by($sep; f): [to_entries[] | "\(.key)\($sep)\(.value | f)"] | join(", ");
      "  read \(.read) dead letters: redriven \(.redriven), already stored \(.already_stored), skipped \(.skipped)"
        + (if .skipped > 0 then " (" + (.skipped_by_cause | by(": "; by(" "; .))) + ")" else "" end),
      "  of the \(.redriven) redriven: stored \(.stored), dead-lettered again \(.dead_lettered_again)"
        + (if .dead_lettered_again > 0 then " (" + (.dead_lettered_again_by_reason | by(" "; .)) + ")" else "" end)
        + ", pending \(.pending)"
        + (if .pending > 0 then " (neither stored nor dead-lettered again by \(.following_until))" else "" end)' <<<"$redrive"
  fi
  [ "$(jq -r .state <<<"$redrive")" = DONE ] || die "redrive $(jq -r .id <<<"$redrive") failed: $(jq -r .error <<<"$redrive")"
}
