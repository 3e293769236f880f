package flows

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"
)

// DiffLine is one line of a line-based diff of indented JSON: Op is '+' (only after), '-'
// (only before) or ' ' (both).
type DiffLine struct {
	Op   byte
	Text string
}

// readOnlyMembers are top-level members Okta sets itself; a replace does not send them, so the
// edit preview does not show their absence as a change.
var readOnlyMembers = []string{
	"id", "created", "lastUpdated", "status", "_links", "_embedded",
	"createdBy", "createdDate", "lastUpdate", "lastUpdatedBy",
	"resourceType", "resourceDisplayName", "resourceId", "createdUpdate",
}

// Diff is the preview of a replace: the object as read (read-only members left out) against
// the body sent. It is nil for steps without a before-image.
func (s Step) Diff() []DiffLine {
	if s.Before == nil || s.Body == nil {
		return nil
	}
	var before map[string]json.RawMessage
	b, err := json.Marshal(s.Before)
	if err != nil || json.Unmarshal(b, &before) != nil {
		return DiffJSON(s.Before, s.Body)
	}
	for _, k := range readOnlyMembers {
		delete(before, k)
	}
	return DiffJSON(before, s.Body)
}

// DiffJSON diffs the indented JSON of before and after line by line, members sorted by name. Values that mean the same
// (ISO durations of equal length such as P30D and PT720H, date-times of the same instant) are
// not shown as a change; the line shows the after form.
func DiffJSON(before, after any) []DiffLine {
	a := jsonLines(before)
	b := jsonLines(after)
	ka := make([]string, len(a))
	kb := make([]string, len(b))
	for i, l := range a {
		ka[i] = comparableLine(l)
	}
	for i, l := range b {
		kb[i] = comparableLine(l)
	}
	// Longest common subsequence table, from the ends, so the walk below goes forward.
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if ka[i] == kb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []DiffLine
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case ka[i] == kb[j]:
			out = append(out, DiffLine{' ', b[j]})
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, DiffLine{'-', a[i]})
			i++
		default:
			out = append(out, DiffLine{'+', b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, DiffLine{'-', a[i]})
	}
	for ; j < m; j++ {
		out = append(out, DiffLine{'+', b[j]})
	}
	return out
}

// DiffChanged reports whether a diff has any added or removed line.
func DiffChanged(lines []DiffLine) bool {
	for _, l := range lines {
		if l.Op != ' ' {
			return true
		}
	}
	return false
}

// DiffText renders diff lines as unified diff text.
func DiffText(lines []DiffLine) string {
	var sb strings.Builder
	for _, l := range lines {
		sb.WriteByte(l.Op)
		sb.WriteString(l.Text)
		sb.WriteByte('\n')
	}
	return sb.String()
}

// jsonLines renders v as indented JSON with object members in sorted order, so a struct and
// the same object decoded into a map line up.
func jsonLines(v any) []string {
	if v == nil {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return nil
	}
	b, err := json.MarshalIndent(generic, "", "  ")
	if err != nil || string(b) == "null" {
		return nil
	}
	return strings.Split(string(b), "\n")
}

var stringValueLine = regexp.MustCompile(`^(\s*(?:"(?:[^"\\]|\\.)*": )?)"((?:[^"\\]|\\.)*)"(,?)$`)

// comparableLine is the form of a line used to match lines: durations and date-times are
// replaced by their length or instant.
func comparableLine(line string) string {
	m := stringValueLine.FindStringSubmatch(line)
	if m == nil {
		return line
	}
	v := m[2]
	if strings.HasPrefix(v, "P") {
		if d, err := ParseISODuration(v); err == nil {
			return m[1] + "duration:" + d.String() + m[3]
		}
	}
	if len(v) >= 20 && v[4] == '-' && v[10] == 'T' {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return m[1] + "instant:" + t.UTC().Format(time.RFC3339Nano) + m[3]
		}
	}
	return line
}
