# shellcheck shell=bash
# Helpers for the end-to-end scripts: they drive the real okta-device-wizard binary in a tmux
# pane of 80x24 against `okta-device-wizard sandbox serve`, then check the org over HTTP with
# curl and jq. Source this file, then call e2e_setup.
#
# Environment:
#   OKTA_WIZARD_BIN    binary to drive (default: built once into the temp dir from the module root)
#   E2E_WAIT_TIMEOUT   default seconds wait_for waits for a text (default 90: a loaded 2-core box)
#   E2E_KEEP=1         keep the temp dir (state file, logs, screens) for a post-mortem

set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MODULE_ROOT=$(cd "$E2E_DIR/../.." && pwd)
WAIT_TIMEOUT=${E2E_WAIT_TIMEOUT:-90}
E2E_NAME=${E2E_NAME:-$(basename "$0" .sh)}

E2E_TMP=""
TMUX_SOCKET=""
TMUX_SOCKET_PATH=""
SESSION=wizard
SANDBOX_PID=""
ORG_URL=""
TOKEN=""
BIN=""

log() { printf '[%s %s] %s\n' "$E2E_NAME" "$(date -u +%H:%M:%S)" "$*" >&2; }

# tm runs tmux on this script's own server, so parallel runs never share sessions.
tm() { tmux -L "$TMUX_SOCKET" -f /dev/null "$@"; }

screen() { tm capture-pane -p -t "$SESSION" 2>/dev/null || true; }

# dump_state prints what helps to see why a step failed: the screen, the wizard's exit status
# and the tails of the wizard's and the sandbox's logs.
dump_state() {
	{
		echo "----- last screen (80x24) -----"
		screen
		echo "-------------------------------"
		if [ -f "$E2E_TMP/wizard.exit" ]; then
			echo "wizard exited with status $(cat "$E2E_TMP/wizard.exit")"
		fi
		local wlog="$E2E_TMP/xdg/okta-device-wizard/okta-device-wizard.log"
		if [ -s "$wlog" ]; then
			echo "----- wizard log (tail) -----"
			tail -n 30 "$wlog"
		fi
		if [ -s "$E2E_TMP/sandbox.err" ]; then
			echo "----- sandbox stderr (tail) -----"
			tail -n 30 "$E2E_TMP/sandbox.err"
		fi
	} >&2
}

fail() {
	log "FAIL: $*"
	dump_state
	exit 1
}

cleanup() {
	local status=$?
	if [ -n "$TMUX_SOCKET" ]; then
		tm kill-server >/dev/null 2>&1 || true
	fi
	# tmux may leave its socket file behind.
	if [ -n "$TMUX_SOCKET_PATH" ]; then
		rm -f "$TMUX_SOCKET_PATH"
	fi
	if [ -n "$SANDBOX_PID" ]; then
		kill "$SANDBOX_PID" 2>/dev/null || true
		wait "$SANDBOX_PID" 2>/dev/null || true
	fi
	if [ -n "$E2E_TMP" ] && [ -d "$E2E_TMP" ]; then
		if [ "${E2E_KEEP:-}" = 1 ] || { [ "$status" -ne 0 ] && [ "${E2E_KEEP:-}" = on-failure ]; }; then
			log "kept $E2E_TMP"
		else
			rm -rf "$E2E_TMP"
		fi
	fi
	return "$status"
}

need() {
	local missing=()
	for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
	if [ ${#missing[@]} -gt 0 ]; then
		log "missing tools: ${missing[*]}"
		exit 3
	fi
}

# e2e_setup makes the temp dir and the cleanup trap, builds the binary unless given one, and
# starts the sandbox; its arguments go to `sandbox serve` (e.g. --faults ...).
e2e_setup() {
	need tmux curl jq
	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/odw-e2e-$E2E_NAME.XXXXXX")
	# The Go test names the socket so it can kill the server even if this script is killed.
	TMUX_SOCKET=${E2E_TMUX_SOCKET:-"odw-e2e-$E2E_NAME-$$-$RANDOM"}
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	mkdir -p "$E2E_TMP/home" "$E2E_TMP/xdg"
	build_binary
	start_sandbox "$@"
}

build_binary() {
	if [ -n "${OKTA_WIZARD_BIN:-}" ]; then
		[ -x "$OKTA_WIZARD_BIN" ] || fail "OKTA_WIZARD_BIN=$OKTA_WIZARD_BIN is not an executable"
		BIN=$OKTA_WIZARD_BIN
		return
	fi
	need go
	BIN="$E2E_TMP/okta-device-wizard"
	log "building $BIN"
	(cd "$MODULE_ROOT" && go build -o "$BIN" .) || fail "go build failed"
}

# start_sandbox serves a fresh org on a free port and reads the URL it prints.
start_sandbox() {
	TOKEN="e2e-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
	# Made before the server starts, so the polling below never reads a missing file.
	: >"$E2E_TMP/sandbox.out"
	: >"$E2E_TMP/sandbox.err"
	"$BIN" sandbox serve --addr 127.0.0.1:0 --state "$E2E_TMP/state.json" --token "$TOKEN" "$@" \
		>"$E2E_TMP/sandbox.out" 2>"$E2E_TMP/sandbox.err" &
	SANDBOX_PID=$!
	local deadline=$((SECONDS + WAIT_TIMEOUT))
	while [ $SECONDS -lt $deadline ]; do
		ORG_URL=$(sed -n 's/^Sandbox Okta org running at \(http:[^ ]*\)$/\1/p' "$E2E_TMP/sandbox.out" | head -n1 || true)
		[ -n "$ORG_URL" ] && break
		kill -0 "$SANDBOX_PID" 2>/dev/null || { cat "$E2E_TMP/sandbox.out" "$E2E_TMP/sandbox.err" >&2; fail "sandbox serve exited"; }
		sleep 0.1
	done
	[ -n "$ORG_URL" ] || { cat "$E2E_TMP/sandbox.out" >&2; fail "sandbox serve printed no URL in ${WAIT_TIMEOUT}s"; }
	log "sandbox at $ORG_URL (pid $SANDBOX_PID)"
}

# start_wizard runs the wizard in an 80x24 tmux pane pointed at the sandbox, with its own HOME
# and state dir. Its exit status lands in $E2E_TMP/wizard.exit; the pane stays for capture.
start_wizard() {
	cat >"$E2E_TMP/run-wizard.sh" <<EOF
#!/usr/bin/env bash
export HOME='$E2E_TMP/home' XDG_STATE_HOME='$E2E_TMP/xdg' TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8
export OKTA_CLIENT_ORGURL='$ORG_URL' OKTA_CLIENT_TOKEN='$TOKEN'
unset OKTA_CLIENT_AUTHORIZATIONMODE OKTA_CLIENT_CLIENTID OKTA_CLIENT_PRIVATEKEY OKTA_CLIENT_PRIVATEKEYID ACCESSIBLE NO_COLOR
'$BIN'
echo \$? >'$E2E_TMP/wizard.exit.tmp' && mv '$E2E_TMP/wizard.exit.tmp' '$E2E_TMP/wizard.exit'
exec sleep 3600
EOF
	chmod +x "$E2E_TMP/run-wizard.sh"
	rm -f "$E2E_TMP/wizard.exit"
	env -u TMUX TERM=xterm-256color tmux -L "$TMUX_SOCKET" -f /dev/null \
		new-session -d -s "$SESSION" -x 80 -y 24 "$E2E_TMP/run-wizard.sh" || fail "tmux new-session failed"
	TMUX_SOCKET_PATH=$(tm display-message -p '#{socket_path}' 2>/dev/null || true)
	tm set-option -t "$SESSION" status off >/dev/null
	tm resize-window -t "$SESSION" -x 80 -y 24 >/dev/null 2>&1 || true
}

# send presses keys (tmux key names: Enter, Escape, Down, C-c, x, ...).
send() { tm send-keys -t "$SESSION" "$@"; }

# type_text types literal text.
type_text() { tm send-keys -t "$SESSION" -l -- "$1"; }

# wait_for waits until the screen contains the text (fixed string), or fails with the screen.
wait_for() { wait_match -F "$1" "${2:-$WAIT_TIMEOUT}" "$1"; }

# wait_for_re is wait_for with an extended regular expression.
wait_for_re() { wait_match -E "$1" "${2:-$WAIT_TIMEOUT}" "/$1/"; }

# wait_match polls the screen with grep FLAG (-F or -E) until PATTERN matches; SHOWN names it in failures.
wait_match() {
	local flag=$1 pattern=$2 timeout=$3 shown=$4
	local deadline=$((SECONDS + timeout))
	while :; do
		if screen | grep -q "$flag" -- "$pattern"; then
			return 0
		fi
		if [ -f "$E2E_TMP/wizard.exit" ]; then
			fail "the wizard exited while waiting for: $shown"
		fi
		[ $SECONDS -lt $deadline ] || fail "timed out after ${timeout}s waiting for: $shown"
		sleep 0.2
	done
}

# filter_list opens the focused list's filter with / and types TEXT. A list's form can still be
# starting when it is first drawn on a loaded machine, and a / it gets then is dropped; the
# filter's own empty prompt (a line "┃ /") shows it took, so / is pressed again until it does.
filter_list() {
	local text=$1 try
	for try in 1 2 3 4 5; do
		send /
		local deadline=$((SECONDS + 4))
		while [ $SECONDS -lt $deadline ]; do
			if screen | grep -qE -- '┃ / *$'; then
				type_text "$text"
				wait_for "/$text"
				return 0
			fi
			sleep 0.2
		done
	done
	fail "the list's filter never opened for: $text"
}

# wait_gone waits until the screen no longer contains the text.
wait_gone() {
	local text=$1 timeout=${2:-$WAIT_TIMEOUT}
	local deadline=$((SECONDS + timeout))
	while screen | grep -qF -- "$text"; do
		[ $SECONDS -lt $deadline ] || fail "timed out after ${timeout}s waiting for this to go: $text"
		sleep 0.2
	done
}

# protect_no_app passes the optional "protect these apps" step of policy NAME without picking.
protect_no_app() {
	log "protect step: no app for “$1”"
	wait_for "Protect these apps with “$1” (optional)"
	send Enter
}

# focused waits until the form field titled $1 has the focus (huh marks it with a bar).
focused() { wait_for "┃ $1" "${2:-$WAIT_TIMEOUT}"; }

# assert_screen fails unless the current screen contains the text.
assert_screen() {
	screen | grep -qF -- "$1" || fail "the screen does not show: $1"
}

# quit_wizard presses ctrl+c and waits for the wizard to exit with status 0.
quit_wizard() {
	send C-c
	local deadline=$((SECONDS + WAIT_TIMEOUT))
	while [ ! -f "$E2E_TMP/wizard.exit" ]; do
		[ $SECONDS -lt $deadline ] || fail "the wizard did not exit after ctrl+c"
		sleep 0.2
	done
	local status
	status=$(cat "$E2E_TMP/wizard.exit")
	[ "$status" = 0 ] || fail "the wizard exited with status $status"
	log "wizard exited cleanly"
}

# api GETs a Management API path from the sandbox; extra arguments go to curl (e.g. -G
# --data-urlencode). Fails on an HTTP error.
api() {
	local path=$1
	shift
	curl -sS --fail-with-body --max-time 30 -H "Authorization: SSWS $TOKEN" -H 'Accept: application/json' \
		"$@" "$ORG_URL$path" || fail "GET $path failed"
}

# check runs jq -e with a filter over JSON on stdin; the description says what is checked.
check() {
	local what=$1 filter=$2 json
	shift 2
	json=$(cat)
	if ! jq -e "$@" "$filter" >/dev/null <<<"$json"; then
		log "FAIL: $what"
		echo "jq filter: $filter" >&2
		jq . <<<"$json" >&2 || echo "$json" >&2
		exit 1
	fi
	log "ok: $what"
}

# secret_free fails when the token shows up on the screen or in a file the wizard wrote.
secret_free() {
	if screen | grep -qF -- "$TOKEN"; then
		fail "the API token is on the screen"
	fi
	if grep -rqF -- "$TOKEN" "$E2E_TMP/home" "$E2E_TMP/xdg" 2>/dev/null; then
		fail "the API token is in a file the wizard wrote: $(grep -rlF -- "$TOKEN" "$E2E_TMP/home" "$E2E_TMP/xdg")"
	fi
}

# dsc_walk_to_review walks the DSC flow from the home screen with the defaults — a new app
# sign-in policy named $1 with its registered-device rule, a signal collection policy named $2
# with an Okta Verify rule — and waits for the review.
dsc_walk_to_review() {
	local app=$1 dsc=$2
	wait_for "1. Device signal collection"
	send 1
	wait_for "Stage 1 of 5 · App sign-in policy"
	focused "App sign-in policy"
	wait_for "> + Create a new app sign-in policy"
	send Enter
	focused "Name of the new app sign-in policy"
	type_text "$app"
	wait_for "> $app"
	send Enter
	focused "Description (optional)"
	send Enter
	dsc_app_rule_defaults
	send Enter
	protect_no_app "$app"
	wait_for "Stage 2 of 5 · Signal collection policy"
	focused "Signal collection policy name"
	type_text "$dsc"
	wait_for "> $dsc"
	send Enter
	focused "Description (optional)"
	send Enter
	wait_for "Stage 3 of 5 · Mapping"
	focused "Also map these app sign-in policies (optional)"
	send Enter
	dsc_rule_stage_defaults
}

# dsc_app_rule_defaults answers DSC stage 1's new-rule page with its defaults up to the priority
# field, which it leaves focused: callers check or choose the position, then press Enter.
dsc_app_rule_defaults() {
	focused "Rule name"
	send Enter
	focused "Access for a registered device"
	send Enter
	focused "Require managed devices too?"
	send Enter
	focused "People: groups the rule applies to"
	send Enter
	focused "Priority: where the rule goes"
}

# dsc_rule_stage_defaults answers DSC stage 4 with its defaults (an Okta Verify rule) and
# waits for the review.
dsc_rule_stage_defaults() {
	wait_for "Stage 4 of 5 · Rule"
	focused "Rule name"
	send Enter
	focused "Device context providers"
	wait_for "[•] Okta Verify"
	send Enter
	focused "Okta Verify: user identification"
	send Enter
	focused "Only on these platforms (optional)"
	send Enter
	focused "Only from these network zones (optional)"
	send Enter
	wait_for "Stage 5 of 5 · Review"
}

# journal_files lists the run journals the wizard keeps (none once every run finished).
journal_files() { find "$E2E_TMP/xdg/okta-device-wizard/journal" -name '*.json' 2>/dev/null || true; }

# no_journal fails when a journal is left on disk or the home screen offers a resume.
no_journal() {
	local left
	sleep 0.5 # the home screen reads the journals in the background
	left=$(journal_files)
	[ -z "$left" ] || fail "$1: a journal is left: $left"
	if screen | grep -qF "Resume or roll back"; then
		fail "$1: the home screen offers to resume a finished run"
	fi
	log "ok: $1: no journal left, no resume offered"
}

# wizard_pid is the pid of the wizard the tmux pane runs (the child of run-wizard.sh).
wizard_pid() {
	local pane
	pane=$(tm display-message -p -t "$SESSION" '#{pane_pid}')
	pgrep -P "$pane" | head -n1
}

# restart_wizard ends the tmux session (the wizard in it has exited) and starts a new one.
restart_wizard() {
	tm kill-session -t "$SESSION" >/dev/null 2>&1 || true
	start_wizard
}
