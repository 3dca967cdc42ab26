package cmem

import (
	"fmt"
	"strconv"
	"strings"
)

// sinkTable returns the built-in sinks plus those of the `sinks` setting,
// each NAME:BUF:LEN with 1-based argument positions.
func sinkTable(extra []string) (map[string]sinkSpec, error) {
	out := make(map[string]sinkSpec, len(sinks)+len(extra))
	for name, s := range sinks {
		out[name] = s
	}
	for _, e := range extra {
		parts := strings.Split(strings.TrimSpace(e), ":")
		if len(parts) != 3 || !isIdent(parts[0]) {
			return nil, fmt.Errorf("cmem: sinks setting %q: want NAME:BUF:LEN, such as copy_to_user:2:3", e)
		}
		buf, err1 := strconv.Atoi(parts[1])
		n, err2 := strconv.Atoi(parts[2])
		if err1 != nil || err2 != nil || buf < 1 || n < 1 || buf == n || buf > 64 || n > 64 {
			return nil, fmt.Errorf("cmem: sinks setting %q: BUF and LEN must be distinct argument positions counted from 1", e)
		}
		out[parts[0]] = sinkSpec{buf: buf - 1, n: n - 1, factor: -1, verb: "passed to " + parts[0] + "()"}
	}
	return out, nil
}

func isIdent(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIdentByte(s[i]) {
			return false
		}
	}
	return true
}
