package flows

// Plan files
//
// A plan file holds the requests of a plan, and optionally the wizard answers that made it, so
// a plan can be reviewed, kept in version control, dry-run and applied with
// `okta-device-wizard apply --file PLAN`. It is YAML when the name ends in .yaml or .yml and
// JSON otherwise (.json); both have the same members (docs/plan-format.md has the full format):
//
//	version: 1                          # format version; required
//	flow: device-signal-collection      # which flow made it
//	title: Device signal collection for Sales
//	draft:                              # optional: the answers, to reopen them in the wizard
//	  kind: device-signal-collection    # device-signal-collection, device-assurance, assurance-rule
//	  answers: {...}                    # the DSCDraft / AssuranceDraft / AssuranceRuleDraft
//	steps:                              # in order; each one request
//	  - id: app-rule                    # unique; names the step's result: {{app-rule.id}}
//	    stage: 1                        # wizard stage, for errors
//	    title: Create rule "Registered devices" in "Sales apps"
//	    action: createRule              # createPolicy, createRule, mapResource, activatePolicy, ...
//	    policyId: "{{app-policy.id}}"   # an id, or a placeholder for an earlier step's result
//	    objectId: ...                   # the rule / assurance policy a replace or delete acts on
//	    activate: true                  # ?activate=true on a create
//	    dependsOn: [app-policy]         # steps that must finish first (placeholders count too)
//	    body: {...}                     # the JSON body, exactly as sent (placeholders filled in)
//	    before: {...}                   # a replaced object as it was (roll back restores it)
//	    refs:                           # existing objects the step uses, by name
//	      - {kind: group, id: 00g1, name: Sales}
//
// Placeholders "{{step-id.id}}" may appear in policyId, objectId and string values of body.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// PlanFileVersion is the plan file format this build writes and reads.
const PlanFileVersion = 1

// Draft kinds in plan files, one per flow.
const (
	DraftDSC           = "device-signal-collection"
	DraftAssurance     = "device-assurance"
	DraftAssuranceRule = "assurance-rule"
)

// SavedDraft is the wizard's answers stored in a plan file.
type SavedDraft struct {
	Kind    string          `json:"kind"`
	Answers json.RawMessage `json:"answers"`
}

// Decode returns the answers as *DSCDraft, *AssuranceDraft or *AssuranceRuleDraft.
func (d SavedDraft) Decode() (any, error) {
	var v any
	switch d.Kind {
	case DraftDSC:
		v = &DSCDraft{}
	case DraftAssurance:
		v = &AssuranceDraft{}
	case DraftAssuranceRule:
		v = &AssuranceRuleDraft{}
	default:
		return nil, fmt.Errorf("draft kind %q is not one of %s, %s, %s", d.Kind, DraftDSC, DraftAssurance, DraftAssuranceRule)
	}
	if err := json.Unmarshal(d.Answers, v); err != nil {
		return nil, fmt.Errorf("draft answers: %w", err)
	}
	return v, nil
}

// PlanFile is the content of a plan file.
type PlanFile struct {
	Version int         `json:"version"`
	Flow    string      `json:"flow"`
	Title   string      `json:"title"`
	Draft   *SavedDraft `json:"draft,omitempty"`
	Steps   []Step      `json:"steps"`
}

// Plan returns the plan of the file.
func (f PlanFile) Plan() Plan { return Plan{Flow: f.Flow, Title: f.Title, Steps: f.Steps} }

// NewPlanFile pairs a plan with the draft that made it (nil for none).
func NewPlanFile(p Plan, draft any) (PlanFile, error) {
	f := PlanFile{Version: PlanFileVersion, Flow: p.Flow, Title: p.Title, Steps: p.Steps}
	if draft == nil {
		return f, nil
	}
	var kind string
	switch draft.(type) {
	case DSCDraft, *DSCDraft:
		kind = DraftDSC
	case AssuranceDraft, *AssuranceDraft:
		kind = DraftAssurance
	case AssuranceRuleDraft, *AssuranceRuleDraft:
		kind = DraftAssuranceRule
	default:
		return f, fmt.Errorf("cannot save answers of type %T", draft)
	}
	b, err := json.Marshal(draft)
	if err != nil {
		return f, err
	}
	f.Draft = &SavedDraft{Kind: kind, Answers: b}
	return f, nil
}

// SavePlan writes p to path, as YAML or JSON by the file's extension.
func SavePlan(path string, p Plan) error { return SavePlanWithDraft(path, p, nil) }

// SavePlanWithDraft writes p and the answers that made it (a DSCDraft, AssuranceDraft or
// AssuranceRuleDraft, or nil) to path. The file is replaced atomically.
func SavePlanWithDraft(path string, p Plan, draft any) error {
	f, err := NewPlanFile(p, draft)
	if err != nil {
		return err
	}
	b, err := EncodePlanFile(f, isYAMLPath(path))
	if err != nil {
		return err
	}
	if err := writeFileAtomic(path, b, 0o644); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	return nil
}

func isYAMLPath(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return true
	}
	return false
}

// EncodePlanFile renders a plan file as indented JSON or as YAML with the same members in the
// same order.
func EncodePlanFile(f PlanFile, asYAML bool) ([]byte, error) {
	js, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	if !asYAML {
		return append(js, '\n'), nil
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	node, err := jsonToYAML(dec)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(node); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// jsonToYAML converts the next JSON value of dec into a YAML node, keeping member order.
func jsonToYAML(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if t == '{' {
			n = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		}
		for dec.More() {
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k.(string)})
			}
			v, err := jsonToYAML(dec)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, v)
		}
		if _, err := dec.Token(); err != nil { // closing delimiter
			return nil, err
		}
		return n, nil
	case string:
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}
		switch {
		case strings.Contains(t, "\n"):
			n.Style = yaml.LiteralStyle
		case yaml11Bool[strings.ToLower(t)]:
			n.Style = yaml.DoubleQuotedStyle // YAML 1.1 readers would take these for booleans
		}
		return n, nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(t.String(), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: t.String()}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(t)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

var yaml11Bool = map[string]bool{"yes": true, "no": true, "on": true, "off": true, "y": true, "n": true}

// PlanFileError is a problem in a plan file, with the line it is on when known.
type PlanFileError struct {
	Path string
	Line int
	Msg  string
}

func (e *PlanFileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// LoadPlan reads a plan file written by SavePlan (or by hand).
func LoadPlan(path string) (Plan, error) {
	f, err := LoadPlanFile(path)
	if err != nil {
		return Plan{}, err
	}
	return f.Plan(), nil
}

// MaxPlanFileBytes bounds a plan file: plans are shared between admins, so a file (or a
// device such as /dev/zero) must not be able to exhaust memory.
const MaxPlanFileBytes = 10 << 20

// maxAliasValues bounds how many values YAML aliases may expand to in one plan file; a
// handful of anchors is normal, a "billion laughs" bomb is not.
const maxAliasValues = 10000

// LoadPlanFile reads a plan file with its saved answers. Only regular files of at most
// MaxPlanFileBytes are read.
func LoadPlanFile(path string) (PlanFile, error) {
	b, err := readBoundedFile(path, MaxPlanFileBytes, "plan")
	if err != nil {
		return PlanFile{}, err
	}
	return DecodePlanFile(path, b)
}

// readBoundedFile reads a regular file of at most limit bytes; what names the file in errors.
func readBoundedFile(path string, limit int64, what string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if !info.Mode().IsRegular() {
		return nil, &PlanFileError{Path: path, Msg: fmt.Sprintf("not a regular file (%s): a %s must be a file", fileKind(info.Mode()), what)}
	}
	if info.Size() > limit {
		return nil, &PlanFileError{Path: path, Msg: fmt.Sprintf("%d bytes is more than the %s limit of %s", info.Size(), what, formatBytes(limit))}
	}
	// The file may grow while read: read one byte past the limit to notice.
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if int64(len(b)) > limit {
		return nil, &PlanFileError{Path: path, Msg: fmt.Sprintf("more than the %s limit of %s", what, formatBytes(limit))}
	}
	return b, nil
}

func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeCharDevice != 0, m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "not a plain file"
}

func formatBytes(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// DecodePlanFile parses and checks a plan file's content; name is used in errors and to pick the
// format (YAML for .yaml/.yml, and for content that does not start like JSON).
func DecodePlanFile(name string, data []byte) (PlanFile, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return PlanFile{}, &PlanFileError{Path: name, Msg: "the file is empty"}
	}
	if len(data) > MaxPlanFileBytes {
		return PlanFile{}, &PlanFileError{Path: name, Msg: fmt.Sprintf("%d bytes is more than the plan limit of %s", len(data), formatBytes(MaxPlanFileBytes))}
	}
	var lines []int // line of each step, when known
	var js []byte
	if isYAMLPath(name) || (trimmed[0] != '{' && trimmed[0] != '[') {
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return PlanFile{}, &PlanFileError{Path: name, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
		}
		root := &doc
		if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
			root = root.Content[0]
		}
		if root.Kind != yaml.MappingNode {
			return PlanFile{}, &PlanFileError{Path: name, Line: root.Line, Msg: "a plan file is a mapping with version, flow, title and steps"}
		}
		conv := yamlConverter{active: map[*yaml.Node]bool{}}
		if err := conv.write(root); err != nil {
			return PlanFile{}, &PlanFileError{Path: name, Msg: err.Error()}
		}
		js = conv.buf.Bytes()
		if steps := mappingValue(root, "steps"); steps != nil && steps.Kind == yaml.SequenceNode {
			for _, s := range steps.Content {
				lines = append(lines, s.Line)
			}
		}
	} else {
		js = data
		lines = jsonStepLines(data)
	}
	return decodePlanJSON(name, js, data, lines)
}

func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// yamlConverter writes a YAML node as JSON, keeping member order. Aliases are expanded, but
// at most maxAliasValues values in all and never into themselves: a plan is finite and small.
type yamlConverter struct {
	buf         bytes.Buffer
	active      map[*yaml.Node]bool // anchors being expanded, to refuse cycles
	aliasDepth  int                 // > 0 while inside an alias
	aliasValues int                 // values written from aliases so far
}

// enter and leave mark an anchored mapping or sequence as being written: an alias to it from
// inside itself is a cycle. Only anchored nodes can be aliased, so only they are tracked.
func (c *yamlConverter) enter(n *yaml.Node) {
	if n.Anchor != "" {
		c.active[n] = true
	}
}

func (c *yamlConverter) leave(n *yaml.Node) {
	if n.Anchor != "" {
		delete(c.active, n)
	}
}

func (c *yamlConverter) write(n *yaml.Node) error {
	if c.aliasDepth > 0 {
		c.aliasValues++
		if c.aliasValues > maxAliasValues {
			return fmt.Errorf("line %d: YAML aliases expand to more than %d values (an alias bomb?): write the repeated part out instead", n.Line, maxAliasValues)
		}
	}
	if c.buf.Len() > MaxPlanFileBytes {
		return fmt.Errorf("line %d: the plan expands to more than the plan limit of %s", n.Line, formatBytes(MaxPlanFileBytes))
	}
	buf := &c.buf
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			buf.WriteString("null")
			return nil
		}
		return c.write(n.Content[0])
	case yaml.AliasNode:
		if n.Alias == nil {
			return fmt.Errorf("line %d: alias *%s names no anchor", n.Line, n.Value)
		}
		if c.active[n.Alias] {
			return fmt.Errorf("line %d: YAML alias *%s refers to a value that contains it: a plan cannot be infinite", n.Line, n.Value)
		}
		c.aliasDepth++
		err := c.write(n.Alias)
		c.aliasDepth--
		return err
	case yaml.MappingNode:
		c.enter(n)
		defer c.leave(n)
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				buf.WriteByte(',')
			}
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: keys must be plain strings", k.Line)
			}
			kb, _ := json.Marshal(k.Value)
			buf.Write(kb)
			buf.WriteByte(':')
			if err := c.write(n.Content[i+1]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		c.enter(n)
		defer c.leave(n)
		buf.WriteByte('[')
		for i, e := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := c.write(e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			buf.WriteString("null")
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return fmt.Errorf("line %d: %v", n.Line, err)
			}
			fmt.Fprint(buf, b)
		case "!!int", "!!float":
			if jsonNumberRE.MatchString(n.Value) {
				// Written as JSON writes it: kept exactly, even past float64 (1e400).
				buf.WriteString(n.Value)
				break
			}
			var f any
			if err := n.Decode(&f); err != nil {
				return fmt.Errorf("line %d: %v", n.Line, err)
			}
			b, err := json.Marshal(f)
			if err != nil {
				return fmt.Errorf("line %d: %v", n.Line, err)
			}
			buf.Write(b)
		default:
			b, _ := json.Marshal(n.Value)
			buf.Write(b)
		}
	default:
		return fmt.Errorf("line %d: unsupported YAML node", n.Line)
	}
	return nil
}

// jsonStepLines finds the line of each element of the top-level "steps" array of a JSON plan.
func jsonStepLines(data []byte) []int {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil
		}
		var skip json.RawMessage
		if k != "steps" {
			if dec.Decode(&skip) != nil {
				return nil
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return nil
		}
		var lines []int
		counter := lineCounter{data: data}
		for dec.More() {
			lines = append(lines, counter.lineAt(nextNonSpace(data, int(dec.InputOffset()))))
			if dec.Decode(&skip) != nil {
				return lines
			}
		}
		return lines
	}
	return nil
}

func nextNonSpace(data []byte, off int) int {
	for off < len(data) && strings.ContainsRune(" \t\r\n,:", rune(data[off])) {
		off++
	}
	return off
}

func lineAt(data []byte, off int) int {
	if off > len(data) {
		off = len(data)
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// lineCounter finds the lines of increasing offsets in one pass over data.
type lineCounter struct {
	data []byte
	off  int // offset counted up to
	line int // newlines before off
}

func (c *lineCounter) lineAt(off int) int {
	if off > len(c.data) {
		off = len(c.data)
	}
	if off < c.off { // not increasing: count afresh
		c.off, c.line = 0, 0
	}
	c.line += bytes.Count(c.data[c.off:off], []byte("\n"))
	c.off = off
	return c.line + 1
}

var knownStepKeys = map[string]bool{
	"id": true, "stage": true, "title": true, "action": true, "policyId": true, "objectId": true,
	"body": true, "before": true, "activate": true, "dependsOn": true, "refs": true,
}

var knownFileKeys = map[string]bool{"version": true, "flow": true, "title": true, "draft": true, "steps": true}

func decodePlanJSON(name string, js, original []byte, lines []int) (PlanFile, error) {
	fail := func(line int, format string, args ...any) (PlanFile, error) {
		return PlanFile{}, &PlanFileError{Path: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(js, &top); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fail(lineAt(original, int(se.Offset)), "not valid JSON: %v", err)
		}
		return fail(0, "a plan file is an object with version, flow, title and steps: %v", err)
	}
	var unknown []string
	for k := range top {
		if !knownFileKeys[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fail(0, "unknown member(s) %s (expected version, flow, title, draft, steps)", strings.Join(unknown, ", "))
	}
	var f PlanFile
	if raw, ok := top["version"]; !ok {
		return fail(0, "missing version (this build reads version %d)", PlanFileVersion)
	} else if err := json.Unmarshal(raw, &f.Version); err != nil || f.Version != PlanFileVersion {
		return fail(0, "version %s is not supported (this build reads version %d)", string(raw), PlanFileVersion)
	}
	for _, k := range []string{"flow", "title"} {
		if raw, ok := top[k]; ok {
			dst := &f.Flow
			if k == "title" {
				dst = &f.Title
			}
			if err := json.Unmarshal(raw, dst); err != nil {
				return fail(0, "%s must be a string", k)
			}
		}
	}
	if raw, ok := top["draft"]; ok && string(raw) != "null" {
		var d SavedDraft
		if err := json.Unmarshal(raw, &d); err != nil {
			return fail(0, "draft: %v", err)
		}
		if _, err := d.Decode(); err != nil {
			return fail(0, "draft: %v", err)
		}
		f.Draft = &d
	}
	var rawSteps []json.RawMessage
	if err := json.Unmarshal(top["steps"], &rawSteps); err != nil || len(rawSteps) == 0 {
		return fail(0, "steps must be a non-empty list of requests")
	}
	seen := map[string]bool{}
	for i, raw := range rawSteps {
		line := 0
		if i < len(lines) {
			line = lines[i]
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(raw, &keys); err != nil {
			return fail(line, "step %d must be a mapping: %v", i+1, err)
		}
		for k := range keys {
			if !knownStepKeys[k] {
				return fail(line, "step %d: unknown member %q", i+1, k)
			}
		}
		var s Step
		if err := json.Unmarshal(raw, &s); err != nil {
			var id string
			_ = json.Unmarshal(keys["id"], &id)
			if id == "" {
				return fail(line, "step %d: %v", i+1, err)
			}
			return fail(line, "step %d %q: %s", i+1, id, strings.TrimPrefix(err.Error(), fmt.Sprintf("step %q: ", id)))
		}
		label := fmt.Sprintf("step %d", i+1)
		if s.ID != "" {
			label = fmt.Sprintf("step %d %q", i+1, s.ID)
		}
		if err := checkStep(s, seen); err != nil {
			return fail(line, "%s: %v", label, err)
		}
		seen[s.ID] = true
		f.Steps = append(f.Steps, s)
	}
	return f, nil
}

// checkStep checks what a request needs; earlier holds the ids of the steps before it.
func checkStep(s Step, earlier map[string]bool) error {
	if s.ID == "" {
		return errors.New("id is missing")
	}
	if !placeholderIDRE.MatchString(s.ID) {
		return fmt.Errorf("id %q may hold only letters, digits, '-' and '_'", s.ID)
	}
	if earlier[s.ID] {
		return fmt.Errorf("id %q is used by an earlier step", s.ID)
	}
	needsPolicy, needsObject, needsBody := actionNeeds(s.Action)
	if s.Action == "" {
		return errors.New("action is missing")
	}
	if needsPolicy == nil {
		return fmt.Errorf("unknown action %q (one of %s)", s.Action, strings.Join(actionNames(), ", "))
	}
	if *needsPolicy && s.PolicyID == "" {
		return fmt.Errorf("%s needs policyId", s.Action)
	}
	if needsObject && s.ObjectID == "" {
		return fmt.Errorf("%s needs objectId", s.Action)
	}
	for _, f := range []struct{ field, id string }{{"policyId", s.PolicyID}, {"objectId", s.ObjectID}} {
		if err := checkPathID(f.id); err != nil {
			return fmt.Errorf("%s %v", f.field, err)
		}
	}
	for _, r := range s.Refs {
		for _, id := range []string{r.ID, r.PolicyID} {
			if err := checkPathID(id); err != nil {
				return fmt.Errorf("refs: %s %q: id %v", r.Kind, r.Name, err)
			}
		}
	}
	if needsBody && s.Body == nil {
		return fmt.Errorf("%s needs a body", s.Action)
	}
	if !needsBody && s.Body != nil {
		return fmt.Errorf("%s sends no body, but one is given", s.Action)
	}
	for _, id := range s.Placeholders() {
		if !earlier[id] {
			return fmt.Errorf("placeholder %s names no earlier step", Placeholder(id))
		}
	}
	for _, id := range s.DependsOn {
		if !earlier[id] {
			return fmt.Errorf("dependsOn %q names no earlier step", id)
		}
	}
	return nil
}

var jsonNumberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

var placeholderIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// checkPathID refuses an object id that would change the request path it goes into: a plan
// from someone else must not be able to aim a delete at another object ("../policies/ID").
func checkPathID(id string) error {
	if strings.Contains(id, "..") {
		return fmt.Errorf("%q contains \"..\", which no Okta id has", id)
	}
	for _, r := range id {
		if strings.ContainsRune("/?#%\\", r) || unicode.IsControl(r) || unicode.IsSpace(r) {
			return fmt.Errorf("%q contains %q, which no Okta id has", id, r)
		}
	}
	return nil
}

var allActions = []Action{
	ActCreatePolicy, ActReplacePolicy, ActActivatePolicy, ActDeactivatePolicy, ActDeletePolicy,
	ActCreateRule, ActReplaceRule, ActActivateRule, ActDeleteRule, ActMapResource, ActDeleteMapping,
	ActCreateDeviceAssurance, ActReplaceDeviceAssurance, ActDeleteDeviceAssurance, ActAssignAppPolicy,
}

func actionNames() []string {
	out := make([]string, len(allActions))
	for i, a := range allActions {
		out[i] = string(a)
	}
	return out
}

// actionNeeds says what an action needs; needsPolicy is nil for an unknown action.
func actionNeeds(a Action) (needsPolicy *bool, needsObject, needsBody bool) {
	t, f := true, false
	switch a {
	case ActCreatePolicy:
		return &f, false, true
	case ActReplacePolicy:
		return &t, false, true
	case ActActivatePolicy, ActDeactivatePolicy, ActDeletePolicy:
		return &t, false, false
	case ActCreateRule:
		return &t, false, true
	case ActReplaceRule:
		return &t, true, true
	case ActActivateRule, ActDeleteRule, ActDeleteMapping, ActAssignAppPolicy:
		return &t, true, false
	case ActMapResource:
		return &t, false, true
	case ActCreateDeviceAssurance:
		return &f, false, true
	case ActReplaceDeviceAssurance:
		return &f, true, true
	case ActDeleteDeviceAssurance:
		return &f, true, false
	}
	return nil, false, false
}

// Request is one request of a plan as previewed: method, path and JSON body, placeholders
// left in.
type Request struct {
	StepID string          `json:"stepId"`
	Stage  int             `json:"stage"`
	Title  string          `json:"title"`
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body,omitempty"`
}

// Requests lists the requests of a plan in order.
func Requests(p Plan) ([]Request, error) {
	out := make([]Request, 0, len(p.Steps))
	for _, s := range p.Steps {
		body, err := s.BodyJSON()
		if err != nil {
			return nil, fmt.Errorf("step %q: %w", s.ID, err)
		}
		out = append(out, Request{StepID: s.ID, Stage: s.Stage, Title: s.Title, Method: s.Method(), Path: s.Path(), Body: body})
	}
	return out, nil
}

// FormatRequests renders the requests of a plan as text: per step a comment line with its
// number and title, "METHOD PATH", and the indented JSON body.
func FormatRequests(p Plan) (string, error) {
	reqs, err := Requests(p)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i, r := range reqs {
		if i > 0 {
			b.WriteString("\n")
		}
		title := Step{ID: r.StepID, Title: r.Title}.Name()
		stage := ""
		if r.Stage > 0 {
			stage = fmt.Sprintf(" (stage %d)", r.Stage)
		}
		fmt.Fprintf(&b, "# %d/%d %s%s\n%s %s\n", i+1, len(reqs), oneLine(title), stage, r.Method, r.Path)
		if len(r.Body) > 0 {
			b.Write(r.Body)
			b.WriteString("\n")
		}
	}
	return b.String(), nil
}

func knownAction(a Action) bool {
	needsPolicy, _, _ := actionNeeds(a)
	return needsPolicy != nil
}
