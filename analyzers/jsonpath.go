package analyzers

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// MarshalJSON encodes the location with its fields' tags and, when Path
// is not valid UTF-8 (a file name on Linux may be any bytes), "pathBytes":
// the path's bytes in base64, since "path" then holds U+FFFD for each
// invalid byte.
func (l Location) MarshalJSON() ([]byte, error) {
	type plain Location // without this method
	return withPathBytes(plain(l), l.Path)
}

// MarshalJSON encodes the notification as Location.MarshalJSON does its
// location: "pathBytes" holds a path that is not valid UTF-8.
func (n Notification) MarshalJSON() ([]byte, error) {
	type plain Notification
	return withPathBytes(plain(n), n.Path)
}

// withPathBytes encodes the object v, without HTML escapes (the encoder
// that calls a MarshalJSON method applies its own), and adds "pathBytes"
// last when path is not valid UTF-8.
func withPathBytes(v any, path string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	out := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if utf8.ValidString(path) {
		return out, nil
	}
	raw, err := json.Marshal([]byte(path))
	if err != nil {
		return nil, err
	}
	out = append(out[:len(out)-1], `,"pathBytes":`...)
	return append(append(out, raw...), '}'), nil
}
