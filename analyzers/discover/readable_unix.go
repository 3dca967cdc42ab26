//go:build unix

package discover

import "syscall"

// rOK is R_OK of <unistd.h>: test for read permission.
const rOK = 4

// checkReadAccess returns why the file at abs cannot be read, nil if it
// can. One access(2) costs less than opening and closing the file.
func checkReadAccess(abs string) error {
	return syscall.Access(abs, rOK)
}
