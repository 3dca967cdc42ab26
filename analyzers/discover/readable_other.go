//go:build !unix

package discover

import "os"

// checkReadAccess returns why the file at abs cannot be read, nil if it
// can.
func checkReadAccess(abs string) error {
	f, err := os.Open(abs)
	if err != nil {
		return err
	}
	return f.Close()
}
