// Package e2e drives the real okta-device-wizard binary in tmux against `sandbox serve` and
// checks the org it leaves behind over the Management API (curl and jq). The flows are bash
// scripts beside this file (dsc.sh, assurance.sh, fix_continue.sh, kill_resume.sh, rollback.sh,
// helpers in lib.sh); these tests build the binary once and run them.
//
// They skip when tmux, jq or curl is missing, unless OKTA_WIZARD_E2E_REQUIRED=1 (CI), where a
// missing tool is a failure.
package e2e

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	// Not used here: importing the wizard's command tree makes `go test` rebuild and rerun
	// these tests, instead of reporting a cached pass, when the wizard's code changes (the
	// binary itself is built by `go build`, which the test cache does not see).
	_ "github.com/okta-device-wizard/okta-device-wizard/ui/cmd"
)

// requiredEnv makes missing tools a failure instead of a skip.
const requiredEnv = "OKTA_WIZARD_E2E_REQUIRED"

var (
	// wizardBin is the binary built by TestMain ("" when it was not built).
	wizardBin string
	// buildErr is why the binary could not be built.
	buildErr error
	// missingTools lists the commands the scripts need that are not installed.
	missingTools []string
)

func TestMain(m *testing.M) {
	flag.Parse()
	for _, tool := range []string{"bash", "tmux", "jq", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			missingTools = append(missingTools, tool)
		}
	}
	var dir string
	if len(missingTools) == 0 && !(testing.Short() && !required()) {
		var err error
		dir, err = os.MkdirTemp("", "odw-e2e-bin-")
		if err != nil {
			buildErr = err
		} else {
			wizardBin, buildErr = buildWizard(filepath.Join(dir, "okta-device-wizard"))
		}
	}
	code := m.Run()
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
	os.Exit(code)
}

func required() bool { return os.Getenv(requiredEnv) == "1" }

// buildWizard builds the module's main package; with -race when this test binary has it, so a
// data race in a screen fails the run (the wizard then exits non-zero).
func buildWizard(out string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	args := []string{"build", "-o", out}
	if raceEnabled {
		args = append(args, "-race")
	}
	args = append(args, ".")
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	return out, nil
}

// moduleRoot is the directory of the go.mod this package belongs to.
func moduleRoot() (string, error) {
	b, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(b))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside a Go module")
	}
	return filepath.Dir(gomod), nil
}

// needTools skips (or fails, when required) a test that cannot run here.
func needTools(t *testing.T) {
	t.Helper()
	switch {
	case len(missingTools) > 0:
		msg := fmt.Sprintf("end-to-end test needs %s on PATH (install them, e.g. apt-get install tmux jq curl)", strings.Join(missingTools, ", "))
		if required() {
			t.Fatalf("%s; %s=1 requires it to run", msg, requiredEnv)
		}
		t.Skip(msg + "; set " + requiredEnv + "=1 to make this a failure")
	case wizardBin == "" && buildErr == nil:
		t.Skip("end-to-end test skipped in -short mode")
	case buildErr != nil:
		t.Fatalf("building the wizard: %v", buildErr)
	}
}

// runScript runs one of the scripts with the built binary and returns its exit error and
// output. The script gets its own tmux socket (killed here too, in case the script is killed
// before its own cleanup) and its own process group (killed on timeout).
func runScript(t *testing.T, script string, extraEnv ...string) (string, error) {
	t.Helper()
	timeout := 10 * time.Minute
	if d, ok := t.Deadline(); ok {
		timeout = min(timeout, time.Until(d)-30*time.Second)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	// Reading the scripts here makes the test cache notice when they change (bash reads them
	// in another process, which the cache does not see).
	for _, f := range []string{script, "lib.sh"} {
		if _, err := os.ReadFile(f); err != nil {
			t.Fatalf("reading %s: %v", f, err)
		}
	}
	name := strings.TrimSuffix(filepath.Base(script), ".sh")
	socket := fmt.Sprintf("odw-e2e-go-%s-%d-%d", name, os.Getpid(), time.Now().UnixNano())
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", socket, "kill-server").Run() })

	cmd := exec.CommandContext(ctx, "bash", script)
	cmd.Env = append(os.Environ(),
		"OKTA_WIZARD_BIN="+wizardBin,
		"E2E_TMUX_SOCKET="+socket,
		"E2E_NAME="+name,
		"TMPDIR="+t.TempDir(),
	)
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// The script's trap cleans up on SIGTERM; the whole group goes if it does not.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
	cmd.WaitDelay = 20 * time.Second
	out := &testLogWriter{t: t}
	cmd.Stdout, cmd.Stderr = out, out
	err := cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // anything the script left running
	}
	if ctx.Err() != nil {
		err = fmt.Errorf("%s did not finish in %s: %w", script, timeout, err)
	}
	return out.String(), err
}

// testLogWriter keeps a script's output; with -v it also logs each line as it comes, so a slow
// run shows where it is.
type testLogWriter struct {
	t       *testing.T
	mu      sync.Mutex
	buf     bytes.Buffer
	pending []byte
}

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if testing.Verbose() {
		w.pending = append(w.pending, p...)
		for {
			i := bytes.IndexByte(w.pending, '\n')
			if i < 0 {
				break
			}
			w.t.Log(string(w.pending[:i]))
			w.pending = w.pending[i+1:]
		}
	}
	return len(p), nil
}

func (w *testLogWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// runFlow runs a flow script and fails the test with its whole output when it fails.
func runFlow(t *testing.T, script string, extraEnv ...string) {
	t.Helper()
	needTools(t)
	t.Parallel()
	out, err := runScript(t, script, extraEnv...)
	if err != nil {
		if !testing.Verbose() {
			t.Log("script output:\n" + out)
		}
		t.Fatalf("%s failed: %v", script, err)
	}
	if !strings.Contains(out, "PASS") {
		t.Fatalf("%s exited 0 without reaching PASS:\n%s", script, out)
	}
}

// TestDSCFlowInTmux walks the five DSC stages with keys (new app sign-in policy and
// registered-device rule, DSC policy, mapping, rule with Okta Verify + Chrome Device Trust +
// device posture IdP, review, submit with activation), then checks the org over the API.
func TestDSCFlowInTmux(t *testing.T) { runFlow(t, "dsc.sh") }

// TestDSCRetryAfterServerErrorInTmux runs the same walk against a sandbox that fails the
// first mapping request with a 500: the submit screen stops on it, r retries without resending
// what succeeded, and the org ends with exactly one of each object.
func TestDSCRetryAfterServerErrorInTmux(t *testing.T) {
	runFlow(t, "dsc.sh", "E2E_DSC_FAULT=1", "E2E_NAME=dsc-fault")
}

// TestDSCRefusalsInTmux: names in use and an app sign-in policy another DSC policy maps are
// refused at their own stage, by keys in tmux; the org then holds no duplicate and no second
// mapping.
func TestDSCRefusalsInTmux(t *testing.T) { runFlow(t, "dsc_refusals.sh") }

// TestAssuranceFlowInTmux creates, edits and requires an iOS device assurance policy in a new
// rule, reads the System Log view, then checks the policy, the rule and the events over the API.
func TestAssuranceFlowInTmux(t *testing.T) { runFlow(t, "assurance.sh") }

// TestSignInAfterDSCInTmux sets up device signal collection on the policy Slack uses, then
// tries a sign-in from the submit summary: a registered Mac is let in by the new rule, an
// unregistered one falls through to the catch-all; the org's simulation agrees over the API.
func TestSignInAfterDSCInTmux(t *testing.T) { runFlow(t, "signin.sh") }

// TestFixAndContinueLeavesNoJournalInTmux: with the first assurance create and the first
// mapping refused (E0000001), f, fix and send finish both flows; no journal is left and the
// home screen offers no resume.
func TestFixAndContinueLeavesNoJournalInTmux(t *testing.T) { runFlow(t, "fix_continue.sh") }

// TestKillThenResumeShowsTrueStatesInTmux: kill -9 mid-run; the resume screen shows each step
// as its journal records it (done / unknown / not run) and r finishes without duplicates.
func TestKillThenResumeShowsTrueStatesInTmux(t *testing.T) { runFlow(t, "kill_resume.sh") }

// TestRollbackPreviewsAndAsksInTmux: u lists the undo requests and sends nothing until enter;
// ctrl+c on the stopped run exits 130 keeping the journal; the next start rolls it back.
func TestRollbackPreviewsAndAsksInTmux(t *testing.T) { runFlow(t, "rollback.sh") }

// TestWaitForFailureDumpsScreen checks the harness itself: a text that never shows fails the
// script with the last screen in its output, and the cleanup leaves no tmux server, sandbox
// or temp directory behind.
func TestWaitForFailureDumpsScreen(t *testing.T) {
	needTools(t)
	t.Parallel()
	dir := t.TempDir()
	script := filepath.Join(dir, "never.sh")
	lib, err := filepath.Abs("lib.sh")
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`source %q
e2e_setup
start_wizard
wait_for "1. Device signal collection"
echo "SANDBOX_PID=$SANDBOX_PID E2E_TMP=$E2E_TMP TMUX_SOCKET=$TMUX_SOCKET"
wait_for "a text the wizard never shows" 2
echo "not reached"
`, lib)
	if err := os.WriteFile(script, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runScript(t, script)
	if err == nil {
		t.Fatalf("the script passed; want a failure:\n%s", out)
	}
	for _, want := range []string{
		"timed out after 2s waiting for: a text the wizard never shows",
		"----- last screen (80x24) -----",
		"1. Device signal collection", // the screen itself
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "not reached") {
		t.Errorf("the script went on after the failed wait:\n%s", out)
	}
	var pid int
	var tmp, socket string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "SANDBOX_PID=") {
			_, _ = fmt.Sscanf(line, "SANDBOX_PID=%d E2E_TMP=%s TMUX_SOCKET=%s", &pid, &tmp, &socket)
		}
	}
	if pid == 0 || tmp == "" || socket == "" {
		t.Fatalf("no SANDBOX_PID line in:\n%s", out)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("the sandbox (pid %d) still runs after the script failed", pid)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("the temp dir %s is still there (stat: %v)", tmp, err)
	}
	if err := exec.Command("tmux", "-L", socket, "has-session").Run(); err == nil {
		t.Errorf("the tmux server %s still runs after the script failed", socket)
	}
}
