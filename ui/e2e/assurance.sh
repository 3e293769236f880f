#!/usr/bin/env bash
# End to end: create an iOS device assurance policy, edit it, require it in a new rule of an app
# sign-in policy and read its System Log events, driven by keys in tmux against a sandbox org;
# then the org checked over the Management API.
# The screens quote names with “ ”, and jq filters are single-quoted on purpose:
# shellcheck disable=SC1111,SC2016
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DA_NAME="E2E iOS assurance"
APP_POLICY="Any two factors" # seeded in every sandbox org
RULE_NAME="E2E iOS devices only"
# The wizard runs with TZ=UTC, so the due date typed is UTC.
DUE_DAY=$(date -u -d '+30 days' +%Y-%m-%d)
DUE="$DUE_DAY 12:00"
DUE_ISO="${DUE_DAY}T12:00:00Z"

# A plain sandbox, no faults:
# shellcheck disable=SC2119
e2e_setup
start_wizard

# home_to_assurance_menu opens Device assurance from the home screen.
home_to_assurance_menu() {
	wait_for "1. Device signal collection"
	send 2
	wait_for "Policies of checks a device must pass"
	wait_for "4. Recent device assurance events"
}

# back_home leaves a System Log confirmation for the submit summary, then goes home.
back_home() {
	send Escape
	wait_for "Done: 1 request sent."
	send Enter
	wait_for "1. Device signal collection"
}

log "create: an iOS policy, dynamic OS version, 30-day grace period, remediation shown"
home_to_assurance_menu
send 1
wait_for "Name and platform · page 1 of"
focused "Policy name"
type_text "$DA_NAME"
wait_for "> $DA_NAME"
send Enter
focused "Platform"
wait_for "> iOS"
send Enter
wait_for "OS version · page 2 of"
focused "Operating system version"
wait_for "> No OS version requirement"
send Down Down
wait_for "> Dynamic MINIMUM: latest major (or one behind) or newer"
send Enter
wait_for "Dynamic requirement · page 3 of"
focused "Distance from the latest major version"
wait_for "> 0: the latest major version"
send Enter
focused "Require the latest security patch?"
send Enter
wait_for "Disk encryption and screen lock · page 4 of"
focused "Screen lock types allowed"
send Enter
wait_for "Device integrity and signal providers · page 5 of"
focused "Block jailbroken or rooted devices?"
send Enter
focused "Require device posture IdP signals?"
send Enter
wait_for "Grace period · page 6 of"
focused "When a device fails the checks"
send Down
wait_for "> After N days: warned, still signs in for N days, then blocked"
send Enter
wait_for "Grace period length · page 7 of"
focused "Days of grace (1 to 180)"
type_text "0"
send Enter # out of range: refused with a message, the page stays
wait_for "grace period of 0 days is out of range"
focused "Days of grace (1 to 180)"
send BSpace
type_text "30"
wait_for "> 30"
send Enter
wait_for "Remediation instructions · page 8 of 8"
focused "In the Sign-In Widget, for a device that fails"
wait_for "> Show: tell the user what to fix"
send Enter
wait_for "1 request, sent in this order. Nothing is sent until you press enter."
wait_for "POST   /api/v1/device-assurances"
wait_for '"expiry": "P30D"'
send Enter
wait_for "✓ Created device assurance policy \"$DA_NAME\""
wait_for "Confirmed: Okta logged device.assurance.policy.add."
secret_free

das=$(api /api/v1/device-assurances)
check "one device assurance policy named “$DA_NAME”, iOS, dynamic MINIMUM, BY_DURATION P30D, SHOW" '
	[.[] | select(.name == $n)] | length == 1 and (.[0] |
		.platform == "IOS" and
		.osVersion.dynamicVersionRequirement.type == "MINIMUM" and
		.gracePeriod.type == "BY_DURATION" and .gracePeriod.expiry == "P30D" and
		.displayRemediationMode == "SHOW")' --arg n "$DA_NAME" <<<"$das"
DA_ID=$(jq -r --arg n "$DA_NAME" '.[] | select(.name == $n) | .id' <<<"$das")
wait_for "($DA_ID)"
back_home

log "edit: a due date instead, remediation hidden"
home_to_assurance_menu
send 2
wait_for "Pick the policy to edit"
focused "Device assurance policies"
wait_for "$DA_NAME"
filter_list "E2E iOS"
send Enter
wait_for "Name and platform · page 1 of"
wait_for "> $DA_NAME"
wait_for "iOS (a policy's platform can't change)"
send Enter
wait_for "OS version · page 2 of"
focused "Operating system version"
wait_for "> Dynamic MINIMUM: latest major (or one behind) or newer"
send Enter
focused "Distance from the latest major version"
send Enter
focused "Require the latest security patch?"
send Enter
focused "Screen lock types allowed"
send Enter
focused "Block jailbroken or rooted devices?"
send Enter
focused "Require device posture IdP signals?"
send Enter
focused "When a device fails the checks"
wait_for "> After N days: warned, still signs in for N days, then blocked"
send Down
wait_for "> By a due date: warned until a date and time, then blocked"
send Enter
wait_for "Grace period due date · page 7 of"
focused "Due date and time, local time (UTC)"
type_text "2020-01-01 12:00"
send Enter # in the past: refused with a message, the page stays
wait_for "is not in the future"
focused "Due date and time, local time (UTC)"
send C-u
type_text "$DUE"
wait_for "> $DUE"
send Enter
focused "In the Sign-In Widget, for a device that fails"
send Down
wait_for "> Hide: the user only sees that access is denied"
send Enter
wait_for "PUT    /api/v1/device-assurances/$DA_ID"
for _ in $(seq 1 40); do send Down; done
wait_for '"displayRemediationMode": "HIDE"'
wait_for '"type": "BY_DATE_TIME"'
send Enter
wait_for "✓ Updated device assurance policy \"$DA_NAME\" ($DA_ID)."
wait_for "Confirmed: Okta logged device.assurance.policy.update."
wait_for "device.assurance.policy.update  SUCCESS"
wait_for "device.assurance.policy.add  SUCCESS"
secret_free
back_home

log "rule: require the policy in a new rule of “$APP_POLICY”"
home_to_assurance_menu
send 3
wait_for "App sign-in policy · page 1 of"
focused "Which app sign-in policy?"
wait_for "$APP_POLICY"
filter_list "$APP_POLICY"
send Enter
wait_for "New or existing rule · page 2 of"
focused "Add the requirement to"
wait_for "> Add a new rule"
send Enter
wait_for "Device assurance policies · page 3 of"
focused "Require devices to pass"
wait_for "$DA_NAME"
filter_list "E2E iOS"
send Enter # ends the filter
wait_for "┃ Require devices to pass/E2E iOS"
send x
wait_for "[•] iOS      $DA_NAME"
send Enter
wait_for "Rule settings · page 4 of"
focused "Rule name"
type_text "$RULE_NAME"
wait_for "> $RULE_NAME"
send Enter
focused "Access for devices that pass"
send Enter
focused "Also require managed devices?"
send Enter
focused "Priority"
send Enter
protect_no_app "$APP_POLICY"
wait_for "1 request, sent in this order. Nothing is sent until you press enter."
wait_for "POST   /api/v1/policies/"
wait_for "\"$DA_ID\""
send Enter
wait_for "✓ Added rule \"$RULE_NAME\""
wait_for "to \"$APP_POLICY\"."
wait_for "Confirmed: Okta logged policy.rule.add."
back_home

log "System Log view: the add and the update"
home_to_assurance_menu
send 4
wait_for "Recent device assurance events"
wait_for "device.assurance.policy.update  SUCCESS"
wait_for "device.assurance.policy.add  SUCCESS"
wait_for "DeviceAssurancePolicyEntity \"$DA_NAME\" ($DA_ID)"
send Escape
wait_for "Policies of checks a device must pass"
send Escape
wait_for "1. Device signal collection"
quit_wizard
secret_free

log "checking the org through the API"
api "/api/v1/device-assurances/$DA_ID" | check "the policy has gracePeriod BY_DATE_TIME ($DUE_ISO) and displayRemediationMode HIDE, the rest kept" '
	.name == $n and .platform == "IOS" and
	.gracePeriod.type == "BY_DATE_TIME" and
	(.gracePeriod.expiry | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) == ($due | fromdateiso8601) and
	.displayRemediationMode == "HIDE" and
	.osVersion.dynamicVersionRequirement.type == "MINIMUM"' --arg n "$DA_NAME" --arg due "$DUE_ISO"

APP_ID=$(api "/api/v1/policies?type=ACCESS_POLICY" | jq -r --arg n "$APP_POLICY" '.[] | select(.name == $n) | .id')
[ -n "$APP_ID" ] || fail "no app sign-in policy named $APP_POLICY"
api "/api/v1/policies/$APP_ID/rules" | check "“$APP_POLICY” has an ACTIVE rule “$RULE_NAME” whose conditions.device.assurance.include has $DA_ID" '
	[.[] | select(.name == $n)] | length == 1 and (.[0] |
		.status == "ACTIVE" and
		.conditions.device.registered == true and
		(.conditions.device.assurance.include | index($id)) != null)' --arg n "$RULE_NAME" --arg id "$DA_ID"

api /api/v1/logs -G --data-urlencode 'filter=eventType eq "device.assurance.policy.add"' |
	check "the System Log has device.assurance.policy.add for $DA_ID" \
		'any(.[]; .eventType == "device.assurance.policy.add" and any(.target[]?; .id == $id))' --arg id "$DA_ID"
api /api/v1/logs -G --data-urlencode 'filter=eventType eq "device.assurance.policy.update"' |
	check "the System Log has device.assurance.policy.update for $DA_ID" \
		'any(.[]; .eventType == "device.assurance.policy.update" and any(.target[]?; .id == $id))' --arg id "$DA_ID"

log "PASS"
