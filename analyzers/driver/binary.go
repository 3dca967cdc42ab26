package driver

// binaryProbe is how many leading bytes looksBinary reads.
const binaryProbe = 8 << 10

// binaryMessage says why a file was skipped as binary.
const binaryMessage = "skipped: binary file (more than a tenth of the first 8 KiB are NUL or control bytes)"

// looksBinary reports whether src is binary rather than source text: more
// than a tenth of its first binaryProbe bytes are NUL or control bytes
// that text never holds (all but tab, line feed, vertical tab, form feed,
// carriage return and escape). A single NUL byte does not make a file
// binary: compilers accept one in a comment, so a file must not hide
// behind it.
func looksBinary(src []byte) bool {
	probe := src[:min(len(src), binaryProbe)]
	n := 0
	for _, c := range probe {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r' && c != 0x1b {
			n++
		}
	}
	return n*10 > len(probe)
}
