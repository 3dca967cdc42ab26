package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/residue-sec/residue/analyzers/driver"
)

// version is residue's version; release builds set it with
// -ldflags "-X main.version=v1.2.3".
var version = "0.1.0-dev"

// toolVersion returns version, or the module version when residue was built
// with `go install module@version`.
func toolVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && version == "0.1.0-dev" {
		if v := info.Main.Version; v != "" && v != "(devel)" {
			return v
		}
	}
	return version
}

// revisionNote names the commit residue was built from, when the build
// records it and version v does not: " (rev 0123abc…)", with ", modified"
// for a checkout with changes.
func revisionNote(v string) string {
	rev, modified := driver.Revision()
	if rev == "" || len(rev) >= 12 && strings.Contains(v, rev[:12]) {
		return ""
	}
	if modified {
		return " (rev " + rev + ", modified)"
	}
	return " (rev " + rev + ")"
}

const versionUsage = `Usage: residue version

Print residue's version. Same as 'residue --version'.
`

func versionCmd(args []string, stdout, _ io.Writer) (int, error) {
	fs := newCommand("version", versionUsage, stdout)
	rest, err := fs.parse(args)
	if err != nil {
		return exitError, err
	}
	if len(rest) > 0 {
		return exitError, &usageError{"version takes no arguments"}
	}
	v := toolVersion()
	fmt.Fprintf(stdout, "residue %s%s\n", v, revisionNote(v))
	return exitClean, nil
}
