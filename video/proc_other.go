//go:build !linux

package video

import "syscall"

func childAttr() *syscall.SysProcAttr { return nil }
