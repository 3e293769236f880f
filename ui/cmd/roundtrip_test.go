package cmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
)

// Issue #5's proof that the wizard and `apply` agree: a plan saved at the wizard's review
// (ctrl+s) dry-runs in a second org as the requests the review showed with references resolved
// by name there, creates in a second, fresh org
// the objects the wizard creates, applies twice without duplicates, and its curl export does
// the same against `sandbox serve` running as a separate process.

// compactJSON is b without insignificant white space ("" for no body).
func compactJSON(t *testing.T, b []byte) string {
	t.Helper()
	if len(bytes.TrimSpace(b)) == 0 {
		return ""
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return out.String()
}

// requestsJSONOf is the requests of steps as JSON, for telling two plans apart.
func requestsJSONOf(t *testing.T, steps []flows.Step) string {
	t.Helper()
	reqs, err := flows.Requests(flows.Plan{Steps: steps})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(reqs)
	return string(b)
}

// requireSameRequests compares the requests of the dry run with those of the review, step by step.
func requireSameRequests(t *testing.T, got []flows.Request, review flows.Plan) {
	t.Helper()
	want, err := flows.Requests(review)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("the dry run prints %d requests, the review showed %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Method != w.Method || g.Path != w.Path || g.StepID != w.StepID {
			t.Errorf("request %d: dry run %s %s (%s), review %s %s (%s)", i+1, g.Method, g.Path, g.StepID, w.Method, w.Path, w.StepID)
		}
		if gb, wb := compactJSON(t, g.Body), compactJSON(t, w.Body); gb != wb {
			t.Errorf("request %d %s %s: dry run body\n%s\nreview body\n%s", i+1, w.Method, w.Path, gb, wb)
		}
	}
}

// roundTripFlow is a wizard flow walked to its review, and what sending the review shows.
type roundTripFlow struct {
	name     string
	toReview func(d *uiDriver)
	sent     string // on screen once the review's requests are sent
	objects  int    // objects the plan adds to an org
}

var roundTripFlows = []roundTripFlow{
	{
		name:     "device signal collection",
		toReview: func(d *uiDriver) { d.dscToReview("Round trip apps", "Round trip signals") },
		sent:     "Done: 6 requests sent.",
		// Two policies, the new policy's rule and catch-all rule, the DSC rule and the mapping.
		objects: 6,
	},
	{
		name:     "device assurance",
		toReview: func(d *uiDriver) { d.assuranceToReview("Round trip iOS") },
		sent:     "Created device assurance policy",
		objects:  1,
	},
}

func TestRoundTripWizardPlanThroughApply(t *testing.T) {
	for _, flow := range roundTripFlows {
		t.Run(flow.name, func(t *testing.T) {
			source := newApplyOrg(t) // the org the wizard runs in
			d := newUIDriver(t, source.api)
			flow.toReview(d)
			shown := d.review()
			path := filepath.Join(t.TempDir(), "round-trip.yaml")
			d.savePlan(path)

			// The dry run in a second org prints the review's requests with what they reference
			// looked up by name in that org (its ids, not the source org's), and writes nothing.
			target := newApplyOrg(t) // a second, fresh org
			fresh := orgSnapshot(t, target.api)
			saved, err := flows.LoadPlan(path)
			if err != nil {
				t.Fatal(err)
			}
			inTarget, missing, err := flows.ResolveRefs(context.Background(), target.api, saved)
			if err != nil || len(missing) > 0 {
				t.Fatalf("resolving in the second org: %v, missing %v", err, missing)
			}
			if got, want := requestsJSONOf(t, inTarget.Steps), requestsJSONOf(t, shown.Steps); flow.name == "device signal collection" && got == want {
				t.Fatal("the two orgs give the referenced objects the same ids: the test proves nothing")
			}
			if code := target.apply(t, "--file", path, "--dry-run", "--json"); code != 0 {
				t.Fatalf("dry run exit %d: %s", code, target.err)
			}
			var dry []flows.Request
			if err := json.Unmarshal(target.out.Bytes(), &dry); err != nil {
				t.Fatalf("%v:\n%s", err, target.out)
			}
			requireSameRequests(t, dry, inTarget)
			if code := target.apply(t, "--file", path, "--dry-run"); code != 0 {
				t.Fatalf("dry run exit %d: %s", code, target.err)
			}
			if want, _ := flows.FormatRequests(inTarget); target.out.String() != want {
				t.Errorf("text dry run:\n%s\nwant the review's requests resolved in the second org:\n%s", target.out, want)
			}
			// The curl export resolves the same way; the in-process org's port is not in it.
			if code := target.apply(t, "--file", path, "--export-curl", "-"); code != 0 {
				t.Fatalf("export exit %d: %s", code, target.err)
			}
			if target.out.String() != flows.CurlScript(inTarget, "") {
				t.Error("the curl export is not the plan resolved in the second org")
			}
			requireSameSnapshot(t, "after the dry runs", orgSnapshot(t, target.api), fresh)

			// What the wizard itself creates when the review is sent, in the first org.
			d.Key(tea.KeyEnter)
			d.RequireFlat(flow.sent)
			wizardMade := orgSnapshot(t, source.api)
			if len(wizardMade) != len(fresh)+flow.objects {
				t.Fatalf("the wizard's run made %d objects, want %d", len(wizardMade)-len(fresh), flow.objects)
			}

			// Applied to the second org the file creates the same objects (ids resolved by name).
			if code := target.apply(t, "--file", path); code != 0 {
				t.Fatalf("apply exit %d: %s\n%s", code, target.err, target.out)
			}
			requireSameSnapshot(t, "after apply", orgSnapshot(t, target.api), wizardMade)

			// Applied twice it creates nothing more.
			if code := target.apply(t, "--file", path); code != 0 {
				t.Fatalf("second apply exit %d: %s\n%s", code, target.err, target.out)
			}
			if n := strings.Count(target.out.String(), "(already existed; not created again)"); n != len(shown.Steps) {
				t.Errorf("second apply adopted %d of %d steps:\n%s", n, len(shown.Steps), target.out)
			}
			requireSameSnapshot(t, "after the second apply", orgSnapshot(t, target.api), wizardMade)
		})
	}
}

// TestCurlExportAgainstSandboxServe builds the binary, runs `sandbox serve` as its own process,
// saves a plan from the wizard connected to it, exports the plan with `apply --export-curl`,
// runs the script with bash and curl (token from $OKTA_API_TOKEN), and finds the objects that
// applying the same file creates in a fresh in-process sandbox.
func TestCurlExportAgainstSandboxServe(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (%v): the curl export cannot be run", tool, err)
		}
	}
	dir := t.TempDir()
	bin, env := buildWizard(t, dir)

	url, token := startSandboxServe(t, bin, env, filepath.Join(dir, "org.json"))
	api, err := okta.New(okta.Config{OrgURL: url, Token: token, RequestTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}

	d := newUIDriver(t, api)
	d.dscToReview("Curl apps", "Curl signals")
	plan := filepath.Join(dir, "curl-plan.json")
	d.savePlan(plan)

	script := filepath.Join(dir, "plan.sh")
	export := exec.Command(bin, "apply", "--file", plan, "--export-curl", script)
	export.Env = append(env, "OKTA_CLIENT_ORGURL="+url, "OKTA_CLIENT_TOKEN="+token)
	if out, err := export.CombinedOutput(); err != nil {
		t.Fatalf("apply --export-curl: %v\n%s", err, out)
	}
	text, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(text), token) {
		t.Fatal("the exported script holds the API token")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run := exec.CommandContext(ctx, "bash", script)
	run.Env = append(env, "OKTA_API_TOKEN="+token)
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("bash %s: %v\n%s", script, err, out)
	}
	if !strings.Contains(string(out), "done: 6 request(s) sent") {
		t.Fatalf("script output:\n%s", out)
	}
	if strings.Contains(string(out), token) {
		t.Fatal("the script printed the API token")
	}

	ref := newApplyOrg(t)
	if code := ref.apply(t, "--file", plan); code != 0 {
		t.Fatalf("apply to the reference org: exit %d: %s", code, ref.err)
	}
	requireSameSnapshot(t, "curl export run against sandbox serve", orgSnapshot(t, api), orgSnapshot(t, ref.api))
}

// buildWizard builds the binary into dir and returns it with an environment that holds no Okta
// configuration of the machine running the tests (HOME and the state directory in dir).
func buildWizard(t *testing.T, dir string) (bin string, env []string) {
	t.Helper()
	bin = filepath.Join(dir, "okta-device-wizard")
	build := exec.Command("go", "build", "-o", bin, "github.com/okta-device-wizard/okta-device-wizard")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OKTA_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_STATE_HOME=") {
			env = append(env, kv)
		}
	}
	return bin, append(env, "HOME="+dir, "XDG_STATE_HOME="+filepath.Join(dir, "state"))
}

// startSandboxServe starts `BIN sandbox serve` on a free port and returns the URL and token it
// prints; the process is interrupted (then killed) when the test ends.
func startSandboxServe(t *testing.T, bin string, env []string, state string) (url, token string) {
	t.Helper()
	p := startServeProcess(t, bin, env, state)
	return p.url, p.token
}

// serveProcess is a running `sandbox serve`.
type serveProcess struct {
	url, token string
	cmd        *exec.Cmd
	exited     chan struct{} // closed once the process ended
}

// startServeProcess starts `BIN sandbox serve` on a free port and waits for its URL and token;
// the process is interrupted (then killed) when the test ends.
func startServeProcess(t *testing.T, bin string, env []string, state string) *serveProcess {
	t.Helper()
	serve := exec.Command(bin, "sandbox", "serve", "--addr", "127.0.0.1:0", "--state", state)
	serve.Env = env
	stdout, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// A file, not a buffer: it is read while the process may still write to it.
	stderrFile, err := os.Create(state + ".stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer stderrFile.Close()
	serve.Stderr = stderrFile
	stderr := func() string { b, _ := os.ReadFile(stderrFile.Name()); return string(b) }
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		_ = serve.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = serve.Process.Kill()
			<-exited
		}
	})
	type found struct{ url, token string }
	got := make(chan found, 1)
	go func() {
		var f found
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "Sandbox Okta org running at "); ok {
				f.url = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(line, "API token: "); ok {
				f.token = strings.TrimSpace(v)
				got <- f
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout) // keep the pipe drained until the process ends
		_ = serve.Wait()
		close(exited)
	}()
	select {
	case f := <-got:
		if f.url == "" || f.token == "" {
			t.Fatalf("sandbox serve printed no URL or token; stderr:\n%s", stderr())
		}
		return &serveProcess{url: f.url, token: f.token, cmd: serve, exited: exited}
	case <-exited:
		t.Fatalf("sandbox serve exited early; stderr:\n%s", stderr())
	case <-time.After(60 * time.Second):
		t.Fatalf("sandbox serve did not announce itself; stderr:\n%s", stderr())
	}
	return nil
}
