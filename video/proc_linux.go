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
