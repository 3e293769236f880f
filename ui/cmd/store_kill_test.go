package cmd

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// TestSandboxAcknowledgedWritesSurviveKill9 runs `sandbox serve` as its own process, writes
// from four clients at once, kills the process with SIGKILL while writes are in flight, and
// restarts it on the same state file: every write the sandbox acknowledged is there, the state
// file is not refused as in use or damaged, and no temporary file is left. Three rounds.
func TestSandboxAcknowledgedWritesSurviveKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin, env := buildWizard(t, dir)
	state := filepath.Join(dir, "org.json")
	var acknowledged []string
	for round := range 3 {
		p := startServeProcess(t, bin, env, state)
		api, err := okta.New(okta.Config{OrgURL: p.url, Token: p.token, RequestTimeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		checkPoliciesExist(t, api, acknowledged)
		if round == 0 {
			// Another process on the same state file is refused, naming this one.
			second := exec.Command(bin, "sandbox", "serve", "--addr", "127.0.0.1:0", "--state", state)
			second.Env = env
			start := time.Now()
			out, err := second.CombinedOutput()
			want := fmt.Sprintf("in use by another sandbox (pid %d)", p.cmd.Process.Pid)
			if err == nil || !strings.Contains(string(out), want) || time.Since(start) > 5*time.Second {
				t.Fatalf("a second sandbox serve should be refused with %q: %v\n%s", want, err, out)
			}
		}

		var mu sync.Mutex
		var wg sync.WaitGroup
		ctx, cancel := context.WithCancel(context.Background())
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; ctx.Err() == nil; n++ {
					name := fmt.Sprintf("kill9 round %d writer %d #%d", round, w, n)
					if _, err := api.CreatePolicy(ctx, okta.Policy{Type: okta.TypeAccessPolicy, Name: name}, true); err == nil {
						mu.Lock()
						acknowledged = append(acknowledged, name)
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(300 * time.Millisecond)
		if err := p.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-p.exited
		cancel()
		wg.Wait()
	}
	t.Logf("%d writes acknowledged across 3 kills", len(acknowledged))
	if len(acknowledged) < 10 {
		t.Fatalf("only %d writes were acknowledged before the kills: the test proves nothing", len(acknowledged))
	}
	p := startServeProcess(t, bin, env, state)
	api, err := okta.New(okta.Config{OrgURL: p.url, Token: p.token})
	if err != nil {
		t.Fatal(err)
	}
	checkPoliciesExist(t, api, acknowledged)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") || strings.Contains(e.Name(), ".migrate-") {
			t.Errorf("temporary file left next to the state file: %s", e.Name())
		}
	}
}

func checkPoliciesExist(t *testing.T, api *okta.Client, names []string) {
	t.Helper()
	ps, err := api.ListPolicies(context.Background(), okta.TypeAccessPolicy)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, p := range ps {
		have[p.Name] = true
	}
	for _, n := range names {
		if !have[n] {
			t.Fatalf("acknowledged write %q lost after kill -9 (%d of %d policies present)", n, len(have), len(names))
		}
	}
}
