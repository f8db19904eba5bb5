package video

import "syscall"

// childAttr puts ffmpeg in its own process group, so that a Ctrl-C on
// the terminal reaches only us (we then stop ffmpeg ourselves, after
// flushing the outputs, instead of the encoder quitting half-way), and
// makes the kernel kill it if this process dies without reaping it (a
// crash or SIGKILL), so no ffmpeg outlives us.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// deprioritise makes ffmpeg's process group (ffmpeg leads its own, see
// childAttr) by steps nicer than this process, up to 19: every thread it
// has, and those it starts later (the decoder's, after probing), which
// inherit their creator's nice value.
func deprioritise(pgid, by int) error {
	if by <= 0 {
		return nil
	}
	p, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0) // the system call's form: 20 - nice
	if err != nil {
		return err
	}
	return syscall.Setpriority(syscall.PRIO_PGRP, pgid, min(20-p+by, 19))
}
