package okta

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// Extra holds the JSON members of an Okta object that our structs do not model.
// Okta objects grow fields faster than any client; a read-modify-write must send
// them back unchanged, so every editable type keeps them here.
type Extra map[string]json.RawMessage

var knownKeysCache sync.Map // reflect.Type -> map[string]bool

func knownKeys(t reflect.Type) map[string]bool {
	if v, ok := knownKeysCache.Load(t); ok {
		return v.(map[string]bool)
	}
	keys := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || !t.Field(i).IsExported() {
			continue
		}
		if name == "" {
			name = t.Field(i).Name
		}
		keys[name] = true
	}
	knownKeysCache.Store(t, keys)
	return keys
}

// unmarshalKeepingExtra decodes b into plain (a pointer to a struct type without
// custom JSON methods) and stores every member it does not know in *extra.
func unmarshalKeepingExtra(b []byte, plain any, extra *Extra) error {
	if err := json.Unmarshal(b, plain); err != nil {
		return err
	}
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	known := knownKeys(reflect.TypeOf(plain).Elem())
	*extra = nil
	for k, v := range all {
		if known[k] {
			continue
		}
		if *extra == nil {
			*extra = Extra{}
		}
		(*extra)[k] = v
	}
	return nil
}

// marshalWithExtra encodes plain and adds the members of extra that plain does not set.
func marshalWithExtra(plain any, extra Extra) ([]byte, error) {
	b, err := json.Marshal(plain)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	known := knownKeys(reflect.TypeOf(plain))
	for k, v := range extra {
		if _, set := all[k]; set || known[k] {
			continue
		}
		all[k] = v
	}
	return json.Marshal(all)
}
