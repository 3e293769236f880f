package common

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// ClipLine cuts a line to width cells (an ellipsis marks the cut); width <= 0 keeps it whole.
func ClipLine(s string, width int) string {
	if width <= 0 {
		return s
	}
	return ansi.Truncate(s, width, "…")
}

// Indent prefixes every line of text, which always ends in one newline afterwards.
func Indent(text, prefix string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// Plural is "s" unless n is 1 ("1 request", "3 requests").
func Plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// PlainWidth is the width prose is wrapped to where no screen measures it (accessible mode).
const PlainWidth = 80

// Wrap breaks text at spaces so no line is wider than PlainWidth.
func Wrap(text string) string { return WrapAt(text, PlainWidth) }

// WrapAt breaks each line of text into lines of at most width cells at spaces only (ansi's
// wrappers also break at hyphens, splitting paths and flags such as --file); continuation
// lines keep the line's indentation, and a word wider than the room is cut.
func WrapAt(text string, width int) string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		body := strings.TrimLeft(para, " ")
		indent := para[:len(para)-len(body)]
		room := max(width-len(indent), 10)
		line := ""
		flush := func() {
			out = append(out, indent+line)
			line = ""
		}
		for _, w := range strings.Fields(body) {
			switch {
			case line == "":
				line = w
			case ansi.StringWidth(line)+1+ansi.StringWidth(w) <= room:
				line += " " + w
			default:
				flush()
				line = w
			}
			for ansi.StringWidth(line) > room {
				cut := ansi.Truncate(line, room, "")
				line = ansi.TruncateLeft(line, room, "")
				out = append(out, indent+cut)
			}
		}
		flush()
	}
	return strings.Join(out, "\n")
}
