#!/usr/bin/env bash
# End to end: a device signal collection setup on an existing app sign-in policy ("Password
# only", which Slack uses) that also protects Workday with it; from the review, Try a sign-in
# gives the wizard's prediction for Workday before anything is sent; after sending, from the
# summary, Okta's answer: a registered Mac is let in by the new rule, an unregistered one falls
# through to the catch-all rule. The org is then asked over the API for the same sign-ins.
# The screens quote names with “ ”, and jq filters are single-quoted on purpose:
# shellcheck disable=SC1111,SC2016
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APP_POLICY="Password only"
APP_RULE="Require a registered device"
DSC_POLICY="E2E sign-in signals"

# device_rest answers the device page from "Registered" on with what it shows: the registered
# answer, not managed, no device assurance, any network.
device_rest() {
	send Enter
	focused "Managed (MDM)?"
	send Enter
	focused "Passes device assurance"
	send Enter
	focused "Network zone"
	send Enter
}

e2e_setup
start_wizard

log "home"
wait_for "1. Device signal collection"
send 1

log "stage 1: the existing policy “$APP_POLICY” and a registered-device rule in it"
wait_for "Stage 1 of 5 · App sign-in policy"
focused "App sign-in policy"
wait_for "> + Create a new app sign-in policy"
send /
wait_for "┃ /"
type_text "$APP_POLICY"
wait_for "> $APP_POLICY"
send Enter
wait_for "New rule in “$APP_POLICY”"
dsc_app_rule_defaults
wait_for "> 1: first, before the catch-all rule"
send Enter

log "protect step: Workday gets “$APP_POLICY” too (Slack has it already)"
wait_for "Protect these apps with “$APP_POLICY” (optional)"
wait_for "Already protected by “$APP_POLICY”: Slack."
send /
wait_for "┃ /"
type_text "Workday"
wait_for "Workday (SAML) · now “Any two factors”"
send Enter # keep the filter
send x
wait_for "[•] Workday"
send Enter

log "stages 2 to 4"
wait_for "Stage 2 of 5 · Signal collection policy"
focused "Signal collection policy name"
type_text "$DSC_POLICY"
send Enter
focused "Description (optional)"
send Enter
wait_for "Stage 3 of 5 · Mapping"
send Enter
wait_for "Stage 4 of 5 · Rule"
focused "Rule name"
send Enter
focused "Device context providers"
send Enter
focused "Okta Verify: user identification"
send Enter
focused "Only on these platforms (optional)"
send Enter
focused "Only from these network zones (optional)"
send Enter

log "review: the wizard's prediction of a sign-in to Workday before sending"
wait_for "Stage 5 of 5 · Review"
wait_for "6 requests, sent in this order."
send t
wait_for "Try a sign-in · prediction"
wait_for "The wizard's prediction, not Okta's answer"
focused "App signed in to"
wait_for "> Workday"
send Enter
focused "Who signs in"
send Enter
focused "Platform"
send Enter
focused "Registered with Okta Verify?"
device_rest
wait_for "Decides  “$APP_RULE”, the first rule that matches"
wait_for "Sign-in: Workday · group Everyone · macOS, registered"
secret_free
send Escape

log "submit"
wait_for "Stage 5 of 5 · Review"
send Enter
wait_for "Done: 6 requests sent."
wait_for_re "✓.*PUT +Protect app “Workday” with “$APP_POLICY”"
wait_for "t: try a sign-in"

log "try a sign-in: Slack from a registered Mac"
send t
wait_for "Okta's answer (its policy simulation of the org as it is now)"
focused "App signed in to"
wait_for "> Workday" # the app the run protected
send /
wait_for "┃ /"
type_text "Slack"
wait_for "> Slack"
send Enter
focused "Who signs in"
wait_for "> Group: Everyone"
send Enter
focused "Platform"
wait_for "← macOS →"
send Enter
focused "Registered with Okta Verify?"
wait_for "← Yes →"
# One key per field: huh moves on through commands, so keys sent at once can skip a field.
device_rest
wait_for "Decides"
wait_for "“$APP_RULE”"
wait_for_re "User gets +ALLOW"
wait_for_re "MATCH +device.registered"
secret_free

log "the same sign-in, not registered: the catch-all decides"
send e
focused "App signed in to"
wait_for "> Slack"
send Enter
focused "Who signs in"
send Enter
focused "Platform"
send Enter
focused "Registered with Okta Verify?"
send Right
wait_for "← No →"
device_rest
wait_for "Decides"
wait_for_re "NOT_MATCH +device.registered"
wait_for "Catch-all Rule"
send Escape
wait_for "Done: 6 requests sent."
quit_wizard
secret_free

log "asking the org over the API"
api "/api/v1/apps?q=Workday" | check "Workday now uses “$APP_POLICY”" '
	[.[] | select(.label == "Workday")][0]._links.accessPolicy.href | endswith("/policies/" + $p)' \
	--arg p "$(api "/api/v1/policies?type=ACCESS_POLICY" | jq -r --arg n "$APP_POLICY" '.[] | select(.name == $n) | .id')"
apps=$(api "/api/v1/apps?q=Slack")
SLACK=$(jq -r '.[] | select(.label == "Slack") | .id' <<<"$apps")
[ -n "$SLACK" ] || fail "the sandbox has no app Slack"
EVERYONE=$(api "/api/v1/groups?q=Everyone" | jq -r '.[] | select(.profile.name == "Everyone") | .id')
simulate() {
	api "/api/v1/policies/simulate?expand=EVALUATED&expand=UNDEFINED" -X POST -H 'Content-Type: application/json' \
		-d "{\"policyTypes\":[\"ACCESS_POLICY\"],\"appInstance\":\"$SLACK\",\"policyContext\":{\"groups\":{\"ids\":[\"$EVERYONE\"]},\"device\":{\"platform\":\"MACOS\",\"registered\":$1,\"managed\":false}}}"
}
simulate true | check "a registered Mac signing in to Slack meets “$APP_RULE” of “$APP_POLICY”" '
	.evaluation[] | select(.policyType == "ACCESS_POLICY") | .result.policies[0] |
	.name == $p and any(.rules[]; .name == $r and .status == "MATCH")' --arg p "$APP_POLICY" --arg r "$APP_RULE"
simulate false | check "an unregistered Mac falls through to the catch-all" '
	.evaluation[] | select(.policyType == "ACCESS_POLICY") |
	any(.result.policies[0].rules[]; .name == "Catch-all Rule" and .status == "MATCH")'

log "PASS"
