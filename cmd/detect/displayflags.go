package main

import "flag"

// displayFlags are Darknet's window and streaming options. darkgo never
// opens a window or a server, so scripts written for Darknet may pass them:
// they are accepted (with a value where Darknet takes one) and ignored.
var displayFlags = []string{"dont_show", "show", "show_imgs", "mjpeg_port", "json_port"}

// ignoreDisplayFlags registers displayFlags on fs.
func ignoreDisplayFlags(fs *flag.FlagSet) {
	for _, name := range []string{"dont_show", "show", "show_imgs"} {
		fs.Bool(name, false, "accepted for Darknet compatibility and ignored: nothing is ever shown")
	}
	for _, name := range []string{"mjpeg_port", "json_port"} {
		fs.Int(name, 0, "accepted for Darknet compatibility and ignored: darkgo serves no stream (`port`)")
	}
}
