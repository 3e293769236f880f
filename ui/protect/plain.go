package protect

import (
	"context"
	"fmt"
	"io"

	"github.com/charmbracelet/huh"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
	"github.com/okta-device-wizard/okta-device-wizard/ui/common"
)

// AskPlain is the step as plain prompts (accessible mode): it reads the org's apps, says what
// the policy protects already, and asks for the picks with ask (one huh group as a prompt).
// No pick, or no app to pick, gives no protection and no request.
func (s *Step) AskPlain(ctx context.Context, out io.Writer, ask func(*huh.Group) error) ([]flows.AppProtection, error) {
	ctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	msg := s.fetch(ctx)
	if msg.err != nil {
		return nil, msg.err
	}
	s.apply(msg)
	text, _ := s.infoText()
	fmt.Fprintln(out, common.Wrap(s.heading()+". "+text))
	if !s.offersApps() {
		fmt.Fprintln(out, "No app to pick.")
		return nil, nil
	}
	if err := ask(s.group()); err != nil {
		return nil, err
	}
	return s.protections(), nil
}
