package config

import (
	"fmt"
	"strings"
)

// A section is one key of the starter file: what it does, and an example
// that the starter file writes commented out.
type section struct {
	doc     string
	example string
}

// Starter returns the commented configuration file `residue init` writes.
// Every key is shown, commented out, so the file changes nothing until the
// user uncomments a line; the rule and analyzer examples name what known
// holds.
func Starter(known Known) []byte {
	var b strings.Builder
	b.WriteString(comment(`residue configuration.
residue reads the nearest `+FileName+` at or above the folder that holds every
scanned path, up to the repository root, or the file named by --config: one
configuration applies to a whole scan. Unknown keys are
errors. Globs are doublestar patterns relative to the repository root.
Uncomment what you need.`, ""))
	for _, s := range starterSections(known) {
		b.WriteString("\n")
		b.WriteString(comment(s.doc, ""))
		b.WriteString(comment(s.example, ""))
	}
	return []byte(b.String())
}

// comment returns text with every line commented out, indented by indent.
func comment(text, indent string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		b.WriteString(strings.TrimRight(indent+"# "+line, " "))
		b.WriteString("\n")
	}
	return b.String()
}

// starterSections returns the sections of the starter file, one per key.
func starterSections(known Known) []section {
	return []section{
		{"Scan only files that match one of these globs. --include replaces the list.",
			"include:\n  - \"src/**\"\n"},
		{"Skip files and folders that match one of these globs, even files named on\nthe command line or passed by pre-commit. --exclude adds to the list.",
			"exclude:\n  - \"tests/**\"\n  - \"**/migrations/**\"\n"},
		rulesSection(known),
		{"Directories of your own rules (YAML files), relative to this file, added to\nthe built-in rules like --rules. 'residue test DIR' runs their tests.",
			"rules-dirs:\n  - .residue/rules\n"},
		settingsSection(known),
		{"Skip larger files with a warning (default 5MiB). --max-file-size overrides it.\nUnits: B, KB, MB, GB, KiB, MiB, GiB.",
			"max-file-size: 5MiB\n"},
		{"Where residue keeps what it learned of unchanged files between runs, relative\nto this file (default: .residue_cache at the repository root). --cache-dir\noverrides it; --no-cache runs without one.",
			"cache-dir: .residue_cache\n"},
	}
}

// rulesSection shows how to disable and re-level rules, with one of the
// known rules as the example.
func rulesSection(known Known) section {
	doc := "Turn rules, or whole families, off, or change their level (error, warning\nor note). 'residue rules' lists the rule ids."
	id, family := "family/rule-name", "family"
	if known.Rules != nil && len(known.Rules.All()) > 0 {
		id = known.Rules.All()[0].ID
		family, _, _ = strings.Cut(id, "/")
	} else {
		doc += "\nNo rule is installed yet, so the names below are placeholders."
	}
	return section{doc, fmt.Sprintf("rules:\n  disable:\n    - %s\n  severity:\n    %s: warning\n", id, family)}
}

// settingsSection lists every setting of every known analyzer, each with
// its description.
func settingsSection(known Known) section {
	doc := "Analyzer settings: more names for an analyzer to know, such as your own\nsanitizer functions or certificate headers. Each is a list of names."
	names := map[string]bool{}
	var b strings.Builder
	for _, a := range known.Analyzers {
		if len(a.SettingKeys) == 0 || names[a.Name] {
			continue
		}
		names[a.Name] = true
		fmt.Fprintf(&b, "  %s:\n", a.Name)
		for _, key := range settingKeys(a) {
			b.WriteString(comment(a.SettingKeys[key], "    "))
			fmt.Fprintf(&b, "    %s: []\n", key)
		}
	}
	if b.Len() == 0 {
		return section{doc + "\nNo analyzer has settings yet.", "analyzers: {}\n"}
	}
	return section{doc, "analyzers:\n" + b.String()}
}
