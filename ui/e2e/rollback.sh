#!/usr/bin/env bash
# End to end: roll back previews and asks. The sandbox refuses the first mapping; u on the
# stopped run shows the requests that undo it (nothing deleted yet), esc keeps everything;
# ctrl+c then exits 130 saying the journal is kept. The next start offers the run; u previews
# again and enter rolls back: the steps read rolled back / not run, no journal is left and the
# org holds none of the run's objects.
# The screens quote names with “ ”, and jq filters are single-quoted on purpose:
# shellcheck disable=SC1111,SC2016
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APP_POLICY="E2E undone apps"
DSC_POLICY="E2E undone signals"

count_named() { api "/api/v1/policies?type=$1" | jq --arg n "$2" '[.[] | select(.name == $n)] | length'; }

e2e_setup --faults 'E0000001@POST /api/v1/policies/*/mappings#1'
start_wizard

dsc_walk_to_review "$APP_POLICY" "$DSC_POLICY"
send Enter
wait_for_re "✗.*POST +Map app sign-in policy “$APP_POLICY”"
wait_for "u: roll back"
send u
wait_for "Roll back? · "
wait_for_re "requests? undo this run, newest first"
wait_for_re " 1 DELETE +/api/v1/policies/"
wait_for "enter sends"
wait_for "nothing is undone"
[ "$(count_named DEVICE_SIGNAL_COLLECTION "$DSC_POLICY")" = 1 ] || fail "the preview deleted the DSC policy before enter"
log "ok: the roll back preview lists the requests and sent nothing"
send Escape
wait_for "u: roll back"

log "ctrl+c on the stopped run: exit 130, the journal is kept"
send C-c
deadline=$((SECONDS + WAIT_TIMEOUT))
while [ ! -f "$E2E_TMP/wizard.exit" ]; do
	[ $SECONDS -lt $deadline ] || fail "the wizard did not exit after ctrl+c"
	sleep 0.2
done
[ "$(cat "$E2E_TMP/wizard.exit")" = 130 ] || fail "ctrl+c after a failed run exited $(cat "$E2E_TMP/wizard.exit"), want 130"
# The message wraps at 80 columns: read the screen as one line.
screen | tr -d '\n' | grep -qF "unfinished; its journal is kept: the next start offers resume or roll back" ||
	fail "the exit does not say the journal is kept"
[ -n "$(journal_files)" ] || fail "the journal is gone after ctrl+c"
log "ok: exit 130, the journal is kept"

restart_wizard
wait_for "Resume or roll back: Device signal collection “$DSC_POLICY”"
send Enter
wait_for "Unfinished run"
wait_for_re "✓ done +POST +Create app sign-in policy “$APP_POLICY”"
wait_for_re "✗ refused +POST +Map app sign-in policy"
send u
wait_for "Roll back? · "
wait_for_re " 1 DELETE +/api/v1/policies/"
[ "$(count_named ACCESS_POLICY "$APP_POLICY")" = 1 ] || fail "the preview deleted the app sign-in policy before enter"
send Enter
wait_for "Rolled back"
wait_for "rolled back"
wait_for "not run: nothing to undo"
send Enter
wait_for "1. Device signal collection"
no_journal "after the roll back"
quit_wizard
secret_free

log "checking the org through the API"
[ "$(count_named DEVICE_SIGNAL_COLLECTION "$DSC_POLICY")" = 0 ] || fail "the rolled-back DSC policy still exists"
[ "$(count_named ACCESS_POLICY "$APP_POLICY")" = 0 ] || fail "the rolled-back app sign-in policy still exists"
log "ok: none of the run's policies is left"
log "PASS"
