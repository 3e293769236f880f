package ui

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/huh"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/okta"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
	"github.com/okta-device-wizard/okta-device-wizard/ui/run"
)

// runAssuranceAccessible is the device assurance create/edit flow as plain prompts: the same
// pages, validation, request preview (a diff when editing), submit and System Log check.
func runAssuranceAccessible(ctx context.Context, c *Common, in io.Reader, out io.Writer) error {
	lr, ok := in.(*lineReader)
	if !ok {
		lr = &lineReader{r: bufio.NewReader(in)}
	}
	const (
		doCreate = "create"
		doEdit   = "edit"
		doRule   = "rule"
	)
	what := doCreate
	if err := accessibleForm(lr, out, huh.NewGroup(huh.NewSelect[string]().Title("Device assurance: what do you want to do?").
		Options(huh.NewOption("Create a device assurance policy", doCreate), huh.NewOption("Edit a device assurance policy", doEdit),
			huh.NewOption("Add policies to an app sign-in rule", doRule)).
		Value(&what))); err != nil {
		return err
	}
	if what == doRule {
		return runAssuranceRuleAccessible(ctx, c, lr, out)
	}
	draft := flows.AssuranceDraft{}
	if what == doEdit {
		lctx, cancel := context.WithTimeout(ctx, daAPITimeout)
		list, err := c.API.ListDeviceAssurances(lctx)
		cancel()
		if err != nil {
			return fmt.Errorf("listing device assurance policies: %w", err)
		}
		if len(list) == 0 {
			fmt.Fprintln(out, "The org has no device assurance policies yet: create one first.")
			return nil
		}
		sort.SliceStable(list, func(i, j int) bool { return strings.ToLower(list[i].Name) < strings.ToLower(list[j].Name) })
		opts := make([]huh.Option[string], len(list))
		for i, d := range list {
			opts[i] = huh.NewOption(daLabel(platformLabels, d.Platform)+": "+d.Name, d.ID)
		}
		id := list[0].ID
		if err := accessibleForm(lr, out, huh.NewGroup(huh.NewSelect[string]().Title("Which policy?").Options(opts...).Value(&id))); err != nil {
			return err
		}
		gctx, cancel := context.WithTimeout(ctx, daAPITimeout)
		read, err := c.API.GetDeviceAssurance(gctx, id)
		cancel()
		if err != nil {
			return fmt.Errorf("reading the policy: %w", err)
		}
		draft = flows.DraftFromAssurance(*read, daLocation)
	}
	e := NewAssuranceEditor(c, draft)
	if msg := e.loadNames(); msg != nil {
		if m, ok := msg().(assuranceNamesMsg); ok {
			e.takenNames = m.names
		}
	}
	ask := func(from string) error { return daAskPages(lr, out, e.pages, from, nil) }
	if err := ask(""); err != nil {
		return err
	}
	for {
		plan, errs, err := e.Plan()
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			fmt.Fprintln(out, "These answers need a fix:")
			for _, fe := range errs {
				fmt.Fprintln(out, common.Wrap("  "+fe.Msg))
			}
			e.pf.showErrors(errs)
			if err := ask(e.pf.cur); err != nil {
				return err
			}
			continue
		}
		if e.editing && daNoChange(plan) {
			fmt.Fprintln(out, "Nothing changed: the policy already has these settings. Nothing was sent.")
			return nil
		}
		daPrintRequest(out, plan.Steps[0])
		send := false
		if err := accessibleForm(lr, out, huh.NewGroup(huh.NewConfirm().Title("Send this request now?").Value(&send))); err != nil {
			return err
		}
		if !send {
			fmt.Fprintln(out, "Nothing was sent.")
			return offerSaveAccessible(ctx, c, lr, out, plan, e.normalized())
		}
		return runAssuranceAccessiblePlan(ctx, c, plan, out)
	}
}

// daAskPages asks every page once, in order, from page from ("" for the first); the list is taken
// again after each page because answers add or remove later pages. before, when set, runs
// ahead of each page (to read what it lists).
func daAskPages(in io.Reader, out io.Writer, pages func() []formPage, from string, before func(formPage) error) error {
	started := from == ""
	for i := 0; ; i++ {
		list := pages()
		if i >= len(list) {
			return nil
		}
		pg := list[i]
		if !started {
			if pg.key != from {
				continue
			}
			started = true
		}
		if before != nil {
			if err := before(pg); err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "\n%s\n", pg.title)
		if pg.explain != "" {
			// huh's plain prompts leave descriptions out; the page's explanation stands in.
			fmt.Fprintln(out, common.Wrap(pg.explain))
		}
		for {
			if err := accessibleForm(in, out, pg.group()); err != nil {
				return err
			}
			if pg.done == nil {
				break
			}
			if err := pg.done(); err != nil {
				fmt.Fprintln(out, common.Wrap(err.Error()))
				continue
			}
			break
		}
	}
}

// daPrintRequest shows a step's method, path and body, or its changes when it replaces an object.
func daPrintRequest(out io.Writer, st flows.Step) {
	fmt.Fprintf(out, "\nThe request:\n%s %s\n", st.Method(), st.Path())
	if st.Before != nil {
		fmt.Fprintln(out, "Changes (- before, + after):")
		for _, l := range st.Diff() {
			if l.Op != ' ' {
				fmt.Fprintf(out, "%c %s\n", l.Op, strings.TrimSpace(l.Text))
			}
		}
		return
	}
	body, _ := st.BodyJSON()
	fmt.Fprintln(out, string(body))
}

// runAssuranceRuleAccessible adds device assurance policies to a new or existing app sign-in
// rule as plain prompts.
func runAssuranceRuleAccessible(ctx context.Context, c *Common, in io.Reader, out io.Writer) error {
	f := NewAssuranceRuleFlow(c)
	f.Update(f.loadOrg()())
	if f.loadErr != nil {
		return f.loadErr
	}
	if len(f.policies) == 0 {
		return errors.New("the org has no app sign-in policies")
	}
	readRules := func(pg formPage) error {
		if pg.key == "rule" && f.rulesOf != f.draft.PolicyID {
			f.Update(f.loadRules(f.draft.PolicyID)())
			if f.loadErr != nil {
				return f.loadErr
			}
		}
		return nil
	}
	from := ""
	for {
		if err := daAskPages(in, out, f.pages, from, readRules); err != nil {
			return err
		}
		plan, err := f.draft.Plan()
		if fe := fieldErrorsOf(err); fe != nil {
			fmt.Fprintln(out, "These answers need a fix:")
			for _, e := range fe {
				fmt.Fprintln(out, common.Wrap("  "+e.Msg))
			}
			f.pf.showErrors(fe)
			from = f.pf.cur
			continue
		}
		if err != nil {
			return err
		}
		apps, err := f.protectStep().AskPlain(ctx, out, func(g *huh.Group) error { return accessibleForm(in, out, g) })
		if err != nil {
			return err
		}
		f.draft.ProtectApps = apps
		if plan, err = f.draft.Plan(); err != nil {
			return err
		}
		for _, st := range plan.Steps {
			daPrintRequest(out, st)
		}
		send := false
		question := "Send this request now?"
		if n := len(plan.Steps); n > 1 {
			question = fmt.Sprintf("Send these %d requests now?", n)
		}
		if err := accessibleForm(in, out, huh.NewGroup(huh.NewConfirm().Title(question).Value(&send))); err != nil {
			return err
		}
		if !send {
			fmt.Fprintln(out, "Nothing was sent.")
			return offerSaveAccessible(ctx, c, in, out, plan, f.draft)
		}
		return runAssuranceAccessiblePlan(ctx, c, plan, out)
	}
}

// runAssuranceAccessiblePlan sends the one request (a device assurance policy or a rule), then
// checks the System Log for its event.
func runAssuranceAccessiblePlan(ctx context.Context, c *Common, plan flows.Plan, out io.Writer) error {
	j, err := run.NewJournal(c, plan)
	if err != nil {
		return err
	}
	started := time.Now()
	created, err := j.Run(ctx, c.API, func(run.Event) {})
	if err != nil {
		var oe *okta.Error
		if errors.As(err, &oe) {
			fmt.Fprintf(out, "Okta refused the request: %s\n", oe.Error())
		}
		return err
	}
	st := plan.Steps[0]
	id := created[st.ID]
	if id == "" {
		id = st.ObjectID
	}
	types, wait := AssuranceEventTypes, EventAssuranceAdd
	switch st.Action {
	case flows.ActReplaceDeviceAssurance:
		wait = EventAssuranceUpdate
	case flows.ActCreateRule:
		types, wait = RuleEventTypes, EventRuleAdd
	case flows.ActReplaceRule:
		types, wait = RuleEventTypes, EventRuleUpdate
	}
	for _, other := range plan.Steps[1:] {
		fmt.Fprintf(out, "Done: %s.\n", other.Title)
	}
	fmt.Fprintf(out, "Done: %s (id %s).\nChecking the System Log for %s", st.Title, id, wait)
	f := SyslogFilter{EventTypes: types, TargetID: id, WaitFor: wait, ChangedAt: started}
	deadline := time.Now().Add(defaultPollFor)
	for {
		qctx, cancel := context.WithTimeout(ctx, daAPITimeout)
		events, err := c.API.QueryLogs(qctx, okta.LogQuery{Filter: f.Expression(), Since: started.Add(-syslogWindow), Limit: 100, Max: syslogMaxEvents})
		cancel()
		if err == nil {
			for _, ev := range events {
				if f.awaited(ev) {
					fmt.Fprintf(out, "\nConfirmed: %s at %s by %s.\n", ev.EventType,
						ev.Published.In(daLocation).Format("2006-01-02 15:04:05 MST"), daActorName(ev.Actor))
					return nil
				}
			}
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(out, "\nNo %s event arrived within %s. The change itself was applied; the System Log can lag a few minutes.\n", wait, defaultPollFor)
			return nil
		}
		fmt.Fprint(out, ".")
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(defaultPollEvery):
		}
	}
}

func daActorName(a *okta.LogActor) string {
	if a == nil {
		return "unknown"
	}
	if a.AlternateID != "" {
		return a.DisplayName + " <" + a.AlternateID + ">"
	}
	return a.DisplayName
}
