package config

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// sizeUnits are the units max-file-size accepts, in bytes.
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
}

// ErrSizeTooLarge is ParseSize's error for a size past what an int64
// holds.
var ErrSizeTooLarge = errors.New("too large a size (at most 8 EiB)")

// ParseSize parses a positive size in bytes, as max-file-size and
// --max-file-size take it: digits, optionally followed by a unit
// of sizeUnits (case does not matter, blanks between are allowed).
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(s)
	}
	unit, ok := sizeUnits[strings.ToLower(strings.TrimSpace(s[i:]))]
	if i == 0 || !ok {
		return 0, errors.New("not a size")
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) || err == nil && n > math.MaxInt64/unit:
		return 0, ErrSizeTooLarge
	case err != nil || n <= 0:
		return 0, errors.New("not a positive size")
	}
	return n * unit, nil
}
