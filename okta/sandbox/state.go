package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// stateFormat marks a file as ours; a file without it is never overwritten.
const (
	stateFormat  = "okta-device-wizard-sandbox"
	stateVersion = 1
)

// obj is an Okta object as JSON, so members a client sends that we do not model are kept
// and echoed back, as Okta does.
type obj = map[string]any

// admin is the org's administrator that owns the API token; it is the actor of log events.
type admin struct {
	ID          string `json:"id"`
	Login       string `json:"login"`
	DisplayName string `json:"displayName"`
}

// state is the whole org, held in memory. The store saves the objects a write touched; a
// version 1 state file held it as one JSON document (this struct's JSON form), which New
// migrates.
type state struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	OrgName string `json:"orgName"`
	Admin   admin  `json:"admin"`
	// Policies in creation order; rules per policy id in priority order.
	Policies []obj            `json:"policies"`
	Rules    map[string][]obj `json:"rules"`
	// Mappings: device signal collection policy id -> mapped ACCESS_POLICY ids.
	Mappings         map[string][]string `json:"mappings"`
	DeviceAssurances []obj               `json:"deviceAssurances"`
	IdPs             []obj               `json:"idps"`
	Groups           []obj               `json:"groups"`
	Zones            []obj               `json:"zones"`
	Logs             []obj               `json:"logs"`
	// Apps in creation order; AppPolicies: app id -> the ACCESS_POLICY it uses.
	Apps        []obj             `json:"apps"`
	AppPolicies map[string]string `json:"appPolicies"`
	// Users and Memberships: user id -> group ids (Everyone is implied).
	Users       []obj               `json:"users"`
	Memberships map[string][]string `json:"memberships"`

	policyIndex map[string]int
	// what the running write changed (see touch)
	touched    map[touchKey]struct{}
	touchedAll bool
}

func (st *state) reindex() {
	st.policyIndex = make(map[string]int, len(st.Policies))
	for i, p := range st.Policies {
		st.policyIndex[str(p["id"])] = i
	}
	if st.Rules == nil {
		st.Rules = map[string][]obj{}
	}
	if st.Mappings == nil {
		st.Mappings = map[string][]string{}
	}
	if st.Memberships == nil {
		st.Memberships = map[string][]string{}
	}
	if st.AppPolicies == nil {
		st.AppPolicies = map[string]string{}
	}
}

func (st *state) policy(id string) obj {
	if i, ok := st.policyIndex[id]; ok && i < len(st.Policies) {
		return st.Policies[i]
	}
	return nil
}

func decodeState(b []byte) (*state, error) {
	var probe struct {
		Format  *string `json:"format"`
		Version int     `json:"version"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("not a sandbox state file (not valid JSON: %v)", err)
	}
	if probe.Format == nil || *probe.Format != stateFormat {
		return nil, fmt.Errorf("not a sandbox state file (no \"format\": %q marker)", stateFormat)
	}
	if probe.Version != stateVersion {
		return nil, fmt.Errorf("sandbox state file version %d is not supported (this build reads version %d)", probe.Version, stateVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	st := &state{}
	if err := dec.Decode(st); err != nil {
		return nil, fmt.Errorf("damaged sandbox state file: %v", err)
	}
	st.reindex()
	return st, nil
}

// decodeNumbers decodes JSON keeping numbers as json.Number, as a state file was always read.
func decodeNumbers(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// maxJSONState caps a version 1 (JSON) state file New reads to migrate.
const maxJSONState = 256 << 20

// openedState is what openStateFile found.
type openedState struct {
	store *store
	st    *state
	// notices are what the user should know (a migration, leftovers removed).
	notices []string
}

// openStateFile opens (creating or migrating when needed) the state file at path. A file that
// is not a sandbox state file, is damaged, or is in use by another sandbox is refused and left
// untouched.
func openStateFile(path string, now time.Time) (*openedState, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("sandbox state: %w", err)
	}
	untouched := func(err error) error {
		return fmt.Errorf("sandbox state %s: %w; the file was left untouched (move it away or pass another --state)", abs, err)
	}
	// Refuse what is not a regular file before anything opens it: /dev/zero or a FIFO would
	// be read forever.
	fi, err := os.Stat(abs)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("sandbox state %s: %w", abs, err)
	}
	if err == nil && !fi.Mode().IsRegular() {
		return nil, untouched(notRegular(fi))
	}
	lock, err := lockStateFile(abs)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			lock.Close()
		}
	}()
	out := &openedState{}
	if n, err := removeLeftovers(abs); err != nil {
		return nil, fmt.Errorf("sandbox state: removing leftover temporary files: %w", err)
	} else if n > 0 {
		out.notices = append(out.notices, fmt.Sprintf("removed %d temporary file(s) an interrupted sandbox left next to %s", n, abs))
	}
	// Stat again under the lock: another sandbox may have created or migrated it meanwhile.
	fi, err = os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := createStore(abs, seedState(now)); err != nil {
			_ = os.Remove(abs)
			return nil, fmt.Errorf("sandbox state %s: %w", abs, err)
		}
	case err != nil:
		return nil, fmt.Errorf("sandbox state %s: %w", abs, err)
	case !fi.Mode().IsRegular():
		return nil, untouched(notRegular(fi))
	default:
		head, err := readHead(abs, 20)
		if err != nil {
			return nil, fmt.Errorf("sandbox state %s: %w", abs, err)
		}
		if !isBoltFile(head) {
			if fi.Size() > maxJSONState {
				return nil, untouched(fmt.Errorf("not a sandbox state file: %d bytes, over the %d MB limit of a version 1 (JSON) state file", fi.Size(), maxJSONState>>20))
			}
			b, err := os.ReadFile(abs)
			if err != nil {
				return nil, fmt.Errorf("sandbox state %s: %w", abs, err)
			}
			st, err := decodeState(b)
			if err == nil {
				err = checkIDs(st)
			}
			if err != nil {
				return nil, untouched(err)
			}
			bak, err := migrateJSONState(abs, st)
			if err != nil {
				return nil, fmt.Errorf("sandbox state %s: migrating from version 1 (JSON): %w; the file was left as it was", abs, err)
			}
			out.notices = append(out.notices, fmt.Sprintf("migrated %s from the version 1 JSON state file to the transactional store; the JSON file was kept as %s", abs, bak))
		}
	}
	st, seqs, err := readBoltState(abs)
	if err != nil {
		return nil, untouched(err)
	}
	s, err := openStore(abs, lock, seqs)
	if err != nil {
		return nil, err
	}
	ok = true
	out.store, out.st = s, st
	return out, nil
}

// notRegular is the refusal of a state path that is not a regular file.
func notRegular(fi os.FileInfo) error {
	kind := "a special file"
	switch m := fi.Mode(); {
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	}
	return fmt.Errorf("not a regular file (%s)", kind)
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, n)
	m, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:m], nil
}

// migrateJSONState replaces the version 1 JSON file at path by a bolt store holding st, keeping
// the JSON file as a backup (hard link, so at every instant path is one whole state file).
// It returns the backup's path.
func migrateJSONState(path string, st *state) (string, error) {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".migrate-"+strconv.Itoa(os.Getpid()))
	_ = os.Remove(tmp)
	if err := createStore(tmp, st); err != nil {
		_ = os.Remove(tmp)
		return "", err
	}
	bak := strings.TrimSuffix(path, ".json") + ".json-v1.bak"
	for i := 2; ; i++ {
		err := os.Link(path, bak)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || i > 100 {
			_ = os.Remove(tmp)
			return "", err
		}
		bak = strings.TrimSuffix(path, ".json") + ".json-v1.bak." + strconv.Itoa(i)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		_ = os.Remove(bak)
		return "", err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return bak, nil
}

// checkIDs refuses a state whose objects lack ids or share them: each object is one record
// under its id, so either would lose objects.
func checkIDs(st *state) error {
	for _, c := range collections {
		if !c.ordered {
			continue
		}
		seen := map[string]bool{}
		var err error
		c.each(st, func(key string, _ any) {
			switch {
			case err != nil:
			case key == "":
				err = fmt.Errorf("damaged sandbox state file: an object in %s has no id", c.name)
			case seen[key]:
				err = fmt.Errorf("damaged sandbox state file: two objects in %s have the id %q", c.name, key)
			}
			seen[key] = true
		})
		if err != nil {
			return err
		}
	}
	for pid, rules := range st.Rules {
		seen := map[string]bool{}
		for _, r := range rules {
			id := str(r["id"])
			if id == "" || seen[id] {
				return fmt.Errorf("damaged sandbox state file: the rules of policy %q have a missing or repeated id", pid)
			}
			seen[id] = true
		}
	}
	return nil
}
