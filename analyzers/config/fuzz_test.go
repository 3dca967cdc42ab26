package config

import (
	"errors"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the configuration parser: it must
// return a Config or errors located in the file, never panic.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"exclude: [a]\n", "rules: {disable: [test/leak], severity: {test: note}}\n",
		"analyzers: {logging: {sanitizers: [x]}}\n", "max-file-size: 5MiB\n",
		"a: &x [1]\nexclude: *x\n", "<<: {exclude: [a]}\n", "- 1\n", "{", "exclude: [[[[\n", "\xff\xfe",
	} {
		f.Add([]byte(seed))
	}
	k := known()
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("f.yml", data, k)
		if err == nil && c == nil {
			t.Fatal("no Config and no error")
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != "f.yml" {
				t.Fatalf("error %v is not a located config.Error", err)
			}
		}
	})
}
