package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/residue-sec/residue/analyzers/config"
)

// yamlBlock returns the first ```yaml block after heading in the markdown
// file at path.
func yamlBlock(t *testing.T, path, heading string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	must(t, err)
	_, after, ok := strings.Cut(string(data), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("%s has no heading %q", path, heading)
	}
	_, block, ok := strings.Cut(after, "```yaml\n")
	if !ok {
		t.Fatalf("%s: no yaml block after %q", path, heading)
	}
	block, _, _ = strings.Cut(block, "```")
	return block
}

// TestREADMEConfigExample checks that the README's example configuration
// is valid for the analyzers and rules residue ships.
func TestREADMEConfigExample(t *testing.T) {
	set, err := loadRules()
	must(t, err)
	c, err := config.Parse("README.md", []byte(yamlBlock(t, "../../README.md", "## Configuration")), config.Known{Rules: set, Analyzers: registry()})
	if err != nil {
		t.Fatalf("the README's configuration example is invalid: %v", err)
	}
	if len(c.Exclude) == 0 || len(c.Disable) == 0 || len(c.Severity) == 0 || len(c.Settings) == 0 || c.MaxFileSize == 0 {
		t.Errorf("the example does not show every key: %+v", c)
	}
}

// TestDocsUseTheActionsInputs checks every use of the action in the README
// and docs/github-code-scanning.md: it sets only inputs action.yml has, and
// a workflow that uploads SARIF grants security-events: write.
func TestDocsUseTheActionsInputs(t *testing.T) {
	a := loadAction(t)
	uses := 0
	for _, doc := range []string{"../../README.md", "../../docs/github-code-scanning.md", "../../docs/ci-shards.md"} {
		text := readFile(t, doc)
		for _, block := range strings.Split(text, "```yaml\n")[1:] {
			block, _, _ = strings.Cut(block, "```")
			var root yaml.Node
			if err := yaml.Unmarshal([]byte(block), &root); err != nil {
				t.Errorf("%s: a yaml block does not parse: %v\n%s", doc, err, block)
				continue
			}
			if strings.Contains(block, "upload-sarif") && !strings.Contains(block, "security-events: write") {
				t.Errorf("%s: a workflow uploads SARIF without security-events: write:\n%s", doc, block)
			}
			if strings.Contains(block, "upload-sarif") && !strings.Contains(block, "actions: read") {
				t.Errorf("%s: a workflow uploads SARIF without actions: read (upload-sarif needs it in private repositories):\n%s", doc, block)
			}
			if strings.Contains(block, "github.base_ref") {
				t.Errorf("%s: a workflow uses github.base_ref, which is empty on push:\n%s", doc, block)
			}
			walkMappings(&root, func(m map[string]*yaml.Node) {
				if u := m["uses"]; u == nil || !strings.HasPrefix(u.Value, "residue-sec/residue@") {
					return
				}
				uses++
				if with := m["with"]; with != nil {
					for i := 0; i < len(with.Content); i += 2 {
						if _, ok := a.Inputs[with.Content[i].Value]; !ok {
							t.Errorf("%s:%d: the action has no input %q", doc, with.Content[i].Line, with.Content[i].Value)
						}
					}
				}
			})
		}
	}
	if uses < 4 {
		t.Errorf("found %d uses of the action in the docs, want at least 4", uses)
	}
}

// walkMappings calls f with every mapping below n, keyed by its keys.
func walkMappings(n *yaml.Node, f func(map[string]*yaml.Node)) {
	if n.Kind == yaml.MappingNode {
		m := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = n.Content[i+1]
		}
		f(m)
	}
	for _, c := range n.Content {
		walkMappings(c, f)
	}
}

// TestAnnotateSnippetOnPushAndPullRequest runs the documented annotation
// step, with the test binary as residue, as GitHub would for a pull
// request, a push, and a push that creates a branch (no commit before it):
// it reports the findings on changed lines, and every finding for a new
// branch.
func TestAnnotateSnippetOnPushAndPullRequest(t *testing.T) {
	var steps []actionStep
	must(t, yaml.Unmarshal([]byte(yamlBlock(t, "../../docs/github-code-scanning.md", "## Annotations without code scanning")), &steps))
	var annotate actionStep
	for _, s := range steps {
		if s.Run != "" {
			annotate = s
		}
	}
	if annotate.Run == "" {
		t.Fatal("no run step in the annotation snippet")
	}
	annotate.ID, annotate.Shell = "annotate", "bash"
	dir := gitTree(t, map[string]string{"old.py": "leak(1)\n"})
	before := strings.TrimSpace(gitOutput(t, dir, "rev-parse", "HEAD"))
	must(t, os.WriteFile(filepath.Join(dir, "new.py"), []byte("leak(2)\n"), 0o644))
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "new")
	const base = "github.event.pull_request.base.sha || github.event.before"
	for _, tc := range []struct{ event, base, want, absent string }{
		{"pull_request", before, "file=new.py", "file=old.py"},
		{"push", before, "file=new.py", "file=old.py"},
		{"push creating a branch", "0000000000000000000000000000000000000000", "file=old.py", ""},
		{"push after a force-push", "0123456789abcdef0123456789abcdef01234567", "file=old.py", ""},
	} {
		code, out, _ := runStep(t, annotate, dir, map[string]string{"steps.residue.outputs.residue": testResidue(t), base: tc.base})
		if code != 1 || !strings.Contains(out, tc.want) || tc.absent != "" && strings.Contains(out, tc.absent) {
			t.Errorf("%s: exit %d, want 1 with %s and without %q:\n%s", tc.event, code, tc.want, tc.absent, out)
		}
	}
}

// gitOutput runs git in dir and returns its output.
func gitOutput(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return string(out)
}
