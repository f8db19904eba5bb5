package preprocess

// Resizing follows Darknet's resize_image and letterbox_image (src/image.c)
// operation for operation in float32, so that a decoded image yields the
// network input Darknet computes bit for bit. Products are wrapped in
// float32() because Go may otherwise fuse a*b+c into one FMA on some
// architectures, which rounds differently from Darknet's x86 build (whose
// results, checked against the golden input_image.f32, have no FMA).

// resizeScales returns Darknet's (float)(in-1)/(out-1) for both axes. When an
// output dimension is 1 the scale is never used by the horizontal pass
// (Darknet copies the last column) and is defined as 0 for the vertical pass,
// where Darknet would compute 0*inf (undefined behaviour).
func resizeScales(inW, inH, outW, outH int) (ws, hs float32) {
	if outW > 1 {
		ws = float32(inW-1) / float32(outW-1)
	}
	if outH > 1 {
		hs = float32(inH-1) / float32(outH-1)
	}
	return ws, hs
}

// resizeRow is the horizontal pass of resize_image for one row and channel:
// out has the output width, in the input width.
func resizeRow(out, in []float32, ws float32) {
	w, inW := len(out), len(in)
	last := in[inW-1]
	for c := 0; c < w-1; c++ {
		if inW == 1 {
			out[c] = last
			continue
		}
		sx := float32(float32(c) * ws) // rounded: sx - float32(ix) must not fuse
		ix := int(sx)
		dx := sx - float32(ix)
		ix1 := ix + 1
		if ix1 >= inW { // cannot happen for ws <= (inW-1)/(w-1); keeps reads in range
			ix, ix1 = inW-1, inW-1
		}
		out[c] = float32((1-dx)*in[ix]) + float32(dx*in[ix1])
	}
	out[w-1] = last
}

// resizeCol is the vertical pass of resize_image for output row r: it
// combines rows iy and iy+1 of the horizontally resized image part (height
// partH) into out.
func resizeCol(out []float32, part []float32, partH, w, r, h int, hs float32) {
	sy := float32(float32(r) * hs) // rounded: sy - float32(iy) must not fuse
	iy := int(sy)
	dy := sy - float32(iy)
	if iy > partH-1 {
		iy = partH - 1
	}
	row := part[iy*w : iy*w+w]
	if r == h-1 || partH == 1 || iy+1 >= partH {
		// Darknet's last output row only gets (1-dy)*row[iy]; dy is
		// normally 0 there, but not always after float rounding.
		for c := range out {
			out[c] = (1 - dy) * row[c]
		}
		return
	}
	next := part[(iy+1)*w : (iy+1)*w+w]
	for c := range out {
		out[c] = float32((1-dy)*row[c]) + float32(dy*next[c])
	}
}

// Resize returns im resized to w×h exactly like Darknet's resize_image:
// separable bilinear with corner-aligned scale (in-1)/(out-1), horizontal
// pass first. When the size is unchanged it returns a copy. It panics if w or
// h is not positive.
func Resize(im *Image, w, h int) *Image {
	if w <= 0 || h <= 0 {
		panic("preprocess: Resize to a non-positive size")
	}
	out := NewImage(im.C, h, w)
	resizeInto(out.Data, im, w, h, nil)
	return out
}

// resizeInto writes resize_image(im, w, h) into dst (len im.C*w*h), using
// part as scratch for the horizontal pass when it is large enough. It
// returns the scratch buffer for reuse.
func resizeInto(dst []float32, im *Image, w, h int, part []float32) []float32 {
	if im.W == w && im.H == h {
		copy(dst, im.Data[:im.C*w*h])
		return part
	}
	ws, hs := resizeScales(im.W, im.H, w, h)
	n := w * im.H
	if cap(part) < n {
		part = make([]float32, n)
	}
	part = part[:n]
	for k := 0; k < im.C; k++ {
		src := im.Data[k*im.H*im.W : (k+1)*im.H*im.W]
		for r := 0; r < im.H; r++ {
			resizeRow(part[r*w:(r+1)*w], src[r*im.W:(r+1)*im.W], ws)
		}
		plane := dst[k*h*w : (k+1)*h*w]
		for r := 0; r < h; r++ {
			resizeCol(plane[r*w:(r+1)*w], part, im.H, w, r, h, hs)
		}
	}
	return part
}

// LetterboxSize returns the size of the resized image inside a w×h
// letterbox for an imW×imH image, computed like Darknet's letterbox_image
// (and correct_yolo_boxes, which must agree with it).
func LetterboxSize(imW, imH, w, h int) (newW, newH int) {
	if imW <= 0 || imH <= 0 {
		return 0, 0
	}
	if float32(w)/float32(imW) < float32(h)/float32(imH) {
		return w, imH * w / imW
	}
	return imW * h / imH, h
}

// Letterbox returns im scaled to fit w×h with its aspect ratio kept, centred
// on a 0.5 gray background, exactly like Darknet's letterbox_image. It
// panics if w or h is not positive.
func Letterbox(im *Image, w, h int) *Image {
	if w <= 0 || h <= 0 {
		panic("preprocess: Letterbox to a non-positive size")
	}
	out := NewImage(im.C, h, w)
	letterboxInto(out.Data, im, w, h, nil, nil)
	return out
}

// letterboxInto writes letterbox_image(im, w, h) into dst using the scratch
// buffers resized and part; it returns them for reuse.
func letterboxInto(dst []float32, im *Image, w, h int, resized, part []float32) ([]float32, []float32) {
	nw, nh := LetterboxSize(im.W, im.H, w, h)
	if nw <= 0 || nh <= 0 {
		// An extreme aspect ratio rounds one side to 0: Darknet would then
		// divide by zero; keep a one-pixel strip instead.
		nw, nh = max(nw, 1), max(nh, 1)
	}
	n := im.C * nw * nh
	if cap(resized) < n {
		resized = make([]float32, n)
	}
	resized = resized[:n]
	part = resizeInto(resized, im, nw, nh, part)
	for i := range dst[:im.C*w*h] {
		dst[i] = 0.5
	}
	embed(dst, w, h, resized, nw, nh, im.C, (w-nw)/2, (h-nh)/2)
	return resized, part
}

// embed copies a c×sh×sw image into a c×h×w one at offset (dx, dy),
// dropping what falls outside like Darknet's set_pixel.
func embed(dst []float32, w, h int, src []float32, sw, sh, c, dx, dy int) {
	for k := 0; k < c; k++ {
		for y := 0; y < sh; y++ {
			ty := y + dy
			if ty < 0 || ty >= h {
				continue
			}
			for x := 0; x < sw; x++ {
				tx := x + dx
				if tx < 0 || tx >= w {
					continue
				}
				dst[(k*h+ty)*w+tx] = src[(k*sh+y)*sw+x]
			}
		}
	}
}
