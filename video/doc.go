// Package video reads video files, cameras and network streams as frames
// and runs a detector over them, in pure Go: decoding is done by ffmpeg
// (Debian's ffmpeg package, or any build on PATH) started as a child
// process that writes raw frames to a pipe, so no cgo is involved.
//
//	src, err := video.Open(ctx, "walk.mp4", nil) // or rtsp://…, http://…, /dev/video0, "-"
//	if err != nil {
//		return err // names the source and ffmpeg's reason
//	}
//	defer src.Close()
//	for r := range video.Run(ctx, net, src, nil) {
//		if r.Err != nil { … }
//		use(r.Frame.Image, r.Boxes.Detections)
//		r.Release() // the frame's buffer goes back to the source
//	}
//
// A Source is a file (every frame, or every Skip-th, in order) or live (a
// camera or a network stream): a live source never falls behind, Next
// returns the newest frame and the older ones not taken are dropped and
// counted; when a live stream fails it is reopened with back-off up to
// Options.Retries times.
//
// Frames arrive as ffmpeg decoded them, unconverted: nearly all video as a
// *yuv.Image (planar Y'CbCr 4:2:0, 4:2:2 or 4:4:4, with the range and
// matrix of the stream's tags: untagged video is BT.601, as ffmpeg and
// OpenCV assume), RGB, palette and alpha sources as *image.RGBA. That
// saves ffmpeg's conversion to RGB and, for 4:2:0, 62% of the bytes
// through the pipe; colours are converted only where pixels are read
// (engine/preprocess for the network, yuv.Image.At, ToRGBA). Frame.Format
// names the format. Buffers are reused once released, and Writer takes
// the frames as they are.
//
// Every ffmpeg process is killed and reaped when the source ends, fails,
// is closed or its context is cancelled; none outlives the Source.
package video
