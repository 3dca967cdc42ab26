package cmem

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers/csrc"
)

// ParseSinks reads the `sinks` setting: each entry NAME:BUF:LEN, the
// 1-based positions of the buffer argument and of its byte count. It
// returns the configuration they make, or an error naming the first
// malformed entry.
func ParseSinks(entries []string) (csrc.Config, error) {
	var cfg csrc.Config
	for _, e := range entries {
		parts := strings.Split(strings.TrimSpace(e), ":")
		if len(parts) != 3 || !isIdent(parts[0]) {
			return csrc.Config{}, fmt.Errorf("cmem: sinks setting %q: want NAME:BUF:LEN, such as copy_to_user:2:3", e)
		}
		buf, err1 := strconv.Atoi(parts[1])
		n, err2 := strconv.Atoi(parts[2])
		if err1 != nil || err2 != nil || buf < 1 || n < 1 || buf == n || buf > 64 || n > 64 {
			return csrc.Config{}, fmt.Errorf("cmem: sinks setting %q: BUF and LEN must be distinct argument positions counted from 1", e)
		}
		cfg.Sinks = append(cfg.Sinks, csrc.Sink{Name: parts[0], Buf: buf - 1, Len: n - 1})
	}
	return cfg, nil
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
