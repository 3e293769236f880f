package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/okta-device-wizard/okta-device-wizard/flows"
)

func encoderJSON(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestInventoryJSONIsStreamedAsTheEncoderWritesIt(t *testing.T) {
	e := newInspectEnv(t, "")
	e.seed(t)
	if err := e.srv.SeedLarge(30, 2, 3); err != nil {
		t.Fatal(err)
	}
	inv, err := flows.LoadInventory(context.Background(), e.api, flows.LoadOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{
		"inventory":        inv,
		"filtered to none": inv.Filtered("zzz-matches-nothing"),
		"one kind":         inv.Objects(flows.KindApp, ""),
		"empty kind":       inv.Objects(flows.KindDSC, "zzz"),
		"nil slices":       &flows.Inventory{OrgURL: "https://x <&>", LoadedAt: time.Unix(0, 0).UTC()},
	} {
		var got bytes.Buffer
		if err := writeIndentedJSON(&got, v); err != nil {
			t.Fatal(err)
		}
		if want := encoderJSON(t, v); !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: streamed JSON differs from the encoder's (%d vs %d bytes)\nstreamed: %.300s\nencoder:  %.300s", name, got.Len(), len(want), got.Bytes(), want)
		}
	}
}
