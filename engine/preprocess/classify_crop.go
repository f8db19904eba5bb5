package preprocess

import "image"

// Darknet's classifiers do not see the detector's input: `classifier
// predict` (src/classifier.c, predict_classifier) scales the image so that
// its SHORTER side equals the network width (resize_min), then cuts the
// centred net.w×net.h window out of it (crop_image). The long side keeps the
// aspect ratio; nothing is padded.

// ResizeMinSize is the size Darknet's resize_min(im, min) gives an imW×imH
// image: the shorter side becomes min, the other is scaled with integer
// arithmetic (truncated). A square image counts as "wider" (w >= h).
func ResizeMinSize(imW, imH, min int) (w, h int) {
	if imW < imH {
		return min, imH * min / imW
	}
	return imW * min / imH, min
}

// ClassifierInput writes the network input Darknet's `classifier predict`
// computes for img into dst (c*h*w values, CHW): the image as c-channel
// floats v/255 (see FromImage), resize_min to the network width w, then a
// centred w×h crop. Where the resized image is smaller than the crop (a net
// taller than wide), the crop repeats the edge pixels, as crop_image clamps
// its coordinates.
func (s *Scratch) ClassifierInput(dst []float32, img image.Image, w, h, c int) error {
	if err := checkInput(dst, img, w, h, c); err != nil {
		return err
	}
	toFloat(img, c, &s.raster, &s.full)
	rw, rh := ResizeMinSize(s.full.W, s.full.H, w)
	// rw, rh >= w > 0: the scaled side is the longer one.
	resized := &s.full
	if rw != s.full.W || rh != s.full.H {
		n := c * rw * rh
		if cap(s.resized) < n {
			s.resized = make([]float32, n)
		}
		s.resized = s.resized[:n]
		s.part = resizeInto(s.resized, &s.full, rw, rh, s.part)
		resized = &Image{C: c, H: rh, W: rw, Data: s.resized}
	}
	cropInto(dst, resized, (rw-w)/2, (rh-h)/2, w, h)
	return nil
}

// ClassifierInput is Scratch.ClassifierInput with temporary buffers.
func ClassifierInput(dst []float32, img image.Image, w, h, c int) error {
	var s Scratch
	return s.ClassifierInput(dst, img, w, h, c)
}

// cropInto is Darknet's crop_image(im, dx, dy, w, h) written into dst: the
// w×h window at (dx, dy), coordinates outside the image clamped to its
// border. Go's integer division truncates like C's, so a negative offset
// (crop larger than the image) is the same as Darknet's.
func cropInto(dst []float32, im *Image, dx, dy, w, h int) {
	for k := 0; k < im.C; k++ {
		plane := im.Data[k*im.H*im.W : (k+1)*im.H*im.W]
		for j := 0; j < h; j++ {
			r := min(max(j+dy, 0), im.H-1)
			row := plane[r*im.W : (r+1)*im.W]
			out := dst[(k*h+j)*w : (k*h+j+1)*w]
			for i := range out {
				out[i] = row[min(max(i+dx, 0), im.W-1)]
			}
		}
	}
}
