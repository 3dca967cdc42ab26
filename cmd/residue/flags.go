package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers/config"
	"github.com/residue-sec/residue/analyzers/driver"
	"github.com/residue-sec/residue/analyzers/spell"
)

// errHelp reports that --help was shown; the command exits 0.
var errHelp = errors.New("help shown")

// listFlag is a repeatable string flag; values may also be comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// sizeFlag is a size in bytes, given as the configuration's max-file-size
// is: digits, optionally with a unit (512KiB, 2MiB, 10MB).
type sizeFlag int64

// String writes the size as the README and the configuration do: in MiB
// or KiB when it is a whole number of them (the help's default, 5MiB).
func (s *sizeFlag) String() string {
	switch n := int64(*s); {
	case n > 0 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	case n > 0 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "KiB"
	default:
		return strconv.FormatInt(n, 10)
	}
}

func (s *sizeFlag) Set(v string) error {
	n, err := config.ParseSize(v)
	switch {
	case errors.Is(err, config.ErrSizeTooLarge):
		return err
	case err != nil:
		return errors.New("want a positive number of bytes, optionally with a unit (512KiB, 2MiB, 10MB)")
	}
	*s = sizeFlag(n)
	return nil
}

// A command is a subcommand's flag set with its usage text.
type command struct {
	*flag.FlagSet
	usage  string
	stdout io.Writer
}

// newCommand returns a command whose flag set reports errors to the caller
// instead of printing them: only --help prints, once, to stdout.
func newCommand(name, usage string, stdout io.Writer) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &command{FlagSet: fs, usage: usage, stdout: stdout}
}

// emptyFlag returns a usage error for the first of the flags names given
// an empty value: a path or revision from an unset variable in a CI
// script ("-o $OUT") must not send the report elsewhere, or report every
// finding as new.
func (c *command) emptyFlag(names ...string) error {
	var err error
	c.Visit(func(f *flag.Flag) {
		if err == nil && slices.Contains(names, f.Name) && f.Value.String() == "" {
			err = &usageError{fmt.Sprintf("%s is empty (an unset variable?): give a value or leave the flag out", dashed(f.Name))}
		}
	})
	return err
}

// printUsage prints the usage text and the flags to stdout, each as
// the documentation writes it: --name, or -x for a one-letter flag.
func (c *command) printUsage() {
	fmt.Fprint(c.stdout, c.usage)
	first := true
	c.VisitAll(func(f *flag.Flag) {
		if first {
			fmt.Fprintln(c.stdout, "\nFlags:")
			first = false
		}
		arg, usage := flag.UnquoteUsage(f)
		line := "  " + dashed(f.Name)
		if arg != "" {
			line += " " + arg
		}
		switch f.DefValue {
		case "", "false", "0", "[]":
		default:
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(c.stdout, "%s\n    \t%s\n", line, strings.ReplaceAll(usage, "\n", "\n    \t"))
	})
}

// dashed writes a flag's name as the documentation does: --name, or -x
// for a one-letter flag.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// closestFlag returns ": did you mean --x?" for the flag one or two edits
// away from name (a typo: --fromat), "" when none is.
func (c *command) closestFlag(name string) string {
	var names []string
	c.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if best := spell.Closest(name, names); best != "" {
		return "; did you mean " + dashed(best) + "?"
	}
	return ""
}

// flagInMessage matches a flag named in a message of Go's flag package
// ("flag needs an argument: -diff-base"), which writes every flag with
// one dash.
var flagInMessage = regexp.MustCompile(`(^|[ :])-([A-Za-z0-9][A-Za-z0-9-]*)`)

// dashedNames rewrites the flags a message of Go's flag package names as
// the help and the README write them (--diff-base, -o).
func (c *command) dashedNames(msg string) string {
	return flagInMessage.ReplaceAllStringFunc(msg, func(m string) string {
		i := strings.IndexByte(m, '-')
		if name := m[i+1:]; c.Lookup(name) != nil {
			return m[:i] + dashed(name)
		}
		return m
	})
}

// parse parses flags that may come before, between or after the positional
// arguments, which it returns; everything after "--" is positional.
func (c *command) parse(args []string) ([]string, error) {
	args = c.dashedFiles(args)
	var positional []string
	for {
		if err := c.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.printUsage()
				return nil, errHelp
			}
			if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: "); ok {
				if name = strings.TrimLeft(name, "-"); strings.ContainsAny(name, "./") {
					return nil, &usageError{fmt.Sprintf("unknown flag -%s; for a file of that name, write ./-%s", name, name)}
				}
				return nil, &usageError{"unknown flag " + dashed(name) + c.closestFlag(name)}
			}
			return nil, &usageError{c.dashedNames(err.Error())}
		}
		rest := c.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// dashedFiles returns args with each argument that would be read as an
// unknown flag but names a file written as a path ("./-x.py"): pre-commit
// passes the staged files after the hook's flags, and a file whose name
// starts with "-" failed every commit. What follows "--" and the values
// of flags are left as they are.
func (c *command) dashedFiles(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) < 2 || a[0] != '-' {
			out = append(out, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "h" || name == "help" {
			out = append(out, a)
			continue
		}
		if f := c.Lookup(name); f != nil {
			out = append(out, a)
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !hasValue && !(ok && b.IsBoolFlag()) && i+1 < len(args) {
				i++
				out = append(out, args[i]) // the flag's value
			}
			continue
		}
		if _, err := os.Lstat(a); err == nil {
			a = "." + string(filepath.Separator) + a
		}
		out = append(out, a)
	}
	return out
}

// shardFlag is --shard K/N, stored as a 0-based driver shard.
type shardFlag driver.Shard

func (s *shardFlag) String() string {
	if s.Count == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index+1, s.Count)
}

// maxShards bounds N in --shard K/N: far more jobs than a CI matrix runs,
// and few enough that merge can list the shards missing.
const maxShards = 65536

func (s *shardFlag) Set(v string) error {
	var k, n int
	if _, err := fmt.Sscanf(v, "%d/%d", &k, &n); err != nil || n < 1 || k < 1 || k > n || fmt.Sprintf("%d/%d", k, n) != v {
		return fmt.Errorf("want K/N with 1 ≤ K ≤ N, such as 2/4")
	}
	if n > maxShards {
		return fmt.Errorf("want N at most %d", maxShards)
	}
	s.Index, s.Count = k-1, n
	return nil
}
