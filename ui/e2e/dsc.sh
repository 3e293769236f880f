#!/usr/bin/env bash
# End to end: the five-stage device signal collection flow, driven by keys in tmux against a
# sandbox org, then the org checked over the Management API.
# With E2E_DSC_FAULT=1 the sandbox fails the first mapping request with a 500: the submit stops
# there, r retries, and the org still ends with one of each object (nothing sent twice).
# The screens quote names with “ ”, and jq filters are single-quoted on purpose:
# shellcheck disable=SC1111,SC2016
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APP_POLICY="E2E Registered devices"
APP_RULE="Require a registered device"
DSC_POLICY="E2E device signals"
DSC_RULE="Collect device signals"

FAULT=${E2E_DSC_FAULT:-}
if [ "$FAULT" = 1 ]; then
	e2e_setup --faults '500@POST /api/v1/policies/*/mappings#1'
else
	e2e_setup
fi
start_wizard

log "home"
wait_for "1. Device signal collection"
wait_for "Every request is shown before it is sent."
send 1

log "stage 1: a new app sign-in policy and its registered-device rule"
wait_for "Stage 1 of 5 · App sign-in policy"
focused "App sign-in policy"
wait_for "> + Create a new app sign-in policy"
send Enter
focused "Name of the new app sign-in policy"
send Enter # nothing typed: refused with a message, the page stays
wait_for "App sign-in policy name is required: type a name"
focused "Name of the new app sign-in policy"
type_text "$APP_POLICY"
wait_for "> $APP_POLICY"
send Enter
focused "Description (optional)"
type_text "Made by the e2e test"
wait_for "> Made by the e2e test"
send Enter
wait_for "New rule in “$APP_POLICY”"
focused "Rule name"
wait_for "> $APP_RULE" # the default name
send Enter
focused "Access for a registered device"
wait_for "> ALLOW: let registered devices in"
send Enter
focused "Require managed devices too?"
send Enter
focused "People: groups the rule applies to"
send Enter
focused "Priority: where the rule goes"
wait_for "> 1: first, before the catch-all rule"
send Enter
protect_no_app "$APP_POLICY"

log "stage 2: the signal collection policy"
wait_for "Stage 2 of 5 · Signal collection policy"
focused "Signal collection policy name"
type_text "$DSC_POLICY"
wait_for "> $DSC_POLICY"
send Enter
focused "Description (optional)"
send Enter

log "stage 3: mapping"
wait_for "Stage 3 of 5 · Mapping"
wait_for "This flow maps “$APP_POLICY” → “$DSC_POLICY”."
focused "Also map these app sign-in policies (optional)"
send Enter

log "stage 4: the rule and its providers"
wait_for "Stage 4 of 5 · Rule"
focused "Rule name"
wait_for "> $DSC_RULE"
send Enter
focused "Device context providers"
wait_for "[•] Okta Verify"
send Down x
wait_for "[•] Chrome Device Trust"
send Down x
wait_for "[•] Device posture IdP (a third-party identity provider)"
send Enter
focused "Okta Verify: user identification"
wait_for "> ALLOW: Okta Verify may identify the user"
send Enter
focused "Device posture IdP"
wait_for "> Device Posture Provider (OIDC)"
send Enter
focused "Only on these platforms (optional)"
send Enter
focused "Only from these network zones (optional)"
send Enter

log "stage 5: review and submit"
wait_for "Stage 5 of 5 · Review"
wait_for "6 requests, sent in this order. Nothing is sent until you press enter."
wait_for "POST   /api/v1/policies?activate=true"
wait_for "[x] Activate the policy last"
send Enter
if [ "$FAULT" = 1 ]; then
	log "the mapping fails once: retry"
	wait_for_re "✗.*POST +Map app sign-in policy “$APP_POLICY”"
	wait_for "r retry"
	send r
	# Requests that succeeded before are not sent again.
	wait_for_re "=.*POST +Create device signal collection policy “$DSC_POLICY”"
	# The summary counts only what the retry sent.
	wait_for_re "Done: [0-9]+ requests? sent; [0-9]+ already done by the earlier run\."
else
	wait_for "Done: 6 requests sent."
fi
wait_for_re "[✓=].*POST +Create device signal collection policy “$DSC_POLICY”"
wait_for_re "✓.*POST +Map app sign-in policy “$APP_POLICY”"
wait_for_re "✓.*POST +Activate device signal collection policy “$DSC_POLICY”"
secret_free
send Enter
wait_for "1. Device signal collection"
quit_wizard
secret_free

log "checking the org through the API"
idps=$(api /api/v1/idps)
IDP_ID=$(jq -r '.[] | select(.name == "Device Posture Provider") | .id' <<<"$idps")
[ -n "$IDP_ID" ] || fail "the sandbox has no IdP named Device Posture Provider"

dsc=$(api "/api/v1/policies?type=DEVICE_SIGNAL_COLLECTION")
check "one DSC policy named “$DSC_POLICY”, ACTIVE" \
	'[.[] | select(.name == $n)] | length == 1 and .[0].status == "ACTIVE" and .[0].type == "DEVICE_SIGNAL_COLLECTION"' \
	--arg n "$DSC_POLICY" <<<"$dsc"
DSC_ID=$(jq -r --arg n "$DSC_POLICY" '.[] | select(.name == $n) | .id' <<<"$dsc")

access=$(api "/api/v1/policies?type=ACCESS_POLICY")
check "one app sign-in policy named “$APP_POLICY”, ACTIVE" \
	'[.[] | select(.name == $n)] | length == 1 and .[0].status == "ACTIVE"' --arg n "$APP_POLICY" <<<"$access"
APP_ID=$(jq -r --arg n "$APP_POLICY" '.[] | select(.name == $n) | .id' <<<"$access")

api "/api/v1/policies/$DSC_ID/mappings" | check "the DSC policy maps “$APP_POLICY” ($APP_ID)" \
	'any(.[]; .id == $app or ((._links.policy.href // "") | endswith("/policies/" + $app)))' --arg app "$APP_ID"

api "/api/v1/policies/$DSC_ID/rules" | check "the DSC rule has Okta Verify (userIdentification ALLOW), Chrome Device Trust and the device posture IdP" '
	[.[] | select(.name == $n)] | length == 1 and (.[0] |
		.status == "ACTIVE" and
		(.actions.deviceSignalCollection.deviceContextProviders as $p |
			($p | length) == 3 and
			any($p[]; .key == "OKTA_VERIFY" and .userIdentification == "ALLOW") and
			any($p[]; .key == "CHROME_DEVICE_TRUST") and
			any($p[]; .key == "DEVICE_POSTURE_IDP" and .id == $idp)))' \
	--arg n "$DSC_RULE" --arg idp "$IDP_ID"

api "/api/v1/policies/$APP_ID/rules" | check "“$APP_POLICY” has one ACTIVE ALLOW rule with device.registered true, before its catch-all" '
	[.[] | select(.name == $n)] as $mine |
	($mine | length) == 1 and ($mine[0] |
		.status == "ACTIVE" and .conditions.device.registered == true and
		.actions.appSignOn.access == "ALLOW" and .priority == 1) and
	any(.[]; .system == true)' --arg n "$APP_RULE"

log "PASS"
