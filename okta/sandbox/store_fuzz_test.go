package sandbox

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	storeImageOnce sync.Once
	storeImage     []byte
)

// validStoreImage is the bytes of a freshly seeded store.
func validStoreImage(t *testing.T) []byte {
	storeImageOnce.Do(func() {
		dir, err := os.MkdirTemp("", "store-image")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "org.json")
		st := seedState(time.Now())
		if err := createStore(path, st); err != nil {
			t.Fatal(err)
		}
		storeImage, _ = os.ReadFile(path)
	})
	return storeImage
}

// FuzzDamagedStoreFile damages a valid store file (a run of bytes at an offset xor'ed with a
// mask, or the file cut short) and opens it. It must never crash: either the file is refused
// and left byte for byte as it was, or it opens (damage where the org keeps nothing) and closes
// cleanly. Seed corpus: testdata/fuzz/FuzzDamagedStoreFile.
func FuzzDamagedStoreFile(f *testing.F) {
	f.Fuzz(func(t *testing.T, offset uint32, mask byte, run uint16, cut bool) {
		image := validStoreImage(t)
		content := bytes.Clone(image)
		at := int(offset) % len(content)
		if cut {
			content = content[:at]
		} else {
			for i := at; i < at+int(run%512)+1 && i < len(content); i++ {
				content[i] ^= mask
			}
		}
		opened := openWrittenState(t, t.TempDir(), content)
		if opened == nil {
			return
		}
		if err := opened.store.close(); err != nil {
			t.Fatalf("closing: %v", err)
		}
	})
}

// openWrittenState writes content as dir/org.json and opens it as the sandbox does. A refusal
// must say the file was left alone and leave its bytes as they were; it returns nil then.
func openWrittenState(t *testing.T, dir string, content []byte) *openedState {
	t.Helper()
	path := filepath.Join(dir, "org.json")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	opened, err := openStateFile(path, time.Now())
	if err != nil {
		if !strings.Contains(err.Error(), "left untouched") && !strings.Contains(err.Error(), "left as it was") {
			t.Fatalf("a refusal should say the file was left alone: %v", err)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(after, content) {
			t.Fatal("a refused state file was modified")
		}
		return nil
	}
	return opened
}
