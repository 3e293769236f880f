package cmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strings"
)

// writeIndentedJSON writes v as json.Encoder with SetIndent("", "  ") does, byte for byte, but
// one array element at a time: a large inventory's JSON (15 MB for 10,000 rules) is never
// held whole in memory, twice over, while the inventory still is. A struct's fields (without
// omitempty) and a slice's elements are streamed, one level deep; anything else is encoded
// whole.
func writeIndentedJSON(w io.Writer, v any) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := streamValue(bw, reflect.ValueOf(v), ""); err != nil {
		return err
	}
	if err := bw.WriteByte('\n'); err != nil {
		return err
	}
	return bw.Flush()
}

// streamValue writes rv at nesting prefix (the indentation of the line it starts on).
func streamValue(w *bufio.Writer, rv reflect.Value, prefix string) error {
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			_, err := w.WriteString("null")
			return err
		}
		rv = rv.Elem()
	}
	switch {
	case rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() != reflect.Uint8 && !rv.IsNil():
		return streamSlice(w, rv, prefix)
	case rv.Kind() == reflect.Struct && streamable(rv.Type()):
		return streamStruct(w, rv, prefix)
	}
	return writeWhole(w, rv.Interface(), prefix)
}

// streamable reports whether every exported field of t is encoded under a plain name: then
// its members come out in field order, as the encoder writes them.
func streamable(t reflect.Type) bool {
	if t.Implements(reflect.TypeFor[json.Marshaler]()) || reflect.PointerTo(t).Implements(reflect.TypeFor[json.Marshaler]()) {
		return false
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous || !f.IsExported() {
			if f.Anonymous {
				return false
			}
			continue
		}
		if _, opts, _ := strings.Cut(f.Tag.Get("json"), ","); opts != "" {
			return false
		}
	}
	return true
}

func streamStruct(w *bufio.Writer, rv reflect.Value, prefix string) error {
	t := rv.Type()
	inner := prefix + "  "
	first := true
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if first {
			w.WriteString("{\n")
		} else {
			w.WriteString(",\n")
		}
		first = false
		key, err := json.Marshal(name)
		if err != nil {
			return err
		}
		w.WriteString(inner)
		w.Write(key)
		w.WriteString(": ")
		if err := streamValue(w, rv.Field(i), inner); err != nil {
			return err
		}
	}
	if first {
		_, err := w.WriteString("{}")
		return err
	}
	w.WriteString("\n" + prefix + "}")
	return nil
}

func streamSlice(w *bufio.Writer, rv reflect.Value, prefix string) error {
	if rv.Len() == 0 {
		_, err := w.WriteString("[]")
		return err
	}
	inner := prefix + "  "
	w.WriteString("[\n")
	for i := 0; i < rv.Len(); i++ {
		if i > 0 {
			w.WriteString(",\n")
		}
		w.WriteString(inner)
		if err := writeWhole(w, rv.Index(i).Interface(), inner); err != nil {
			return err
		}
	}
	_, err := w.WriteString("\n" + prefix + "]")
	return err
}

// writeWhole encodes v alone and indents it to sit at prefix.
func writeWhole(w *bufio.Writer, v any, prefix string) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, prefix, "  "); err != nil {
		return err
	}
	_, err = w.Write(out.Bytes())
	return err
}
