// Command cparse counts, in a C code base, the function definitions that
// residue's C model cannot analyze because their parse has errors: in
// the file as parsed ("before": what cmem skipped until the model read
// files in one configuration), and in the tree the model reads ("after":
// the file parsed again with the branches of #if groups outside its
// configuration blanked, when a conditional broke a function).
//
//	go run ./scripts/cparse DIR...
package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/csrc"
	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/syntax"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cparse DIR...")
		os.Exit(2)
	}
	parser := source.NewParser(30 * time.Second)
	defer parser.Close()
	for _, dir := range os.Args[1:] {
		files, err := cFiles(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		var funcs, before, after, reparsed int
		for _, path := range files {
			src, err := os.ReadFile(filepath.Join(dir, path))
			if err != nil {
				continue
			}
			syn, ok := parse(parser, path, src)
			if !ok {
				continue
			}
			pass := &analyzers.ExtractPass{Model: csrc.Model, Syntax: syn, Files: files, Settings: analyzers.Settings{}, Root: dir,
				Parse: func(b []byte) (*source.Syntax, error) {
					s, ok := parse(parser, path, b)
					if !ok {
						return nil, fmt.Errorf("parse failed")
					}
					return s, nil
				}}
			part, err := csrc.Model.Extract(pass)
			if err != nil {
				continue
			}
			p := part.(*csrc.Part)
			n, broken := count(p.Snapshot.Tree)
			funcs, before = funcs+n, before+broken
			if p.Configured != nil {
				reparsed++
				broken = stillBroken(p.Snapshot.Tree, p.Configured.Tree)
			}
			after += broken
		}
		fmt.Printf("%s: %d files, %d function definitions; with parse errors: %d before, %d after (%d files parsed again in their configuration)\n",
			dir, len(files), funcs, before, after, reparsed)
	}
}

func parse(parser *source.Parser, path string, src []byte) (*source.Syntax, bool) {
	f := source.NewFile(path, source.C, src)
	if err := parser.Parse(f); err != nil {
		return nil, false
	}
	defer f.Close()
	syn, err := source.NewSyntax(f, 1<<23)
	return syn, err == nil
}

// stillBroken counts the functions the model reads with errors: those of
// the configured parse with errors, unless the original parse read them
// without (the model keeps that one).
func stillBroken(orig, conf *syntax.Tree) int {
	good := map[uint32]bool{}
	orig.Root().Walk(func(c syntax.Node) bool {
		if c.Type() == "function_definition" {
			good[c.StartByte()] = !c.HasError()
			return false
		}
		return true
	})
	n := 0
	conf.Root().Walk(func(c syntax.Node) bool {
		if c.Type() == "function_definition" {
			if c.HasError() && !good[c.StartByte()] {
				n++
			}
			return false
		}
		return true
	})
	return n
}

// count returns the function definitions of a tree and those with errors.
func count(t *syntax.Tree) (n, broken int) {
	t.Root().Walk(func(c syntax.Node) bool {
		if c.Type() == "function_definition" {
			n++
			if c.HasError() {
				broken++
			}
			return false
		}
		return true
	})
	return n, broken
}

// cFiles lists the .c and .h files under dir, relative and sorted.
func cFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || strings.HasPrefix(d.Name(), ".")) && p != dir {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".c") || strings.HasSuffix(p, ".h")) {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
