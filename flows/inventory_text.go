package flows

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteInventoryText prints the org (SANDBOX plainly) and one plain table per kind (or only kind's).
func WriteInventoryText(w io.Writer, orgLabel string, inv *Inventory, kind Kind, filter string) error {
	kinds := Kinds
	if kind != "" {
		kinds = []Kind{kind}
	}
	fmt.Fprintf(w, "Org: %s\n", orgLabel)
	for _, k := range kinds {
		rows := inv.Filter(k, filter)
		fmt.Fprintf(w, "\n%s (%d)\n", k.Title(), len(rows))
		if len(rows) == 0 {
			fmt.Fprintln(w, "  (none)")
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  "+strings.Join(Columns(k), "\t"))
		for _, r := range rows {
			cells := make([]string, len(r.Cells))
			for i, c := range r.Cells {
				cells[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(c)
				if cells[i] == "" {
					cells[i] = "-"
				}
			}
			mark := "  "
			if r.Warn && k != KindWarnings {
				mark = "! "
			}
			fmt.Fprintln(tw, mark+strings.Join(cells, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}
