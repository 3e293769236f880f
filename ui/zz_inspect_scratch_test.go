package ui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
)

func TestZZInspectScratch(t *testing.T) {
	srv, api := inspectSandbox(t, sandbox.Options{})
	seedInspectOrg(t, api)
	srv.SeedLarge(300, 5, 20)
	srv.SetFaults(sandbox.Faults{Latency: 3 * time.Millisecond})
	tm := inspectProgram(t, api, 80, 24, flows.LoadOptions{PageSize: 100})
	inspWaitOutput(t, tm, "progress", func(s string) bool { return true })
	time.Sleep(300 * time.Millisecond)
	p := inspWaitScreen(t, tm, "x", func(inspProbeState) bool { return true })
	t.Log("\n" + p.view)
	inspWaitLoaded(t, tm)
	tm.Send(inspRunes("2"))
	tm.Send(inspRunes("/"))
	tm.Type("finance")
	tm.Send(inspKey(tea.KeyEnter))
	tm.Send(inspKey(tea.KeyEnter))
	time.Sleep(200 * time.Millisecond)
	p = inspWaitScreen(t, tm, "x", func(inspProbeState) bool { return true })
	t.Log("\n" + p.view)
	tm.Send(inspKey(tea.KeyEsc))
	tm.Send(inspRunes("3"))
	tm.Send(inspKey(tea.KeyEsc))
	time.Sleep(100 * time.Millisecond)
	p = inspWaitScreen(t, tm, "x", func(inspProbeState) bool { return true })
	t.Log("\n" + p.view)
	tm.Send(inspRunes("4"))
	time.Sleep(100 * time.Millisecond)
	p = inspWaitScreen(t, tm, "x", func(inspProbeState) bool { return true })
	t.Log("\n" + p.view)
	tm.Send(inspRunes("5"))
	time.Sleep(100 * time.Millisecond)
	p = inspWaitScreen(t, tm, "x", func(inspProbeState) bool { return true })
	t.Log("\n" + p.view)
	tm.Send(tea.WindowSizeMsg{Width: 130, Height: 40})
	tm.Send(inspRunes("2"))
	tm.Send(inspRunes("G"))
	time.Sleep(100 * time.Millisecond)
	p = inspWaitScreen(t, tm, "x", func(inspProbeState) bool { return true })
	t.Log("\n" + p.view)
	tm.Quit()
}
