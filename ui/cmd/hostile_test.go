package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writePlan writes content to a plan file named name in a fresh directory.
func writePlan(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestApplyRefusesDevZeroAsAPlan(t *testing.T) {
	o := newApplyOrg(t)
	for _, args := range [][]string{{"--file", "/dev/zero"}, {"--file", "/dev/zero", "--dry-run"}} {
		if code := o.apply(t, args...); code != ExitUsage || !strings.Contains(o.err.String(), "not a regular file") {
			t.Errorf("apply %v: exit %d, stderr %q", args, code, o.err)
		}
	}
	if o.connects != 0 {
		t.Errorf("connected %d times for a plan that does not load", o.connects)
	}
}

func TestApplyBadPlansExitTwo(t *testing.T) {
	o := newApplyOrg(t)
	bomb := "version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n" +
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nsteps: *e\n"
	cases := map[string]struct{ content, want string }{
		"alias bomb":    {bomb, "aliases expand to more than"},
		"alias cycle":   {"version: 1\nsteps: &s [*s]\n", "refers to a value that contains it"},
		"path in an id": {"version: 1\nsteps:\n  - id: d\n    action: deleteDeviceAssurance\n    objectId: ../policies/rst1\n", `objectId "../policies/rst1" contains ".."`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := writePlan(t, "plan.yaml", c.content)
			for _, extra := range [][]string{nil, {"--dry-run"}, {"--export-curl", filepath.Join(t.TempDir(), "x.sh")}} {
				args := append([]string{"--file", path}, extra...)
				if code := o.apply(t, args...); code != ExitUsage || !strings.Contains(o.err.String(), c.want) {
					t.Errorf("apply %v: exit %d, stderr %q; want exit 2 and %q", extra, code, o.err, c.want)
				}
			}
		})
	}
}
