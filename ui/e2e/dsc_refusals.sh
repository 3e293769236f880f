#!/usr/bin/env bash
# End to end: the device signal collection flow refuses, at their own stage and before anything
# is sent, what Okta would refuse half-way through a run: a new app sign-in policy named like an
# existing one, a signal collection policy name in use, and an app sign-in policy another signal
# collection policy maps (listed, but it can't be picked at stage 1 nor mapped at stage 3). The
# walk then finishes with fixed answers and the org is checked over the Management API.
# The screens quote names with “ ”, and jq filters are single-quoted on purpose:
# shellcheck disable=SC1111,SC2016
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TAKEN_APP="Okta Dashboard" # seeded in every sandbox org
TAKEN_DSC="Sales device signals"
APP_POLICY="E2E fresh apps"
DSC_POLICY="E2E fresh signals"

# shellcheck disable=SC2119
e2e_setup

log "the org: “$TAKEN_DSC” maps “$TAKEN_APP”"
TAKEN_DSC_ID=$(api /api/v1/policies -X POST -H 'Content-Type: application/json' \
	-d "{\"type\":\"DEVICE_SIGNAL_COLLECTION\",\"name\":\"$TAKEN_DSC\"}" | jq -r .id)
TAKEN_APP_ID=$(api "/api/v1/policies?type=ACCESS_POLICY" | jq -r --arg n "$TAKEN_APP" '.[] | select(.name == $n) | .id')
[ -n "$TAKEN_APP_ID" ] || fail "the sandbox has no “$TAKEN_APP” policy"
api "/api/v1/policies/$TAKEN_DSC_ID/mappings" -X POST -H 'Content-Type: application/json' \
	-d "{\"resourceId\":\"$TAKEN_APP_ID\",\"resourceType\":\"ACCESS_POLICY\"}" >/dev/null

start_wizard
wait_for "1. Device signal collection"
send 1

log "stage 1: a mapped policy is listed but can't be picked"
wait_for "Stage 1 of 5 · App sign-in policy"
wait_for "$TAKEN_APP · mapped to “$TAKEN_DSC”: can't be picked"
send /
type_text "Dashboard"
send Enter
wait_for "“$TAKEN_APP” can't be picked: “$TAKEN_DSC” maps it"
wait_for "Stage 1 of 5 · App sign-in policy"
send Escape # clears the filter, the refused pick stays under the cursor
wait_for "> $TAKEN_APP"
wait_gone "/Dashboard"
send Up Up Up
wait_for "> + Create a new app sign-in policy"
send Enter

log "stage 1: a new policy named like an existing one is refused on its field"
focused "Name of the new app sign-in policy"
type_text "$TAKEN_APP"
send Enter
wait_for "an app sign-in policy named “$TAKEN_APP” exists"
focused "Name of the new app sign-in policy"
send C-u
type_text "$APP_POLICY"
wait_for "> $APP_POLICY"
send Enter
focused "Description (optional)"
send Enter
wait_for "New rule in “$APP_POLICY”"
send Enter Enter Enter # rule name, ALLOW, not managed
focused "People: groups the rule applies to"
send Enter
focused "Priority: where the rule goes"
send Enter
protect_no_app "$APP_POLICY"

log "stage 2: a signal collection policy name in use is refused on its field"
wait_for "Stage 2 of 5 · Signal collection policy"
focused "Signal collection policy name"
type_text "$TAKEN_DSC"
send Enter
wait_for "a signal collection policy named “$TAKEN_DSC” exists: choose"
wait_for "Stage 2 of 5 · Signal collection policy"
send C-u
type_text "$DSC_POLICY"
wait_for "> $DSC_POLICY"
send Enter Enter

log "stage 3: the mapped policy is listed but can't be mapped"
wait_for "Stage 3 of 5 · Mapping"
wait_for "$TAKEN_APP · mapped to “$TAKEN_DSC”: can't be mapped"
send Down Down x
wait_for "[•] $TAKEN_APP"
send Enter
wait_for "“$TAKEN_APP” can't be mapped: “$TAKEN_DSC” maps it"
wait_for "Stage 3 of 5 · Mapping"
send x
wait_for "[ ] $TAKEN_APP"
send Enter

log "stage 4 and the review: only what Okta accepts is sent"
wait_for "Stage 4 of 5 · Rule"
focused "Rule name"
send Enter
focused "Device context providers"
send Enter # Okta Verify
focused "Okta Verify: user identification"
send Enter # ALLOW
focused "Only on these platforms (optional)"
send Enter
focused "Only from these network zones (optional)"
send Enter
wait_for "Stage 5 of 5 · Review"
wait_for "6 requests, sent in this order."
send Enter
wait_for "Done: 6 requests sent."
secret_free
send Enter
wait_for "1. Device signal collection"
quit_wizard
secret_free

log "checking the org through the API"
api "/api/v1/policies?type=DEVICE_SIGNAL_COLLECTION" | check "one “$TAKEN_DSC” and one “$DSC_POLICY”" \
	'([.[] | select(.name == $taken)] | length == 1) and ([.[] | select(.name == $new)] | length == 1)' \
	--arg taken "$TAKEN_DSC" --arg new "$DSC_POLICY"
api "/api/v1/policies/$TAKEN_DSC_ID/mappings" | check "“$TAKEN_DSC” still maps “$TAKEN_APP” only" \
	'length == 1 and (.[0].id == $app or ((.[0]._links.policy.href // "") | endswith("/policies/" + $app)))' --arg app "$TAKEN_APP_ID"
api "/api/v1/policies?type=ACCESS_POLICY" | check "one “$TAKEN_APP” and one “$APP_POLICY”" \
	'([.[] | select(.name == $taken)] | length == 1) and ([.[] | select(.name == $new)] | length == 1)' \
	--arg taken "$TAKEN_APP" --arg new "$APP_POLICY"

log "PASS"
