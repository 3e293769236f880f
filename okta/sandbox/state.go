package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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

// state is the whole org. It is saved as one JSON document.
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

	policyIndex map[string]int
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

// fileStore keeps the state in a JSON file. Every request takes an exclusive flock on a
// sibling lock file (the state file itself is replaced by rename, so it cannot carry the
// lock), reloads the state when another process changed the file, and saves atomically.
type fileStore struct {
	path     string
	lockPath string
	lockFile *os.File
	// what we last read or wrote, to notice changes made by another process
	loadedIno   uint64
	loadedSize  int64
	loadedMtime int64
	// generation counts saves; it lives in the lock file and is only written under the lock,
	// so a change is noticed even when a new file happens to reuse an inode, size and mtime.
	generation uint64
}

func (fs *fileStore) readGeneration() uint64 {
	buf := make([]byte, 32)
	n, _ := fs.lockFile.ReadAt(buf, 0)
	g, _ := strconv.ParseUint(strings.TrimSpace(string(buf[:n])), 10, 64)
	return g
}

func (fs *fileStore) writeGeneration(g uint64) {
	b := []byte(strconv.FormatUint(g, 10) + "\n")
	if _, err := fs.lockFile.WriteAt(b, 0); err == nil {
		_ = fs.lockFile.Truncate(int64(len(b)))
	}
}

func newFileStore(path string) (*fileStore, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("sandbox state: %w", err)
	}
	lf, err := os.OpenFile(abs+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sandbox state lock: %w", err)
	}
	return &fileStore{path: abs, lockPath: abs + ".lock", lockFile: lf}, nil
}

func (fs *fileStore) lock() error {
	for {
		err := syscall.Flock(int(fs.lockFile.Fd()), syscall.LOCK_EX)
		if err == nil || !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

func (fs *fileStore) unlock() {
	_ = syscall.Flock(int(fs.lockFile.Fd()), syscall.LOCK_UN)
}

func (fs *fileStore) close() error { return fs.lockFile.Close() }

// changed reports whether the file differs from what we last loaded or saved.
func (fs *fileStore) changed() (bool, error) {
	fi, err := os.Stat(fs.path)
	if errors.Is(err, errNotExist) {
		return fs.loadedIno != 0, nil
	}
	if err != nil {
		return false, err
	}
	ino, size, mtime := fileIdentity(fi)
	return ino != fs.loadedIno || size != fs.loadedSize || mtime != fs.loadedMtime || fs.readGeneration() != fs.generation, nil
}

var errNotExist = fs.ErrNotExist

func fileIdentity(fi os.FileInfo) (ino uint64, size int64, mtime int64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = st.Ino
	}
	return ino, fi.Size(), fi.ModTime().UnixNano()
}

func (fs *fileStore) remember() {
	if fi, err := os.Stat(fs.path); err == nil {
		fs.loadedIno, fs.loadedSize, fs.loadedMtime = fileIdentity(fi)
	}
	fs.generation = fs.readGeneration()
}

// load reads the state; (nil, nil) when the file does not exist.
func (fs *fileStore) load() (*state, error) {
	b, err := os.ReadFile(fs.path)
	if errors.Is(err, errNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox state %s: %w", fs.path, err)
	}
	st, err := decodeState(b)
	if err != nil {
		return nil, fmt.Errorf("sandbox state %s: %w; the file was left untouched (move it away or pass another --state)", fs.path, err)
	}
	fs.remember()
	return st, nil
}

// save writes the state atomically: temp file in the same directory, fsync, rename, fsync dir.
func (fs *fileStore) save(st *state) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	dir := filepath.Dir(fs.path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(fs.path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("sandbox state: %w", err)
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = os.Remove(tmpName)
		}
	}()
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("sandbox state: %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("sandbox state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sandbox state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("sandbox state: %w", err)
	}
	if err := os.Rename(tmpName, fs.path); err != nil {
		return fmt.Errorf("sandbox state: %w", err)
	}
	ok = true
	fs.writeGeneration(fs.readGeneration() + 1)
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	fs.remember()
	return nil
}
