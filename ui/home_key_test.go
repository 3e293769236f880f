package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestHomeKeyLeavesTheDSCFlowKeepingItsAnswers: ctrl+g from stage 2 goes home in one key,
// without a prompt (the walk keeps its answers), and the flow reopens with them.
func TestHomeKeyLeavesTheDSCFlowKeepingItsAnswers(t *testing.T) {
	d, _, _ := newShellDriver(t, 80, 24)
	dscWalk{appPolicy: "Homeward apps", dscName: "Homeward signals", stopAt: 2}.run(d)
	d.RequireView("ctrl+g home")
	d.Key(tea.KeyCtrlG)
	d.RequireView("1. Device signal collection", "try everything.")
	if strings.Contains(d.View(), "Discard") {
		t.Fatalf("asked to discard answers the walk keeps:\n%s", d.View())
	}
	d.Key(tea.KeyEnter)
	d.Key(tea.KeyEnter) // the kept pick: create a new policy
	d.RequireView("> Homeward apps")
}

// TestHomeKeyAsksBeforeDiscardingAssuranceAnswers: with answers typed in the assurance form,
// ctrl+g asks first; n keeps the form as it was, y goes home.
func TestHomeKeyAsksBeforeDiscardingAssuranceAnswers(t *testing.T) {
	d, _, _ := newShellDriver(t, 80, 24)
	d.TypeText("2")
	d.RequireView("1. Create a device assurance policy")
	d.Key(tea.KeyCtrlG) // nothing typed yet: straight home
	d.RequireView("1. Device signal collection")
	d.TypeText("2")
	d.TypeText("1")
	d.RequireView("Policy name")
	d.TypeText("Half typed")
	d.Key(tea.KeyCtrlG)
	d.RequireView("Going home discards the answers of this flow.", "Discard them and go home? y / n")
	checkScreenSize(t, d.View(), 80, 24)
	d.TypeText("n")
	d.RequireView("Policy name", "Half typed")
	d.Key(tea.KeyCtrlG)
	d.TypeText("y")
	d.RequireView("1. Device signal collection", "try everything.")
}

// TestDigitShortcutsShownInTheFooter: numbered lists say their digits open an item.
func TestDigitShortcutsShownInTheFooter(t *testing.T) {
	d, _, _ := newShellDriver(t, 80, 24)
	d.RequireView("1-3 open")
	d.TypeText("2")
	d.RequireView("1. Create a device assurance policy", "1-4 open")
	checkScreenSize(t, d.View(), 80, 24)
}

// TestReviewFooterAt60x20KeepsSave: on a 60x20 terminal the review's footer still offers
// ctrl+s (and enter, esc, ctrl+c); what gives way is the self-evident and the optional.
func TestReviewFooterAt60x20KeepsSave(t *testing.T) {
	d, _, _ := newShellDriver(t, 80, 24)
	dscWalk{appPolicy: "Narrow apps", dscName: "Narrow signals", stopAt: 5}.run(d)
	d.Send(tea.WindowSizeMsg{Width: 60, Height: 20})
	view := d.View()
	lines := strings.Split(view, "\n")
	footer := lines[len(lines)-1]
	for _, want := range []string{"enter send", "ctrl+s save", "esc back", "ctrl+c quit"} {
		if !strings.Contains(footer, want) {
			t.Errorf("60x20 footer lacks %q: %q", want, footer)
		}
	}
	checkScreenSize(t, view, 60, 20)
}
