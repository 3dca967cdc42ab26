package report

// dropNullMembers removes from doc, compact JSON as encoding/json writes it
// (no insignificant whitespace), every object member whose value is null.
// go-sarif declares some optional fields without omitempty (suppression's
// status, guid, location, justification) and the SARIF schema rejects null
// for them; no SARIF property needs an explicit null.
func dropNullMembers(doc []byte) []byte {
	const null = ":null"
	out := make([]byte, 0, len(doc))
	for i := 0; i < len(doc); {
		if doc[i] != '"' {
			out = append(out, doc[i])
			i++
			continue
		}
		end := stringEnd(doc, i)
		if len(doc)-end < len(null) || string(doc[end:end+len(null)]) != null {
			out = append(out, doc[i:end]...)
			i = end
			continue
		}
		// doc[i:end] is a key whose value is null: drop the member and
		// one of the commas around it.
		i = end + len(null)
		switch {
		case out[len(out)-1] == ',':
			out = out[:len(out)-1]
		case i < len(doc) && doc[i] == ',':
			i++
		}
	}
	return out
}

// stringEnd returns the index just past the JSON string that starts with the
// quote at doc[start].
func stringEnd(doc []byte, start int) int {
	for i := start + 1; i < len(doc); i++ {
		switch doc[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(doc)
}
