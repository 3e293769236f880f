package sandboxtest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
)

// Child is a sandbox served by another process, so a benchmark's allocations, memory and CPU
// are the client's alone (or the sandbox's, read from /proc/PID).
type Child struct {
	URL, Token string
	PID        int
}

// StartChild re-runs the test binary with -test.run=^testName$ and env added; that test calls
// ServeChild. It returns once the child announced its org; the child stops when the test ends.
func StartChild(tb testing.TB, testName string, env ...string) *Child {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+testName+"$")
	cmd.Env = append(os.Environ(), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
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
			return &Child{URL: f[1], Token: f[2], PID: cmd.Process.Pid}
		}
	}
	tb.Fatalf("sandbox process did not start: %v", sc.Err())
	return nil
}

// ServeChild announces srv to the StartChild that started this process and serves until the
// parent closes our stdin.
func ServeChild(srv *sandbox.Server) {
	fmt.Printf("SANDBOX %s %s\n", srv.URL(), srv.Token())
	io.Copy(io.Discard, os.Stdin)
}
