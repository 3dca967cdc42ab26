package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/residue-sec/residue/analyzers/config"
)

const initUsage = `Usage: residue init [--force] [DIR]

Write a starter configuration file, DIR/.residue.yml (DIR defaults to the
current directory; the repository root is the usual place). Every key is
there, commented out and explained, so the file changes nothing until you
uncomment a line. An existing file is kept unless --force.

Examples:
  residue init
  residue init --force ..
`

func initCmd(args []string, stdout, _ io.Writer) (int, error) {
	fs := newCommand("init", initUsage, stdout)
	force := fs.Bool("force", false, "overwrite an existing configuration file")
	rest, err := fs.parse(args)
	if err != nil {
		return exitError, err
	}
	if len(rest) > 1 {
		return exitError, &usageError{"init takes at most one directory"}
	}
	dir := "."
	if len(rest) == 1 {
		dir = rest[0]
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return exitError, &usageError{fmt.Sprintf("%s is not a directory", dir)}
	}
	path := filepath.Join(dir, config.FileName)
	if _, err := os.Lstat(path); err == nil && !*force {
		return exitError, fmt.Errorf("%s already exists; use --force to overwrite it", path)
	}
	set, err := loadRules()
	if err != nil {
		return exitError, err
	}
	starter := config.Starter(config.Known{Rules: set, Analyzers: registry()})
	if err := writeAtomically(path, func(f *os.File) error {
		_, err := f.Write(starter)
		return err
	}); err != nil {
		return exitError, err
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return exitClean, nil
}
