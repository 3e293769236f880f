#!/usr/bin/env bash
# End to end: kill -9 mid-run, then resume shows each step's true state. The sandbox answers
# slowly; the wizard is killed once the first request is done. On the next start the resume
# screen shows every step as its journal records it (done, unknown = sent without an answer,
# not run), r finishes the run, no journal is left and the org holds one of each object.
# The screens quote names with “ ”, and jq filters are single-quoted on purpose:
# shellcheck disable=SC1111,SC2016
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APP_POLICY="E2E killed apps"
DSC_POLICY="E2E killed signals"

e2e_setup --faults 'latency=400ms'
start_wizard

dsc_walk_to_review "$APP_POLICY" "$DSC_POLICY"
send Enter
wait_for "Sending…"
wait_for_re "^✓ " 60
pid=$(wizard_pid)
[ -n "$pid" ] || fail "no wizard process in the pane"
kill -9 "$pid"
log "killed the wizard (pid $pid) mid-run"
deadline=$((SECONDS + WAIT_TIMEOUT))
while [ ! -f "$E2E_TMP/wizard.exit" ]; do
	[ $SECONDS -lt $deadline ] || fail "the killed wizard's pane did not notice"
	sleep 0.2
done
sleep 1 # let the request that was in flight land, as it would after a real crash

journal=$(journal_files)
[ "$(wc -l <<<"$journal")" = 1 ] && [ -n "$journal" ] || fail "want one journal after the kill, got: $journal"
jq -r '.steps[] | .state' "$journal" | sort | uniq -c | sed 's/^/    /' >&2
jq -e '[.steps[] | .state] | index("done") != null and (index("pending") != null or index("running") != null)' "$journal" >/dev/null ||
	fail "the kill did not land mid-run: $(jq -c '[.steps[] | .state]' "$journal")"

restart_wizard
wait_for "Resume or roll back: Device signal collection “$DSC_POLICY”"
send Enter
wait_for "Unfinished run"
n=$(jq '.steps | length' "$journal")
for ((i = 0; i < n; i++)); do
	state=$(jq -r ".steps[$i].state" "$journal")
	uncertain=$(jq -r ".steps[$i].uncertain // false" "$journal")
	title=$(jq -r ".plan.steps[$i].title[0:24]" "$journal")
	case "$state/$uncertain" in
	done/*) want="✓ done   " ;;
	running/* | failed/true) want="? unknown" ;;
	failed/false) want="✗ refused" ;;
	*) want="· not run" ;;
	esac
	screen | grep -F -- "$title" | grep -qF -- "$want" ||
		fail "step $((i + 1)) “$title” is $state in the journal; the resume screen does not show “$want” for it"
	log "ok: step $((i + 1)) $state: shown as “$want”"
done
assert_screen "Resume: done: kept, not sent again"
send r
wait_for_re "Done: [0-9]+ requests? sent"
send Enter
wait_for "1. Device signal collection"
no_journal "after the resume"
quit_wizard
secret_free

log "checking the org through the API"
api "/api/v1/policies?type=DEVICE_SIGNAL_COLLECTION" | check "one DSC policy named “$DSC_POLICY”, ACTIVE" \
	'[.[] | select(.name == $n)] | length == 1 and .[0].status == "ACTIVE"' --arg n "$DSC_POLICY"
access=$(api "/api/v1/policies?type=ACCESS_POLICY")
check "one app sign-in policy named “$APP_POLICY”" '[.[] | select(.name == $n)] | length == 1' --arg n "$APP_POLICY" <<<"$access"
APP_ID=$(jq -r --arg n "$APP_POLICY" '.[] | select(.name == $n) | .id' <<<"$access")
api "/api/v1/policies/$APP_ID/rules" | check "“$APP_POLICY” has one registered-device rule (not created twice)" \
	'[.[] | select(.system != true)] | length == 1'
log "PASS"
