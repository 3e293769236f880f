package okta

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// extraByMap is what unmarshalKeepingExtra kept before it scanned: a decode into a map.
func extraByMap(t *testing.T, b []byte, known map[string]bool) Extra {
	t.Helper()
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatalf("map decode of an object the struct decode accepted: %v", err)
	}
	var out Extra
	for k, v := range all {
		if !known[k] {
			if out == nil {
				out = Extra{}
			}
			out[k] = v
		}
	}
	return out
}

func FuzzUnmarshalKeepingExtra(f *testing.F) {
	f.Add([]byte(`{"id":"rst1","type":"ACCESS_POLICY","name":"A","conditions":null,"x":{"a":[1,{"b":"}"}]},"y":"q\"uote"}`))
	f.Add([]byte(` { "name" : "B" , "\u0061dded" : [ true , false , null , -1.5e3 ] , "n":0 } `))
	f.Add([]byte(`{"_embedded":{"rules":[{"id":"r","name":"R","k":"v"}]},"name":"x","name":"dup"}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Policy
		var plain plainPolicy
		if json.Unmarshal(b, &plain) != nil {
			return // not an object the struct accepts: no members to keep
		}
		if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
			return
		}
		var extra Extra
		if err := unmarshalKeepingExtra(b, &plainPolicy{}, &extra); err != nil {
			var m map[string]json.RawMessage
			if json.Unmarshal(b, &m) == nil {
				t.Fatalf("scan refused %q that decodes as an object: %v", b, err)
			}
			return
		}
		want := extraByMap(t, b, knownKeys(reflect.TypeOf(plainPolicy{})))
		if len(extra) != len(want) {
			t.Fatalf("%q: kept %v, map decode keeps %v", b, extra, want)
		}
		for k, v := range want {
			if !bytes.Equal(extra[k], v) {
				t.Fatalf("%q: member %q kept as %s, map decode %s", b, k, extra[k], v)
			}
		}
		_ = p.UnmarshalJSON(b) // the policy decoder on the same input must not panic
	})
}
