package okta

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
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
//
// Lists of thousands of policies and rules come through here, so the members are found by
// one scan of the (already validated) object rather than a second decode into a map, and only
// the unknown members are copied.
//
// take, when given, sees each unknown member first and keeps it out of *extra by returning
// true (Policy reads its read-only `_embedded` so, without copying it).
func unmarshalKeepingExtra(b []byte, plain any, extra *Extra, take ...func(key string, value []byte) (bool, error)) error {
	if err := json.Unmarshal(b, plain); err != nil {
		return err
	}
	*extra = nil
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	known := knownKeys(reflect.TypeOf(plain).Elem())
	var takeErr error
	err := eachMember(b, func(key string, value []byte) {
		if known[key] {
			return
		}
		for _, t := range take {
			taken, err := t(key, value)
			if err != nil && takeErr == nil {
				takeErr = err
			}
			if taken {
				return
			}
		}
		if *extra == nil {
			*extra = Extra{}
		}
		(*extra)[key] = json.RawMessage(bytes.Clone(value))
	})
	if err != nil {
		return err
	}
	return takeErr
}

// eachMember calls fn with each member of the JSON object b, in order: the key unescaped and
// the value's bytes (a slice of b). b must be valid JSON (json.Unmarshal accepted it); a value
// that is not an object is an error, as decoding it into a map would be.
func eachMember(b []byte, fn func(key string, value []byte)) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return &json.UnmarshalTypeError{Value: "non-object", Type: reflect.TypeOf(Extra{})}
	}
	i = skipSpace(b, i+1)
	for i < len(b) && b[i] != '}' {
		end := skipString(b, i)
		var key string
		if raw := b[i+1 : end-1]; bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
			key = string(raw)
		} else if err := json.Unmarshal(b[i:end], &key); err != nil {
			return err
		}
		i = skipSpace(b, end)
		i = skipSpace(b, i+1) // past ':'
		vend := skipValue(b, i)
		fn(key, b[i:vend])
		i = skipSpace(b, vend)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i] ('"').
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	// A number, true, false or null: up to the next delimiter.
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	return i
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
