package main

import (
	"fmt"
	"io"
	"runtime/debug"
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
	fmt.Fprintf(stdout, "residue %s\n", toolVersion())
	return exitClean, nil
}
