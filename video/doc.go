// Package video reads video files, cameras and network streams as frames
// and runs a detector over them, in pure Go: decoding is done by ffmpeg
// (Debian's ffmpeg package, or any build on PATH) started as a child
// process that writes raw RGBA frames to a pipe, so no cgo is involved.
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
// Options.Retries times. Frames are *image.RGBA, which engine/preprocess
// converts to the network input without copying; their buffers are
// reused once released.
//
// Every ffmpeg process is killed and reaped when the source ends, fails,
// is closed or its context is cancelled; none outlives the Source.
package video
