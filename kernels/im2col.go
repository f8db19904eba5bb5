package kernels

// ConvOutSize is the output extent of im2col along one axis:
// (in + 2·pad − (dilation·(k−1)+1)) / stride + 1, the formula of Darknet's
// im2col_cpu_ext (Caffe's). pad is the padding im2col applies, which for a
// Darknet conv layer is l.pad·l.dilation. It returns 0 when the formula gives
// less than one.
func ConvOutSize(in, k, pad, stride, dilation int) int {
	if stride < 1 || dilation < 1 || k < 1 {
		return 0
	}
	// The division truncates toward zero, as C's does: a window slightly
	// larger than the padded input still gives one output (partly read from
	// outside the image, as zeros), exactly as in Darknet.
	span := dilation*(k-1) + 1
	return max((in+2*pad-span)/stride+1, 0)
}

// Im2col unrolls the CHW image data (channels×height×width) into the
// column matrix col with rows channels·kernelH·kernelW and columns
// outH·outW (ConvOutSize for each axis), exactly like Darknet's
// im2col_cpu_ext:
//
//	col[((c·kernelH+ky)·kernelW+kx)·outH·outW + oy·outW + ox] =
//	    data[c][oy·strideH − padH + ky·dilationH][ox·strideW − padW + kx·dilationW]
//
// with zeros where the source pixel is outside the image. It panics on
// inconsistent arguments (programmer error).
func Im2col(data []float32, channels, height, width, kernelH, kernelW, padH, padW, strideH, strideW, dilationH, dilationW int, col []float32) {
	if channels < 0 || height < 0 || width < 0 || kernelH < 1 || kernelW < 1 || padH < 0 || padW < 0 ||
		strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 {
		panic("kernels: Im2col: bad geometry")
	}
	outH := ConvOutSize(height, kernelH, padH, strideH, dilationH)
	outW := ConvOutSize(width, kernelW, padW, strideW, dilationW)
	if len(data) < channels*height*width {
		panic("kernels: Im2col: data too short")
	}
	plane := outH * outW
	if len(col) < channels*kernelH*kernelW*plane {
		panic("kernels: Im2col: col too short")
	}
	if plane == 0 {
		return
	}
	row := 0
	for c := 0; c < channels; c++ {
		src := data[c*height*width : (c+1)*height*width]
		for ky := 0; ky < kernelH; ky++ {
			for kx := 0; kx < kernelW; kx++ {
				dst := col[row*plane : (row+1)*plane]
				row++
				im2colRow(dst, src, height, width, outH, outW, ky*dilationH-padH, kx*dilationW-padW, strideH, strideW)
			}
		}
	}
}

// im2colRow fills one row of col: the (ky,kx) tap of one channel for every
// output position. y0/x0 are the source coordinates of output (0,0).
func im2colRow(dst, src []float32, height, width, outH, outW, y0, x0, strideH, strideW int) {
	for oy := 0; oy < outH; oy++ {
		var srow []float32
		if y := y0 + oy*strideH; y >= 0 && y < height {
			srow = src[y*width : (y+1)*width]
		}
		gatherRow(dst[oy*outW:(oy+1)*outW], srow, x0, strideW)
	}
}

// gatherStride2Fast, when an arch file sets it, sets dst[i] = src[2i] for
// i < n (n a multiple of 4), reading src[0:2n].
var gatherStride2Fast func(dst, src *float32, n int)

// gatherRow sets dst[i] = srow[xs + i·stride], or 0 where that index is
// outside srow (the padding); srow == nil means the whole row is padding.
func gatherRow(dst, srow []float32, xs, stride int) {
	n := len(dst)
	if srow == nil || n == 0 {
		clear(dst)
		return
	}
	width := len(srow)
	// Positions whose source x is inside [0,width): i in [lo,hi).
	lo := 0
	if xs < 0 {
		lo = min((-xs+stride-1)/stride, n)
	}
	hi := n
	if xs >= width {
		hi = 0
	} else if last := xs + (n-1)*stride; last >= width {
		hi = (width-1-xs)/stride + 1
	}
	if hi < lo {
		// Every position falls in the padding (xs may then be far outside
		// the row, so it must not be used as an index).
		hi = lo
	}
	clear(dst[:lo])
	if hi > lo {
		if stride == 1 {
			copy(dst[lo:hi], srow[xs+lo:xs+hi])
		} else if stride == 2 {
			// Four at a time from one bounds-checked window: the plain
			// loop's per-element checks cost more than the copies (stride-2
			// stem convs spend a third of their time here). Measured on
			// Zen 3, ConvRange 3x3/2 alone, interleaved medians of 6, t1:
			// 3->32 at 320x320 2.38 -> 1.96 ms, 16->32 at 160x160
			// 1.65 -> 1.52 ms.
			d := dst[lo:hi]
			s := srow[xs+lo*2 : xs+(hi-1)*2+1]
			i := 0
			if gatherStride2Fast != nil && level(opSgemm) != isaGeneric {
				// Groups of 4 whose 8-float source window lies inside s
				// (the last element of a window is only read, not used).
				if n4 := min(len(d), (len(s)+1)/2-1) &^ 3; n4 > 0 {
					_ = s[2*n4-1]
					gatherStride2Fast(&d[0], &s[0], n4)
					i = n4
				}
			}
			for ; i+4 <= len(d) && 2*i+7 <= len(s); i += 4 {
				d4, s8 := d[i:i+4:i+4], s[2*i:2*i+7:2*i+7]
				d4[0], d4[1], d4[2], d4[3] = s8[0], s8[2], s8[4], s8[6]
			}
			for ; i < len(d); i++ {
				d[i] = s[2*i]
			}
		} else {
			x := xs + lo*stride
			for i := lo; i < hi; i++ {
				dst[i] = srow[x]
				x += stride
			}
		}
	}
	clear(dst[hi:])
}
