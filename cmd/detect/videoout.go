package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/darkgo/darkgo/engine/detect"
	"github.com/darkgo/darkgo/video"
	"github.com/darkgo/darkgo/yuv"
)

// jsonFrame is one -jsonl line of the video mode.
type jsonFrame struct {
	FrameID    int64           `json:"frame_id"` // the frame's index in the source, from 0
	TimeS      seconds         `json:"time_s"`   // presentation time
	Width      int             `json:"width"`
	Height     int             `json:"height"`
	Detections []jsonDetection `json:"detections"`
}

// seconds is a duration in seconds with microsecond resolution.
type seconds time.Duration

func (s seconds) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, math.Round(time.Duration(s).Seconds()*1e6)/1e6, 'f', -1, 64), nil
}

// videoOutputs are the video mode's outputs, written frame by frame in
// order: text or -jsonl on stdout, -out (Darknet's JSON), -out_filename
// (the annotated video), -prefix (annotated JPEG frames) and the HTTP
// servers (-json_port, -mjpeg_port).
type videoOutputs struct {
	o       *options
	m       *model
	info    video.Info
	stdout  *bufio.Writer
	flush   bool // flush stdout every frame (a live consumer reads it)
	outFile *bufferedFile
	darknet *detect.JSONWriter
	writer  *video.Writer // made at the first frame, in its format
	fps     float64       // the annotated video's frame rate
	serve   *videoServers
	draw    bool
	line    []byte
	rgba    *image.RGBA // -prefix: a video frame converted for the JPEG encoder
	spare   draw.Image  // -out_filename: a frame converted to the writer's format
}

func openVideoOutputs(o *options, m *model, info video.Info, stdout, stderr io.Writer) (*videoOutputs, error) {
	v := &videoOutputs{o: o, m: m, info: info, stdout: bufio.NewWriterSize(stdout, 64<<10),
		flush: info.Live || isTerminal(stdout)}
	var err error
	defer func() {
		if err != nil {
			v.close()
		}
	}()
	if o.out != "" {
		if v.outFile, err = createBuffered(o.out); err != nil {
			return nil, err
		}
		v.darknet = detect.NewJSONWriter(v.outFile)
	}
	if o.outFilename != "" {
		v.fps = info.FPS
		if o.skip > 1 && v.fps > 0 {
			v.fps /= float64(o.skip) // the same duration as the source
		}
		if info.Live || v.fps <= 0 {
			v.fps = 25 // a live source's processed rate is not known in advance
		}
	}
	if o.prefix != "" {
		if err = os.MkdirAll(filepath.Dir(o.prefix), 0o755); err != nil {
			return nil, err
		}
	}
	if o.jsonPort != 0 || o.mjpegPort != 0 {
		if v.serve, err = startVideoServers(o); err != nil {
			return nil, err
		}
		if !o.quiet {
			v.serve.announce(stderr)
		}
	}
	v.draw = o.outFilename != "" || o.prefix != "" || (v.serve != nil && v.serve.wantsImages())
	return v, nil
}

// frame writes one processed frame to every output. It draws the boxes
// on the frame's own buffer, which the caller releases afterwards.
func (v *videoOutputs) frame(f *video.Frame, dets []detect.Detection, rep []detect.Labeled, ids []int, thresh float32) error {
	w, h := f.Image.Bounds().Dx(), f.Image.Bounds().Dy()
	var line []byte
	if v.o.jsonl || v.serve != nil {
		jf := jsonFrame{FrameID: f.Index, TimeS: seconds(f.PTS), Width: w, Height: h,
			Detections: jsonDetections(dets, w, h, thresh, v.m)}
		setTrackIDs(jf.Detections, dets, rep, ids, thresh)
		b, err := json.Marshal(jf)
		if err != nil {
			return err
		}
		line = b
	}
	switch {
	case v.o.jsonl:
		v.stdout.Write(line)
		v.stdout.WriteByte('\n')
	default:
		if !v.o.quiet {
			fmt.Fprintf(v.stdout, "frame %d (%.3f s): %d %s\n", f.Index, f.PTS.Seconds(), len(rep), plural(len(rep), "object", "objects"))
		}
		v.line = detect.AppendText(v.line[:0], dets, w, h, thresh, v.m.names, v.o.ext)
		v.stdout.Write(v.line)
	}
	if v.flush {
		if err := v.stdout.Flush(); err != nil {
			return err
		}
	}
	if v.darknet != nil {
		if err := v.darknet.WriteFrame(f.Index+1, "", dets, v.m.names); err != nil {
			return fmt.Errorf("%s: %w", v.o.out, err)
		}
	}
	if v.draw {
		dst, ok := f.Image.(draw.Image)
		if !ok {
			return fmt.Errorf("frame %d: cannot draw on a %T", f.Index, f.Image)
		}
		drawBoxes(dst, rep, ids, v.m)
	}
	if v.o.outFilename != "" {
		if v.writer == nil {
			// The frames are piped to the encoder as they are, in the
			// source's format. Not ctx: the encoder must outlive a Ctrl-C
			// to finish the file; close stops it.
			var err error
			v.writer, err = video.Create(context.Background(), v.o.outFilename, v.info.Width, v.info.Height, v.fps,
				&video.WriterOptions{FFmpeg: v.o.ffmpeg, Like: f.Image})
			if err != nil {
				return err
			}
		}
		if err := v.writer.Write(v.forWriter(f.Image)); err != nil {
			return err
		}
	}
	if v.o.prefix != "" {
		if err := writeImage(fmt.Sprintf("%s_%08d.jpg", v.o.prefix, f.Index), v.encodable(f.Image)); err != nil {
			return err
		}
	}
	if v.serve != nil {
		v.serve.publish(line, f.Image)
	}
	return nil
}

// forWriter is img in the writer's format: img itself, or when a
// reconnection brought frames in another pixel format, range or matrix
// than the first one (which the writer was made for), img converted into
// a reused frame of the writer's format. That is slow (pixel by pixel)
// but rare, and the annotated video goes on.
func (v *videoOutputs) forWriter(img image.Image) image.Image {
	name, full, m := v.writer.Format()
	b := img.Bounds()
	if p, ok := img.(*yuv.Image); ok && video.FormatOf(p) == name && p.FullRange == full && p.Matrix == m {
		return img
	}
	if _, ok := img.(*image.RGBA); ok && name == "rgba" {
		return img
	}
	if v.spare == nil || v.spare.Bounds().Size() != b.Size() {
		switch name {
		case "rgba":
			v.spare = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		case "yuv422p":
			v.spare = yuv.NewImage(b.Dx(), b.Dy(), image.YCbCrSubsampleRatio422, full, m)
		case "yuv444p":
			v.spare = yuv.NewImage(b.Dx(), b.Dy(), image.YCbCrSubsampleRatio444, full, m)
		default:
			v.spare = yuv.NewImage(b.Dx(), b.Dy(), image.YCbCrSubsampleRatio420, full, m)
		}
	}
	if p, ok := img.(*yuv.Image); ok {
		if dst, ok := v.spare.(*image.RGBA); ok {
			return p.ToRGBA(dst)
		}
	}
	draw.Draw(v.spare, v.spare.Bounds(), img, b.Min, draw.Src)
	return v.spare
}

// encodable is img in a form image/jpeg encodes fast: a full-range BT.601
// frame as the image.YCbCr it already is, another Y'CbCr frame converted
// to RGBA in a reused buffer, anything else as it is.
func (v *videoOutputs) encodable(img image.Image) image.Image {
	var out image.Image
	out, v.rgba = yuv.ForJPEG(img, v.rgba)
	return out
}

// setTrackIDs copies each reported detection's track id to its entries
// in out, which jsonDetections made from dets in the same order.
func setTrackIDs(out []jsonDetection, dets []detect.Detection, rep []detect.Labeled, ids []int, thresh float32) {
	if ids == nil {
		return
	}
	idOf := make(map[*detect.Detection]int, len(rep))
	for i, r := range rep {
		idOf[r.Detection] = ids[i]
	}
	k := 0
	for i := range dets {
		for _, p := range dets[i].Prob {
			if p > thresh {
				out[k].TrackID = idOf[&dets[i]]
				k++
			}
		}
	}
}

// close flushes and closes every output; the first error is returned.
func (v *videoOutputs) close() error {
	var first error
	keep := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	keep(v.stdout.Flush())
	if v.darknet != nil {
		if err := v.darknet.Close(); err != nil {
			keep(fmt.Errorf("%s: %w", v.o.out, err))
		}
	}
	if v.outFile != nil {
		if err := v.outFile.Close(); err != nil {
			keep(fmt.Errorf("%s: %w", v.o.out, err))
		}
	}
	if v.writer != nil {
		keep(v.writer.Close())
	}
	if v.serve != nil {
		keep(v.serve.close())
	}
	return first
}
