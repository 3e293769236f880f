package sandbox_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox/sandboxtest"
)

// The store benchmarks run the sandbox in a child process (this test binary re-run as
// TestStoreBenchSandboxProcess) with its state in a file, and talk to it through the real SDK
// over HTTP, so the CPU they report per write is the sandbox's alone.

const storeBenchEnv = "OKTA_TEST_STORE_BENCH_SANDBOX" // "<state path>:<objects>"

// TestStoreBenchSandboxProcess is not a test: it serves a sandbox for the store benchmarks when
// OKTA_TEST_STORE_BENCH_SANDBOX is set, until its stdin closes.
func TestStoreBenchSandboxProcess(t *testing.T) {
	spec := os.Getenv(storeBenchEnv)
	if spec == "" {
		t.Skip("helper process for the store benchmarks; runs only when " + storeBenchEnv + " is set")
	}
	i := strings.LastIndexByte(spec, ':')
	objects, err := strconv.Atoi(spec[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	policies, rules, assurances := benchOrgShape(objects)
	srv := sandboxtest.StartServer(t, sandboxtest.StatePath(spec[:i]), sandboxtest.SeedLarge(policies, rules, assurances))
	sandboxtest.ServeChild(srv)
}

// benchOrgShape splits an org of about objects objects into app sign-in policies with five
// rules and a catch-all each (7 objects a policy) and one assurance policy per app policy.
func benchOrgShape(objects int) (policies, rulesEach, assurances int) {
	policies = objects / 8
	return policies, 5, policies
}

// benchSandbox is a sandbox in a child process.
type benchSandbox struct {
	client *okta.Client
	pid    int
}

func startBenchSandbox(b *testing.B, objects int) *benchSandbox {
	b.Helper()
	child := sandboxtest.StartChild(b, "TestStoreBenchSandboxProcess",
		fmt.Sprintf("%s=%s:%d", storeBenchEnv, filepath.Join(b.TempDir(), "org.json"), objects))
	c, err := okta.New(okta.Config{OrgURL: child.URL, Token: child.Token})
	if err != nil {
		b.Fatal(err)
	}
	return &benchSandbox{client: c, pid: child.PID}
}

// cpuTime is the CPU (user + system) the process has used, from /proc/PID/stat.
func cpuTime(b *testing.B, pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	// Fields after the command name (which may hold spaces): utime and stime are 14 and 15.
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks
}

var benchNames atomic.Int64

// createBenchPolicy is the write the benchmarks measure: a new app sign-in policy (the
// sandbox adds its catch-all rule and two System Log events).
func createBenchPolicy(b *testing.B, c *okta.Client) {
	name := fmt.Sprintf("Bench Policy %d-%d", os.Getpid(), benchNames.Add(1))
	if _, err := c.CreatePolicy(context.Background(), okta.Policy{Type: okta.TypeAccessPolicy, Name: name}, true); err != nil {
		b.Error(err)
	}
}

const benchWriters = 8

// BenchmarkStoreWrites8Writers measures a write to an org with a state file while 8 writers
// write at once: ms of wall time per write (ns/op) and the sandbox's CPU per write.
func BenchmarkStoreWrites8Writers(b *testing.B) {
	for _, objects := range []int{2000, 20000} {
		b.Run(fmt.Sprintf("objects=%d", objects), func(b *testing.B) {
			sb := startBenchSandbox(b, objects)
			createBenchPolicy(b, sb.client) // connections and first-write costs out of the way
			cpu0 := cpuTime(b, sb.pid)
			b.SetParallelism((benchWriters + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					createBenchPolicy(b, sb.client)
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/write")
			b.ReportMetric(float64((cpuTime(b, sb.pid)-cpu0).Microseconds())/1000/float64(b.N), "sandbox-cpu-ms/write")
		})
	}
}

// BenchmarkStoreReadLatencyDuringWrites measures single-policy reads while 8 writers write
// continuously: the median and 99th percentile of a read's latency.
func BenchmarkStoreReadLatencyDuringWrites(b *testing.B) {
	for _, objects := range []int{2000, 20000} {
		b.Run(fmt.Sprintf("objects=%d", objects), func(b *testing.B) {
			sb := startBenchSandbox(b, objects)
			ctx := context.Background()
			ps, err := sb.client.ListPolicies(ctx, okta.TypeAccessPolicy)
			if err != nil || len(ps) == 0 {
				b.Fatalf("listing policies: %v", err)
			}
			target := ps[len(ps)/2].ID
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for range benchWriters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
							createBenchPolicy(b, sb.client)
						}
					}
				}()
			}
			time.Sleep(100 * time.Millisecond) // writes under way
			latencies := make([]time.Duration, 0, 1024)
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				if _, err := sb.client.GetPolicy(ctx, target); err != nil {
					b.Fatal(err)
				}
				latencies = append(latencies, time.Since(start))
			}
			b.StopTimer()
			close(stop)
			wg.Wait()
			slices.Sort(latencies)
			at := func(q float64) float64 {
				return float64(latencies[int(q*float64(len(latencies)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(at(0.50), "p50-ms")
			b.ReportMetric(at(0.99), "p99-ms")
		})
	}
}

// BenchmarkStoreSeed20k opens a fresh state file, seeds about 20,000 objects (2,500 app
// sign-in policies with 5 rules and a catch-all each, 2,500 assurance policies) in one write
// and closes it: what `sandbox seed` costs.
func BenchmarkStoreSeed20k(b *testing.B) {
	dir := b.TempDir()
	policies, rules, assurances := benchOrgShape(20000)
	i := 0
	for b.Loop() {
		i++
		srv, err := sandbox.New(sandbox.Options{StatePath: filepath.Join(dir, fmt.Sprintf("seed-%d.json", i))})
		if err != nil {
			b.Fatal(err)
		}
		if err := srv.SeedLarge(policies, rules, assurances); err != nil {
			b.Fatal(err)
		}
		if err := srv.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStoreCreatePolicyWithStateFile is one client creating policies one after another
// (no concurrency) in an org of 20,000 objects: the latency of a single write.
func BenchmarkStoreCreatePolicyWithStateFile(b *testing.B) {
	sb := startBenchSandbox(b, 20000)
	createBenchPolicy(b, sb.client)
	cpu0 := cpuTime(b, sb.pid)
	b.ResetTimer()
	for b.Loop() {
		createBenchPolicy(b, sb.client)
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime(b, sb.pid)-cpu0).Microseconds())/1000/float64(b.N), "sandbox-cpu-ms/write")
}
