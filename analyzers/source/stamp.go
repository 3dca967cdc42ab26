package source

import "hash/crc32"

// A Stamp is a file's size and the CRC-32C of its bytes: what a part or an
// outline that the cache stores without the file's source keeps of it, to
// tell whether the file read back later is the one it was made from.
type Stamp struct {
	Size int
	Sum  uint32
}

// StampOf returns src's stamp.
func StampOf(src []byte) Stamp { return Stamp{len(src), crc32.Checksum(src, castagnoli)} }

// Matches reports whether src has the stamp.
func (s Stamp) Matches(src []byte) bool {
	return len(src) == s.Size && crc32.Checksum(src, castagnoli) == s.Sum
}

// castagnoli is the CRC-32C table, which the processor computes in
// hardware.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)
