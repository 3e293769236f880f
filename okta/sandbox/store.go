package sandbox

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The sandbox keeps its org in go.etcd.io/bbolt, the store etcd is built on: one file holding a
// copy-on-write B+tree, each transaction fsync'd before it is acknowledged (so a write survives
// kill -9 and power loss, and a crash mid-write leaves the previous state), one writer and
// many readers, and an exclusive file lock. A write stores only the records it touched, so its
// cost does not grow with the org, unlike rewriting one JSON document.
//
// Layout: a "meta" bucket (format marker, version, org name, admin) and one bucket per
// collection (see collections), one record per object: an 8-byte big-endian sequence number
// (creation order) followed by the object's JSON.

const (
	// storeVersion is the version of the bolt layout; stateVersion (1) was the JSON file.
	storeVersion = 2
	metaBucket   = "meta"
	// lockWait is how long New waits for another sandbox to release the state file before
	// refusing it.
	lockWait = 500 * time.Millisecond
)

// boltMagic is the magic number of a bolt meta page, at offset 16 of the file.
const boltMagic = 0xED0CDAED

// record is one object a write saves (value nil: delete it).
type record struct {
	collection, key string
	value           []byte
}

// store is the open state file.
type store struct {
	path string
	db   *bolt.DB
	lock *os.File
	// ino/dev identify the file we opened, to refuse writes once it was removed or replaced.
	ino, dev uint64

	// seqs numbers the objects of ordered collections; only changed under Server.mu.
	seqs    map[string]map[string]uint64
	nextSeq map[string]uint64

	commit committer
}

// boltOptions: the freelist is rebuilt at open rather than written on every commit, which
// keeps a commit to the pages it changed.
func boltOptions(readOnly bool) *bolt.Options {
	return &bolt.Options{Timeout: lockWait, ReadOnly: readOnly, NoFreelistSync: true, FreelistType: bolt.FreelistMapType}
}

// lockStateFile takes the sibling lock file FILE.lock for the lifetime of the server and writes
// our pid in it; a second sandbox on the same file is refused naming the first one's pid.
func lockStateFile(path string) (*os.File, error) {
	lf, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sandbox state lock: %w", err)
	}
	deadline := time.Now().Add(lockWait)
	for {
		err = syscall.Flock(int(lf.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			lf.Close()
			return nil, fmt.Errorf("sandbox state lock %s: %w", path+".lock", err)
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 32)
			n, _ := lf.ReadAt(buf, 0)
			lf.Close()
			who := "another sandbox"
			if pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n]))); err == nil && pid > 0 {
				who = fmt.Sprintf("another sandbox (pid %d)", pid)
			}
			return nil, fmt.Errorf("sandbox state %s is in use by %s; stop it, or use another state file (--state, or --state-dir for the wizard)", path, who)
		}
		time.Sleep(25 * time.Millisecond)
	}
	pid := []byte(strconv.Itoa(os.Getpid()) + "\n")
	if _, err := lf.WriteAt(pid, 0); err == nil {
		_ = lf.Truncate(int64(len(pid)))
	}
	return lf, nil
}

// isBoltFile reports whether head (the file's first bytes) is a bolt database.
func isBoltFile(head []byte) bool {
	return len(head) >= 20 && binary.LittleEndian.Uint32(head[16:20]) == boltMagic
}

func fileID(fi os.FileInfo) (ino, dev uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino, uint64(st.Dev)
	}
	return 0, 0
}

// readBoltState reads a bolt state file read-only (so a damaged or foreign one is not
// modified) into a state, with the sequence numbers of its records.
func readBoltState(path string) (st *state, seqs map[string]map[string]uint64, err error) {
	db, err := bolt.Open(path, 0o600, boltOptions(true))
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, nil, fmt.Errorf("in use by another program")
		}
		return nil, nil, fmt.Errorf("damaged sandbox state file: %v", err)
	}
	defer db.Close()
	// bolt trusts its pages: a damaged one can make it panic, or read past the mapped file
	// (a fault, made a recoverable panic here), while reading.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			st, seqs, err = nil, nil, fmt.Errorf("damaged sandbox state file: %v", r)
		}
	}()
	err = db.View(func(tx *bolt.Tx) error {
		var err error
		st, seqs, err = loadState(tx)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return st, seqs, nil
}

// loadState decodes the whole store.
func loadState(tx *bolt.Tx) (*state, map[string]map[string]uint64, error) {
	st := &state{Rules: map[string][]obj{}, Mappings: map[string][]string{}}
	seqs := map[string]map[string]uint64{}
	err := func() error {
		meta := tx.Bucket([]byte(metaBucket))
		if meta == nil || string(meta.Get([]byte("format"))) != stateFormat {
			return fmt.Errorf("not a sandbox state file (a bolt database without the sandbox's %q marker)", stateFormat)
		}
		if v := string(meta.Get([]byte("version"))); v != strconv.Itoa(storeVersion) {
			return fmt.Errorf("sandbox state file version %s is not supported (this build reads version %d)", v, storeVersion)
		}
		var org struct {
			OrgName string `json:"orgName"`
			Admin   admin  `json:"admin"`
		}
		if err := json.Unmarshal(meta.Get([]byte("org")), &org); err != nil {
			return fmt.Errorf("damaged sandbox state file: org: %v", err)
		}
		st.Format, st.Version, st.OrgName, st.Admin = stateFormat, stateVersion, org.OrgName, org.Admin
		for _, c := range collections {
			var recs []storedRecord
			if b := tx.Bucket([]byte(c.name)); b != nil {
				err := b.ForEach(func(k, v []byte) error {
					if len(v) < 8 {
						return fmt.Errorf("damaged sandbox state file: %s record %q is truncated", c.name, k)
					}
					recs = append(recs, storedRecord{key: string(k), seq: binary.BigEndian.Uint64(v[:8]), value: v[8:]})
					return nil
				})
				if err != nil {
					return err
				}
			}
			if err := c.restore(st, recs); err != nil {
				return fmt.Errorf("damaged sandbox state file: %v", err)
			}
			if c.ordered {
				m := make(map[string]uint64, len(recs))
				for _, r := range recs {
					m[r.key] = r.seq
				}
				seqs[c.name] = m
			}
		}
		return nil
	}()
	if err != nil {
		return nil, nil, err
	}
	st.reindex()
	return st, seqs, nil
}

// openStore opens the bolt state file at path read-write (the caller holds the lock file).
func openStore(path string, lock *os.File, seqs map[string]map[string]uint64) (*store, error) {
	db, err := bolt.Open(path, 0o600, boltOptions(false))
	if err != nil {
		return nil, fmt.Errorf("sandbox state %s: %w", path, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sandbox state %s: %w", path, err)
	}
	s := &store{path: path, db: db, lock: lock, seqs: seqs, nextSeq: map[string]uint64{}}
	s.ino, s.dev = fileID(fi)
	for _, c := range collections {
		if !c.ordered {
			continue
		}
		if s.seqs[c.name] == nil {
			s.seqs[c.name] = map[string]uint64{}
		}
		for _, q := range s.seqs[c.name] {
			if q >= s.nextSeq[c.name] {
				s.nextSeq[c.name] = q + 1
			}
		}
	}
	s.commit.write = s.writeRecords
	return s, nil
}

// createStore writes st whole into a new bolt file at path (which must not exist), fsync'd.
func createStore(path string, st *state) error {
	db, err := bolt.Open(path, 0o600, boltOptions(false))
	if err != nil {
		return err
	}
	s := &store{db: db, seqs: map[string]map[string]uint64{}, nextSeq: map[string]uint64{}}
	recs, err := s.records(st, nil, true)
	if err == nil {
		err = s.writeAll(recs, st)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// records encodes what a write touched (every object when all), assigning sequence numbers to
// new objects of ordered collections in their slice order. Called under Server.mu.
func (s *store) records(st *state, touched map[touchKey]struct{}, all bool) ([]record, error) {
	var recs []record
	encode := func(c *collection, key string, v any, seq uint64) error {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encoding %s %q: %v", c.name, key, err)
		}
		buf := make([]byte, 8, 8+len(b))
		binary.BigEndian.PutUint64(buf, seq)
		recs = append(recs, record{collection: c.name, key: key, value: append(buf, b...)})
		return nil
	}
	if all {
		for _, c := range collections {
			var err error
			seqs := map[string]uint64{}
			var n uint64
			c.each(st, func(key string, v any) {
				if err == nil {
					seqs[key] = n
					err = encode(c, key, v, n)
					n++
				}
			})
			if err != nil {
				return nil, err
			}
			if c.ordered {
				s.seqs[c.name], s.nextSeq[c.name] = seqs, n
			}
		}
		return recs, nil
	}
	type fresh struct {
		c   *collection
		key string
		v   any
		pos int
	}
	var news []fresh
	for k := range touched {
		c := collectionNamed(k.collection)
		if c == nil {
			return nil, fmt.Errorf("write touched unknown collection %q", k.collection)
		}
		v, pos, ok := c.get(st, k.key)
		if !ok {
			if c.ordered {
				delete(s.seqs[c.name], k.key)
			}
			recs = append(recs, record{collection: c.name, key: k.key})
			continue
		}
		seq, known := uint64(0), true
		if c.ordered {
			seq, known = s.seqs[c.name][k.key]
		}
		if !known {
			news = append(news, fresh{c, k.key, v, pos})
			continue
		}
		if err := encode(c, k.key, v, seq); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(news, func(a, b fresh) int {
		if a.c != b.c {
			return strings.Compare(a.c.name, b.c.name)
		}
		return a.pos - b.pos
	})
	for _, f := range news {
		seq := s.nextSeq[f.c.name]
		s.nextSeq[f.c.name] = seq + 1
		s.seqs[f.c.name][f.key] = seq
		if err := encode(f.c, f.key, f.v, seq); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// writeAll replaces the whole store with recs (every object of st) and its meta.
func (s *store) writeAll(recs []record, st *state) error {
	org, err := json.Marshal(struct {
		OrgName string `json:"orgName"`
		Admin   admin  `json:"admin"`
	}{st.OrgName, st.Admin})
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range append([]string{metaBucket}, collectionNames()...) {
			if tx.Bucket([]byte(name)) != nil {
				if err := tx.DeleteBucket([]byte(name)); err != nil {
					return err
				}
			}
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		meta := tx.Bucket([]byte(metaBucket))
		for k, v := range map[string][]byte{"format": []byte(stateFormat), "version": []byte(strconv.Itoa(storeVersion)), "org": org} {
			if err := meta.Put([]byte(k), v); err != nil {
				return err
			}
		}
		return putRecords(tx, recs)
	})
}

func collectionNames() []string {
	names := make([]string, len(collections))
	for i, c := range collections {
		names[i] = c.name
	}
	return names
}

func putRecords(tx *bolt.Tx, recs []record) error {
	if len(recs) > 64 {
		// In key order bolt fills pages one after another instead of splitting them at random
		// (seeding, migration); stable, so the newest record of a key is still written last.
		recs = slices.Clone(recs)
		slices.SortStableFunc(recs, func(a, b record) int {
			if c := strings.Compare(a.collection, b.collection); c != 0 {
				return c
			}
			return strings.Compare(a.key, b.key)
		})
	}
	for _, r := range recs {
		b, err := tx.CreateBucketIfNotExists([]byte(r.collection))
		if err != nil {
			return err
		}
		if r.value == nil {
			err = b.Delete([]byte(r.key))
		} else {
			err = b.Put([]byte(r.key), r.value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeRecords commits recs in one fsync'd transaction, unless the state file was removed or
// replaced since we opened it (a write to the old file would be acknowledged and then lost).
func (s *store) writeRecords(recs []record) error {
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("state file %s: %v (removed while the sandbox ran? restart it)", s.path, err)
	}
	if ino, dev := fileID(fi); ino != s.ino || dev != s.dev {
		return fmt.Errorf("state file %s was replaced while the sandbox ran; it was left untouched (restart the sandbox)", s.path)
	}
	return s.db.Update(func(tx *bolt.Tx) error { return putRecords(tx, recs) })
}

func (s *store) close() error {
	s.commit.drain()
	err := s.db.Close()
	if s.lock != nil {
		_ = s.lock.Truncate(0)
		if cerr := s.lock.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// committer groups the records of concurrent writes into one transaction (group commit): a
// write queues its records in the open batch and waits; the first waiter finding no commit
// running commits the whole batch. Batches are committed in the order they were queued, and
// records within one in the order of the writes, so the newest version of an object wins.
type committer struct {
	write func([]record) error

	mu      sync.Mutex
	cond    *sync.Cond
	open    *batch
	running bool
}

type batch struct {
	recs []record
	done bool
	err  error
}

// enqueue adds recs to the open batch; called under Server.mu so batches follow write order.
func (c *committer) enqueue(recs []record) *batch {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cond == nil {
		c.cond = sync.NewCond(&c.mu)
	}
	if c.open == nil {
		c.open = &batch{}
	}
	c.open.recs = append(c.open.recs, recs...)
	return c.open
}

// wait returns once b is committed, committing it (and what joined it) when no commit runs.
func (c *committer) wait(b *batch) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for !b.done {
		if c.running {
			c.cond.Wait()
			continue
		}
		cur := c.open
		c.open, c.running = nil, true
		c.mu.Unlock()
		err := c.write(cur.recs)
		c.mu.Lock()
		cur.done, cur.err, c.running = true, err, false
		c.cond.Broadcast()
	}
	return b.err
}

// drain waits for the batch being committed and commits the open one.
func (c *committer) drain() {
	c.mu.Lock()
	b := c.open
	for c.running {
		c.cond.Wait()
	}
	c.mu.Unlock()
	if b != nil {
		_ = c.wait(b)
	}
}

// removeLeftovers deletes temporary files a crash left next to the state file: the JSON
// store's atomic-save files and interrupted migrations.
func removeLeftovers(path string) (int, error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	n := 0
	for _, pattern := range []string{"." + base + ".tmp-*", "." + base + ".migrate-*"} {
		matches, err := filepath.Glob(filepath.Join(dir, globEscape(pattern)))
		if err != nil {
			return n, err
		}
		for _, m := range matches {
			if err := os.Remove(m); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// globEscape escapes glob metacharacters of a file name pattern except its trailing "*".
func globEscape(pattern string) string {
	stem := strings.TrimSuffix(pattern, "*")
	var b strings.Builder
	for _, r := range stem {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String() + "*"
}

// verifyStore makes every write compare the store with memory (tests set it): a handler that
// changes an object without touching it then fails its own test.
var verifyStore = false

// verifyStoreMatchesMemory compares every collection in the store with memory (small orgs
// only: it reads the whole store). Called under Server.mu with no commit pending.
func (s *Server) verifyStoreMatchesMemory() error {
	if s.st.objectCount()+len(s.st.Logs) > 3000 {
		return nil
	}
	return s.store.db.View(func(tx *bolt.Tx) error {
		disk, _, err := loadState(tx)
		if err != nil {
			return err
		}
		return sameState(s.st, disk)
	})
}

// sameState reports the first difference between two states' collections and org.
func sameState(a, b *state) error {
	if a.OrgName != b.OrgName || a.Admin != b.Admin {
		return fmt.Errorf("store differs from memory: org %q/%v vs %q/%v", a.OrgName, a.Admin, b.OrgName, b.Admin)
	}
	// The whole org too, so an object kept outside every collection (not saved) is noticed.
	if wa, wb := topLevelJSON(a), topLevelJSON(b); wa != wb {
		return fmt.Errorf("store differs from memory: the org holds something no collection saves (register it in collections): memory %.300s, stored %.300s", wa, wb)
	}
	for _, c := range collections {
		ea, eb := encodedCollection(c, a), encodedCollection(c, b)
		if len(ea) != len(eb) {
			return fmt.Errorf("store differs from memory: %s has %d objects in memory, %d stored", c.name, len(ea), len(eb))
		}
		for i := range ea {
			if ea[i] != eb[i] {
				return fmt.Errorf("store differs from memory: %s object %d: memory %.300s, stored %.300s", c.name, i, ea[i], eb[i])
			}
		}
	}
	return nil
}

func encodedCollection(c *collection, st *state) []string {
	var out []string
	c.each(st, func(key string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			b = []byte(err.Error())
		}
		out = append(out, key+"="+string(b))
	})
	return out
}

// topLevelJSON is st as JSON with its empty top-level members (null, [], {}) left out, which
// the store does not tell apart.
func topLevelJSON(st *state) string {
	b, _ := json.Marshal(st)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	for k, v := range m {
		switch string(v) {
		case "null", "[]", "{}":
			delete(m, k)
		}
	}
	out, _ := json.Marshal(m)
	return string(out)
}
