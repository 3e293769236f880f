#!/usr/bin/env bash
# End to end: fix-and-continue leaves no journal. The sandbox refuses the first device assurance
# create and the first mapping with E0000001; in both flows f goes back to the stage, the run
# continues from the review and succeeds, and then no journal is left and the home screen offers
# no resume. The org ends with one of each object.
# The screens quote names with “ ”, and jq filters are single-quoted on purpose:
# shellcheck disable=SC1111,SC2016
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DA_NAME="E2E fixed iOS"
APP_POLICY="E2E fixed apps"
DSC_POLICY="E2E fixed signals"

e2e_setup --faults 'E0000001@POST /api/v1/device-assurances#1;E0000001@POST /api/v1/policies/*/mappings#1'
start_wizard

# da_pages_to_review answers every page of the device assurance form with its default.
da_pages_to_review() {
	wait_for "OS version · page 2 of"
	focused "Operating system version"
	send Enter
	focused "Screen lock types allowed"
	if ! screen | grep -qF "[•]"; then
		send x # one check at least: Okta refuses a policy that checks nothing
		wait_for "[•]"
	fi
	send Enter
	focused "Block jailbroken or rooted devices?"
	send Enter
	focused "Require device posture IdP signals?"
	send Enter
	focused "When a device fails the checks"
	send Enter
	focused "In the Sign-In Widget, for a device that fails"
	send Enter
	wait_for "POST   /api/v1/device-assurances"
}

log "device assurance: the create is refused once"
wait_for "1. Device signal collection"
send 2
wait_for "Policies of checks a device must pass"
send 1
wait_for "Name and platform · page 1 of"
focused "Policy name"
type_text "$DA_NAME"
wait_for "> $DA_NAME"
send Enter
focused "Platform"
wait_for "> iOS"
send Enter
da_pages_to_review
send Enter
wait_for "E0000001"
wait_for "Okta changed nothing: no journal is kept."
[ -z "$(journal_files)" ] || fail "a refused create left a journal: $(journal_files)"
log "f: fix and continue"
send f # back to the form, every answer kept
wait_for "Remediation instructions · page"
send Enter
wait_for "POST   /api/v1/device-assurances"
send Enter
wait_for "Created device assurance policy"
send Escape
wait_for "Done: 1 request sent."
send Enter
wait_for "1. Device signal collection"
no_journal "device assurance fix and continue"

log "device signal collection: the mapping is refused once"
dsc_walk_to_review "$APP_POLICY" "$DSC_POLICY"
send Enter
wait_for_re "✗.*POST +Map app sign-in policy “$APP_POLICY”"
wait_for "f: fix stage 3 and continue"
[ -n "$(journal_files)" ] || fail "a run stopped half-way keeps no journal"
send f
wait_for "Stage 3 of 5 · Mapping"
send Enter
dsc_rule_stage_defaults
# The review counts only what it sends now (the run sends independent requests together, so
# how many were done before varies).
wait_for_re "enter sends [1-5] remaining requests?"
send Enter
wait_for_re "Done: [0-9]+ requests? sent; [0-9]+ already done by the earlier run\."
send Enter
wait_for "1. Device signal collection"
no_journal "device signal collection fix and continue"
quit_wizard
secret_free

log "checking the org through the API"
api /api/v1/device-assurances | check "one device assurance policy named “$DA_NAME”" \
	'[.[] | select(.name == $n)] | length == 1' --arg n "$DA_NAME"
api "/api/v1/policies?type=DEVICE_SIGNAL_COLLECTION" | check "one DSC policy named “$DSC_POLICY”, ACTIVE" \
	'[.[] | select(.name == $n)] | length == 1 and .[0].status == "ACTIVE"' --arg n "$DSC_POLICY"
api "/api/v1/policies?type=ACCESS_POLICY" | check "one app sign-in policy named “$APP_POLICY”" \
	'[.[] | select(.name == $n)] | length == 1' --arg n "$APP_POLICY"

log "PASS"
