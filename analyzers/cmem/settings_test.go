package cmem

import (
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers/csrc"
)

func TestParseSinks(t *testing.T) {
	cfg, err := ParseSinks([]string{"copy_to_user:2:3", "log_value:2", " log_line:1:string "})
	if err != nil {
		t.Fatal(err)
	}
	want := []csrc.Sink{
		{Name: "copy_to_user", Kind: csrc.BytesSink, Arg: 1, Len: 2},
		{Name: "log_value", Kind: csrc.ValueSink, Arg: 1, Len: -1},
		{Name: "log_line", Kind: csrc.StringSink, Arg: 0, Len: -1},
	}
	if len(cfg.Sinks) != len(want) {
		t.Fatalf("got %+v", cfg.Sinks)
	}
	for i, s := range cfg.Sinks {
		if s != want[i] {
			t.Errorf("sink %d = %+v, want %+v", i, s, want[i])
		}
	}
	for entry, wantErr := range map[string]string{
		"send_all":          "1 parts",
		"a:b:c:d":           "4 parts",
		"2x:1:2":            `"2x" is not a C function name`,
		"f:0:2":             `position "0" is not an argument position`,
		"f:1:x":             `length position "x" is not an argument position`,
		"f:2:2":             "the buffer and its length are the same argument",
		"f:65":              `position "65"`,
		"copy_to_user:2:-3": `length position "-3"`,
	} {
		_, err := ParseSinks([]string{"ok:1", entry})
		if err == nil || !strings.Contains(err.Error(), wantErr) || !strings.Contains(err.Error(), entry) {
			t.Errorf("ParseSinks(%q) error = %v, want one naming the entry and %q", entry, err, wantErr)
		}
	}
}

func TestValidateSetting(t *testing.T) {
	for _, c := range []struct {
		key, value string
		ok         bool
	}{
		{"sinks", "emit:1:2", true}, {"sinks", "emit", false},
		{"defines", "FAST", true}, {"defines", "BUF=32", true}, {"defines", "=3", false}, {"defines", "A B", false},
		{"include-dirs", "vendor/include", true}, {"include-dirs", "/usr/include", false}, {"include-dirs", "../x", false},
	} {
		if err := validateSetting(c.key, c.value); (err == nil) != c.ok {
			t.Errorf("validateSetting(%q, %q) = %v, want ok %v", c.key, c.value, err, c.ok)
		}
	}
}
