package cmem

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers/csrc"
)

// sinkForms is how the sinks setting's entries are written, for errors.
const sinkForms = "NAME:BUF:LEN (a buffer and its byte count, copy_to_user:2:3), NAME:ARG (a value, log_value:2) or NAME:ARG:string (a NUL-terminated string, log_line:1:string), positions counted from 1"

// maxArg bounds argument positions.
const maxArg = 64

// ParseSinks reads the sinks setting: each entry names a function and
// what of its arguments leaves the process. It returns the configuration
// the entries make, or an error that names the first malformed entry and
// what is wrong with it.
func ParseSinks(entries []string) (csrc.Config, error) {
	var cfg csrc.Config
	for _, e := range entries {
		s, err := parseSink(e)
		if err != nil {
			return csrc.Config{}, err
		}
		cfg.Sinks = append(cfg.Sinks, s)
	}
	return cfg, nil
}

func parseSink(entry string) (csrc.Sink, error) {
	bad := func(format string, args ...any) (csrc.Sink, error) {
		return csrc.Sink{}, fmt.Errorf("cmem: sinks setting %q: %s; want %s", entry, fmt.Sprintf(format, args...), sinkForms)
	}
	parts := strings.Split(strings.TrimSpace(entry), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return bad("%d parts separated by ':'", len(parts))
	}
	if !isIdent(parts[0]) {
		return bad("%q is not a C function name", parts[0])
	}
	pos := func(s, what string) (int, error) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxArg {
			return 0, fmt.Errorf("%s %q is not an argument position from 1 to %d", what, s, maxArg)
		}
		return n - 1, nil
	}
	arg, err := pos(parts[1], "position")
	if err != nil {
		return bad("%v", err)
	}
	s := csrc.Sink{Name: parts[0], Kind: csrc.ValueSink, Arg: arg, Len: -1}
	if len(parts) == 2 {
		return s, nil
	}
	if parts[2] == "string" {
		s.Kind = csrc.StringSink
		return s, nil
	}
	n, err := pos(parts[2], "length position")
	if err != nil {
		return bad("%v", err)
	}
	if n == arg {
		return bad("the buffer and its length are the same argument")
	}
	s.Kind, s.Len = csrc.BytesSink, n
	return s, nil
}

// validateSetting checks one value of one of the analyzer's settings, as
// the configuration is loaded: a malformed sink, define or include folder
// is an error there, with the file and line, rather than in every file's
// Check.
func validateSetting(key, value string) error {
	switch key {
	case "sinks":
		_, err := parseSink(value)
		return err
	case csrc.SettingDefines:
		name, _, _ := strings.Cut(value, "=")
		if !isIdent(strings.TrimSpace(name)) {
			return fmt.Errorf("cmem: defines setting %q: want NAME or NAME=VALUE, NAME a C identifier", value)
		}
	case csrc.SettingIncludeDirs:
		v := strings.TrimSpace(value)
		if v == "" || strings.HasPrefix(v, "/") || v == ".." || strings.HasPrefix(v, "../") {
			return fmt.Errorf("cmem: include-dirs setting %q: want a folder relative to the repository root, inside it", value)
		}
	}
	return nil
}

func isIdent(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
