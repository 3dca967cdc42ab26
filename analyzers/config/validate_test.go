package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
)

// TestOneDocument rejects a second YAML document, which would otherwise
// be ignored without a word.
func TestOneDocument(t *testing.T) {
	for src, at := range map[string]string{"exclude: [a]\n---\nexclude: [b]\n": "x.yml:2:1", "---\nexclude: [a]\n---\n": "x.yml:3:1"} {
		_, err := Parse("x.yml", []byte(src), known())
		if want := at + ": a configuration file holds one YAML document; a second one starts here"; err == nil || err.Error() != want {
			t.Errorf("%q: err = %v, want %s", src, err, want)
		}
	}
	if _, err := Parse("x.yml", []byte("---\nexclude: [a]\n...\n"), known()); err != nil {
		t.Errorf("one document with markers: %v", err)
	}
}

// TestSettingValues checks each setting value with the analyzer's
// ValidateSetting and reports a bad one at its line and column.
func TestSettingValues(t *testing.T) {
	checked := &analyzers.Analyzer{
		Name:        "checked",
		SettingKeys: map[string]string{"sinks": "NAME:N"},
		ValidateSetting: func(key, value string) error {
			if !strings.Contains(value, ":") {
				return fmt.Errorf("%s %q: want NAME:N", key, value)
			}
			return nil
		},
	}
	k := known()
	k.Analyzers = append(k.Analyzers, checked)
	src := "analyzers:\n  checked:\n    sinks:\n      - send:2\n      - recv\n"
	_, err := Parse("x.yml", []byte(src), k)
	if err == nil || err.Error() != `x.yml:5:9: analyzers.checked.sinks: sinks "recv": want NAME:N` {
		t.Errorf("err = %v", err)
	}
	if _, err := Parse("x.yml", []byte("analyzers:\n  checked:\n    sinks: [send:2]\n"), k); err != nil {
		t.Errorf("a good value: %v", err)
	}
}
