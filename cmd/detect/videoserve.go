package main

import (
	"image"
)

// videoServers are the -json_port and -mjpeg_port HTTP servers (package
// video/stream).
type videoServers struct{}

func startVideoServers(o *options) (*videoServers, error) {
	return nil, usagef("-json_port and -mjpeg_port are not available yet")
}

func (s *videoServers) wantsImages() bool                    { return false }
func (s *videoServers) publish(line []byte, img *image.RGBA) {}
func (s *videoServers) close() error                         { return nil }
