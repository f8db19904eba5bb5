// Package stream serves live views of a video pipeline over HTTP, as
// Darknet's -mjpeg_port and -json_port do: the annotated frames as an MJPEG
// stream that browsers, VLC, ffmpeg and OpenCV open, and each frame's
// detections as a stream of JSON objects.
//
// A Server listens on one address (Addr gives 127.0.0.1:PORT unless a host
// is named). The pipeline feeds it with PublishFrame or PublishJPEG and with
// PublishJSON; every connected client gets the newest item. Publishing never
// blocks and never waits for a client: each client has a one-slot mailbox
// holding the newest frame, so a slow client skips frames, and a client that
// takes no data for Options.WriteTimeout is disconnected (a dead peer does
// not pin a goroutine). PublishFrame encodes the JPEG only when a client
// watches, once per frame for all of them.
//
// Routes:
//
//	GET /              the Root stream (MJPEG by default, as Darknet's mjpeg_port;
//	                   JSON for a server standing in for Darknet's json_port)
//	GET /stream.mjpg   multipart/x-mixed-replace; boundary=darkgoframe: one
//	                   part per frame, each with Content-Type: image/jpeg and
//	                   Content-Length
//	GET /stream.json   newline-delimited JSON (Content-Type application/x-ndjson):
//	                   one object per frame per line, each line complete, so a
//	                   client can parse line by line
//	GET /view          an HTML page showing /stream.mjpg, scaled to the window
//
// Darknet's json_port sends a never-closed JSON array over a bare socket
// (objects separated by commas); a line-per-frame stream is as easy to read
// with curl and far easier to parse incrementally. The streams are sent
// unchunked with Connection: close and Cache-Control: no-cache, as Darknet
// does, so minimal MJPEG parsers work. At most Options.MaxClients streams
// are served at once; more get 503.
package stream
