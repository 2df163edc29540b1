//go:build !(linux || darwin || freebsd || windows)

package knowledge

import "os"

// tryLock cannot lock here: builds are not kept apart.
func tryLock(*os.File) (bool, error) { return true, nil }
