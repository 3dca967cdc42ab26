package report

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"
)

// TestOmittedFingerprints keeps the fingerprints of the results cut past
// 25,000 in the run's properties, where ReadSARIF finds them, and writing
// what it read gives the same report.
func TestOmittedFingerprints(t *testing.T) {
	r := tinyRun(maxResults + 3)
	for i := range r.Findings {
		r.Findings[i].Fingerprint = fmt.Sprintf("fp%d", i)
	}
	r.Omitted = []string{"earlier"}
	var b bytes.Buffer
	if err := WriteSARIF(&b, r); err != nil {
		t.Fatal(err)
	}
	first := b.String()
	got, err := ReadSARIF(&b)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"earlier", "fp25000", "fp25001", "fp25002"}; len(got.Findings) != maxResults || !reflect.DeepEqual(got.Omitted, want) {
		t.Errorf("%d results, omitted %q; want %d and %q", len(got.Findings), got.Omitted, maxResults, want)
	}
	if text := notificationTexts(t, decode(t, []byte(first))); len(text) != 1 || text[0] != "results truncated: 25000 of 25004 written (GitHub code scanning keeps 25,000 per run)" {
		t.Errorf("notifications written: %q", text)
	}
	var again bytes.Buffer
	if err := WriteSARIF(&again, got); err != nil {
		t.Fatal(err)
	}
	if again.String() != first {
		t.Error("the report read back is written differently")
	}
}
