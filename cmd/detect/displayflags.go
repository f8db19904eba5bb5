package main

import "flag"

// displayFlags are Darknet's window and streaming options, which scripts
// written for Darknet pass to every command: every mode accepts them.
// darkgo never opens a window, so the window flags are ignored; the
// streaming ports (registered with the video flags) serve live views in
// the video mode and are ignored by the others.
var displayFlags = []string{"dont_show", "show", "show_imgs", "mjpeg_port", "json_port"}

// ignoreDisplayFlags registers the window flags on fs.
func ignoreDisplayFlags(fs *flag.FlagSet) {
	for _, name := range []string{"dont_show", "show", "show_imgs"} {
		fs.Bool(name, false, "accepted for Darknet compatibility and ignored: nothing is ever shown")
	}
}
