//go:build !linux

package video

import "syscall"

func childAttr() *syscall.SysProcAttr { return nil }

// deprioritise is Linux only: elsewhere ffmpeg keeps this process's
// priority.
func deprioritise(pgid, by int) error { return nil }
