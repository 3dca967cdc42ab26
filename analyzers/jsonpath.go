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
	if utf8.ValidString(l.Path) {
		return marshalJSON(plain(l))
	}
	return marshalJSON(struct {
		plain
		PathBytes []byte `json:"pathBytes"`
	}{plain(l), []byte(l.Path)})
}

// MarshalJSON encodes the notification as Location.MarshalJSON does its
// location: "pathBytes" holds a path that is not valid UTF-8.
func (n Notification) MarshalJSON() ([]byte, error) {
	type plain Notification
	if utf8.ValidString(n.Path) {
		return marshalJSON(plain(n))
	}
	return marshalJSON(struct {
		plain
		PathBytes []byte `json:"pathBytes"`
	}{plain(n), []byte(n.Path)})
}

// marshalJSON is json.Marshal without HTML escapes: the encoder that
// calls a MarshalJSON method applies its own.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
