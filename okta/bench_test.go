package okta_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

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
	sandboxtest.ServeChild(srv)
}

// startSandboxProcess runs a sandbox seeded with n ACCESS_POLICY policies in a child process.
func startSandboxProcess(b *testing.B, n int) (url, token string) {
	b.Helper()
	c := sandboxtest.StartChild(b, "TestSandboxHelperProcess", fmt.Sprintf("%s=%d", sandboxProcessEnv, n))
	return c.URL, c.Token
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
