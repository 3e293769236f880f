package okta_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

const sandboxProcessEnv = "OKTA_TEST_SANDBOX_PROCESS"

// TestSandboxHelperProcess is not a test: benchmarks re-run the test binary with
// OKTA_TEST_SANDBOX_PROCESS=<policies> to serve a seeded sandbox from another process, so the
// benchmark's allocations and memory are the client's alone.
func TestSandboxHelperProcess(t *testing.T) {
	n, err := strconv.Atoi(os.Getenv(sandboxProcessEnv))
	if err != nil {
		t.Skip("helper process for benchmarks; runs only when " + sandboxProcessEnv + " is set")
	}
	srv := sandboxtest.StartServer(t, sandboxtest.SeedLarge(n, 0, 0))
	fmt.Printf("SANDBOX %s %s\n", srv.URL(), srv.Token())
	io.Copy(io.Discard, os.Stdin) // serve until the parent closes our stdin
}

// startSandboxProcess runs a sandbox seeded with n ACCESS_POLICY policies in a child process.
func startSandboxProcess(b *testing.B, n int) (url, token string) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSandboxHelperProcess$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", sandboxProcessEnv, n))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "SANDBOX" {
			go io.Copy(io.Discard, stdout)
			return f[1], f[2]
		}
	}
	b.Fatalf("sandbox process did not start: %v", sc.Err())
	return "", ""
}

// peakRSSMB reads the process's peak resident set (VmHWM) from /proc, 0 where unavailable.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

func benchClient(b *testing.B) *okta.Client {
	url, token := startSandboxProcess(b, 5000)
	c, err := okta.New(okta.Config{OrgURL: url, Token: token})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkListAccessPolicies5000 lists 5,000 ACCESS_POLICY policies (200 a page, 25 pages,
// following Link headers) from a sandbox in another process.
func BenchmarkListAccessPolicies5000(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ps, err := c.ListPolicies(ctx, okta.TypeAccessPolicy)
		if err != nil {
			b.Fatal(err)
		}
		if len(ps) < 5000 {
			b.Fatalf("listed %d policies", len(ps))
		}
	}
	b.StopTimer()
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}

// BenchmarkListAccessPolicies5000Paged streams the same pages without keeping them.
func BenchmarkListAccessPolicies5000Paged(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		err := c.ListPoliciesPaged(ctx, okta.TypeAccessPolicy, 200, func(p []okta.Policy) error { n += len(p); return nil })
		if err != nil || n < 5000 {
			b.Fatalf("streamed %d policies: %v", n, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}
