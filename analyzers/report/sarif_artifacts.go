package report

import "github.com/owenrumney/go-sarif/v2/sarif"

// An artifactList collects the files a run's results and notifications
// name, in the order they first appear, for the run's artifacts: GitHub
// code scanning's code-flow view reads a step in another file (a C
// function on the way to a Python response) through them. Every
// artifactLocation written through the list carries its index there.
type artifactList struct {
	index map[string]int
	list  []*sarif.Artifact
}

func newArtifactList() *artifactList { return &artifactList{index: map[string]int{}} }

// location returns the artifactLocation of path, relative to %SRCROOT%,
// with its index in the run's artifacts; the first use of a path adds it.
func (a *artifactList) location(path string) *sarif.ArtifactLocation {
	i, ok := a.index[path]
	if !ok {
		i = len(a.list)
		a.index[path] = i
		a.list = append(a.list, sarif.NewArtifact().WithLocation(artifact(path)))
	}
	return artifact(path).WithIndex(i)
}
