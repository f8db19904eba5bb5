package video

import "syscall"

// childAttr makes the kernel kill ffmpeg if this process dies without
// reaping it (a crash or SIGKILL), so no decoder outlives us.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
