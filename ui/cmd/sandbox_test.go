package cmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is written by the command's goroutine and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var exportLine = regexp.MustCompile(`export OKTA_CLIENT_ORGURL=(http://127\.0\.0\.1:\d+) OKTA_CLIENT_TOKEN=(\S+)`)

// runServe starts `sandbox serve` through the root command and waits for its export line.
func runServe(t *testing.T, stateDir string, args ...string) (url, token string, out *syncBuffer, cancel func() error) {
	t.Helper()
	out = &syncBuffer{}
	errOut := &syncBuffer{}
	f := &Factory{IO: IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut}, StateDir: stateDir}
	root := NewRootCmd(f)
	root.SetArgs(append([]string{"sandbox", "serve", "--addr", "127.0.0.1:0"}, args...))
	root.SetOut(out)
	root.SetErr(errOut)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	deadline := time.After(10 * time.Second)
	for {
		if m := exportLine.FindStringSubmatch(out.String()); m != nil {
			var once sync.Once
			var result error
			return m[1], m[2], out, func() error {
				once.Do(func() {
					stop()
					select {
					case result = <-done:
					case <-time.After(10 * time.Second):
						t.Error("sandbox serve did not stop after its context was cancelled")
					}
				})
				return result
			}
		}
		select {
		case err := <-done:
			stop()
			t.Fatalf("sandbox serve exited early: %v\nout: %s\nerr: %s", err, out.String(), errOut.String())
		case <-deadline:
			stop()
			t.Fatalf("sandbox serve printed no export line: %s", out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestSandboxServeCommand(t *testing.T) {
	state := filepath.Join(t.TempDir(), "org.json")
	url, token, out, stop := runServe(t, "", "--state", state, "--token", "cmd-test-token")
	if token != "cmd-test-token" {
		t.Fatalf("token %q", token)
	}
	for _, want := range []string{"Sandbox Okta org running at " + url, "State file: " + state, "API token: cmd-test-token", "Ctrl+C"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out.String())
		}
	}
	req, _ := http.NewRequest("GET", url+"/api/v1/policies?type=ACCESS_POLICY", nil)
	req.Header.Set("Authorization", "SSWS "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Okta Dashboard") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve should exit cleanly when interrupted: %v", err)
	}
	if !strings.Contains(out.String(), "Sandbox stopped.") {
		t.Fatalf("output: %s", out.String())
	}
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("state file not written: %v", err)
	}
	if _, err := http.Get(url + "/api/v1/zones"); err == nil {
		t.Fatal("server still answering after stop")
	}
}

func TestSandboxServeDefaultsStateToTheStateDirAndRandomToken(t *testing.T) {
	dir := t.TempDir()
	_, token, _, stop := runServe(t, dir)
	if len(token) < 32 {
		t.Fatalf("random token %q too short", token)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sandbox.json")); err != nil {
		t.Fatalf("default state file: %v", err)
	}
}

func TestSandboxServeInjectsFaultsFromFlagAndEnvironment(t *testing.T) {
	t.Setenv("OKTA_SANDBOX_FAULTS", "503@GET /api/v1/groups")
	url, token, out, stop := runServe(t, t.TempDir(), "--faults", "500@GET /api/v1/zones")
	defer stop()
	if !strings.Contains(out.String(), "Injected faults: 500@GET /api/v1/zones") {
		t.Fatalf("output: %s", out.String())
	}
	get := func(path string) int {
		req, _ := http.NewRequest("GET", url+path, nil)
		req.Header.Set("Authorization", "SSWS "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if get("/api/v1/zones") != 500 || get("/api/v1/groups") != 200 {
		t.Fatal("--faults wins over the environment")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	url, token, _, stop2 := runServe(t, t.TempDir())
	defer stop2()
	if get("/api/v1/groups") != 503 {
		t.Fatal("OKTA_SANDBOX_FAULTS applies without --faults")
	}
}

func TestSandboxServeEnforcesRateLimitsWhenAsked(t *testing.T) {
	url, token, out, stop := runServe(t, t.TempDir(), "--enforce-rate-limits", "--rate-limit", "2", "--rate-limit-window", "1m")
	defer stop()
	if !strings.Contains(out.String(), "Rate limits enforced: 2 requests per endpoint every 1m0s") {
		t.Fatalf("output: %s", out.String())
	}
	var statuses []int
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest("GET", url+"/api/v1/zones", nil)
		req.Header.Set("Authorization", "SSWS "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
		if resp.StatusCode == 429 && (resp.Header.Get("X-Rate-Limit-Remaining") != "0" || resp.Header.Get("X-Rate-Limit-Reset") == "") {
			t.Fatalf("429 without rate-limit headers: %v", resp.Header)
		}
	}
	if fmt.Sprint(statuses) != "[200 200 429]" {
		t.Fatalf("statuses %v, want two answers then 429", statuses)
	}
}

func TestSandboxServeRejectsBadInput(t *testing.T) {
	damaged := filepath.Join(t.TempDir(), "damaged.json")
	os.WriteFile(damaged, []byte("{not json"), 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--faults", "teapot@GET /"}, "--faults"},
		{[]string{"--state", damaged}, "left untouched"},
		{[]string{"--addr", "256.0.0.1:99999"}, "sandbox"},
		{[]string{"--enforce-rate-limits", "--rate-limit-window", "10ms"}, "--rate-limit-window"},
		{[]string{"--rate-limit", "-3"}, "--rate-limit"},
	} {
		out := &syncBuffer{}
		f := &Factory{IO: IOStreams{Out: out, ErrOut: out}, StateDir: t.TempDir()}
		root := NewRootCmd(f)
		root.SetArgs(append([]string{"sandbox", "serve"}, c.args...))
		root.SetOut(out)
		root.SetErr(out)
		err := root.ExecuteContext(context.Background())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%v: error %v should mention %q", c.args, err, c.want)
		}
	}
	if b, _ := os.ReadFile(damaged); string(b) != "{not json" {
		t.Fatal("damaged state file modified")
	}
}

func TestSandboxServeStopsOnSIGTERM(t *testing.T) {
	url, _, out, stop := runServe(t, t.TempDir())
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "Sandbox stopped.") {
		if time.Now().After(deadline) {
			t.Fatalf("SIGTERM did not stop the sandbox: %s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Fatalf("exit after SIGTERM should be clean: %v", err)
	}
	if _, err := http.Get(url + "/api/v1/zones"); err == nil {
		t.Fatal("still serving after SIGTERM")
	}
}

func TestSandboxServeFollowsTheStateDirFlag(t *testing.T) {
	dir := t.TempDir()
	_, _, _, stop := runServe(t, "", "--state-dir", dir)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sandbox.json")); err != nil {
		t.Fatalf("--state-dir should hold the default state file: %v", err)
	}
}

func TestSandboxServeRefusesNonLoopbackAddrWithoutAllowRemote(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0", "example.com:0"} {
		out := &syncBuffer{}
		f := &Factory{IO: IOStreams{Out: out, ErrOut: out}, StateDir: t.TempDir()}
		root := NewRootCmd(f)
		root.SetArgs([]string{"sandbox", "serve", "--addr", addr})
		root.SetOut(out)
		root.SetErr(out)
		err := root.ExecuteContext(context.Background())
		if err == nil || !strings.Contains(err.Error(), "--allow-remote") || !strings.Contains(err.Error(), "127.0.0.1:PORT") {
			t.Fatalf("--addr %s: error %v should name --allow-remote and the loopback alternative", addr, err)
		}
		if entries, _ := os.ReadDir(f.StateDir); len(entries) != 0 {
			t.Fatalf("--addr %s: refused, yet the state directory was written", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		if err := checkLoopback(addr, false); err != nil {
			t.Fatalf("--addr %s is loopback: %v", addr, err)
		}
	}
	// With --allow-remote the sandbox listens on every interface.
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	f := &Factory{IO: IOStreams{Out: out, ErrOut: out}, StateDir: t.TempDir()}
	root := NewRootCmd(f)
	root.SetArgs([]string{"sandbox", "serve", "--addr", "0.0.0.0:0", "--allow-remote"})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "Sandbox Okta org running at http://127.0.0.1:") {
		if time.Now().After(deadline) {
			t.Fatalf("--allow-remote did not start the sandbox: %s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
