// Package spell measures how far one word is from another, to tell a
// misspelling (a ctypes attribute, a key of a rule or configuration file)
// from another word.
package spell

// Distance is the Levenshtein distance of a and b, in bytes: the edits
// (insertions, deletions, substitutions) that make one the other. Words
// past 64 bytes are 64 apart, none being a misspelling of another.
func Distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Closest returns the candidate one or two edits away from word (a
// typo), the first of the nearest; "" when none is.
func Closest(word string, candidates []string) string {
	best, dist := "", 3
	for _, c := range candidates {
		if d := Distance(word, c); d < dist {
			best, dist = c, d
		}
	}
	return best
}
