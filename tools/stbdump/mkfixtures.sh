#!/bin/sh
# Regenerates engine/preprocess/testdata's stb_image fixtures: small JPEGs
# made with cjpeg (libjpeg-turbo-progs) from deterministic sources, each with
# NAME.stb.png = what stb_image returns (3 channels requested, as Darknet
# asks), and stb_rgb.sha256 = the SHA-256 of stb_image's RGB for larger
# JPEGs already in the repository. Run from the repository root:
#
#   gcc -O2 -o /tmp/stbdump tools/stbdump/stbdump.c -I/usr/include/stb -lm
#   sh tools/stbdump/mkfixtures.sh /tmp/stbdump
#
# Not part of the Go build or CI: the outputs are committed.
set -eu
STBDUMP=${1:?usage: mkfixtures.sh PATH/TO/stbdump}
OUT=engine/preprocess/testdata
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# src W H NAME: a PPM with gradients, hard edges and noise (an LCG, so the
# same bytes on every machine), so that blocks have real AC content.
src() {
	python3 - "$1" "$2" "$TMP/$3.ppm" <<'PY'
import sys
w, h, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
s = 12345
out = bytearray()
for y in range(h):
    for x in range(w):
        s = (s * 1103515245 + 12345) & 0x7fffffff
        n = (s >> 16) % 40
        edge = 90 if (x // 5 + y // 7) % 2 else 0
        out += bytes(((3 * x + n + edge) % 256, (5 * y + 2 * n) % 256, (255 - 2 * (x + y) + edge - n) % 256))
open(path, "wb").write(b"P6\n%d %d\n255\n" % (w, h) + out)
PY
}

# jpg NAME SRC CJPEG-ARGS...: encode and record stb_image's pixels.
jpg() {
	name=$1 s=$2
	shift 2
	cjpeg "$@" "$TMP/$s.ppm" >"$OUT/$name.jpg"
	"$STBDUMP" "$OUT/$name.jpg" "$OUT/$name.stb.png" >/dev/null
}

src 77 53 a
src 17 13 odd
src 33 7 wide
src 1 1 one
src 9 31 tall

jpg prog_2x2_q75 a -quality 75 -sample 2x2 -progressive
jpg prog_1x1_q90 a -quality 90 -sample 1x1 -progressive
jpg prog_2x1_odd odd -quality 85 -sample 2x1 -progressive
jpg prog_gray_q80 a -quality 80 -grayscale -progressive
jpg prog_restart_2x2 a -quality 80 -sample 2x2 -progressive -restart 1
jpg restart_2x2_rows a -quality 80 -sample 2x2 -restart 1
jpg restart_1x1_blocks a -quality 80 -sample 1x1 -restart 3B
jpg odd_2x2_17x13 odd -quality 90 -sample 2x2
jpg odd_2x1_17x13 odd -quality 90 -sample 2x1
jpg odd_1x2_9x31 tall -quality 90 -sample 1x2
jpg odd_4x1_33x7 wide -quality 90 -sample 4x1
jpg odd_2x2_33x7 wide -quality 90 -sample 2x2
jpg odd_2x2_1x1 one -quality 90 -sample 2x2
jpg odd_gray_1x1 one -quality 90 -grayscale
jpg gray_17x13 odd -quality 90 -grayscale
jpg q5_2x2 a -quality 5 -sample 2x2
jpg q100_1x1 a -quality 100 -sample 1x1
jpg q100_2x2 a -quality 100 -sample 2x2
jpg rgb_1x1 a -quality 90 -rgb
jpg rgb_2x2 a -quality 90 -rgb -sample 2x2
jpg opt_2x2 a -quality 70 -sample 2x2 -optimize
# Chroma factors other than 1x1: Y 4x1 with Cb, Cr 2x1 (its progressive
# form image/jpeg cannot read), Y 2x2 with 2x1 and 1x2 chroma.
jpg mix_4x1_2x1 a -quality 85 -sample 4x1,2x1,2x1
jpg prog_mix_4x1_2x1 a -quality 85 -sample 4x1,2x1,2x1 -progressive
jpg mix_2x2_2x1 a -quality 85 -sample 2x2,2x1,2x1
jpg prog_mix_2x2_1x2 odd -quality 85 -sample 2x2,1x2,1x2 -progressive
# Sampling factors no image.YCbCr layout describes, which image/jpeg
# refuses and stb_image decodes (its generic resampler and per-component
# rules): factor 3, V = 4, Cb and Cr sampled differently, chroma finer
# than luma.
jpg gen_3x1 a -quality 85 -sample 3x1,1x1,1x1
jpg gen_prog_3x2_odd odd -quality 85 -sample 3x2,1x1,1x1 -progressive
jpg gen_1x4_odd odd -quality 85 -sample 1x4,1x1,1x1
jpg gen_2x2_1x1_2x2 a -quality 85 -sample 2x2,1x1,2x2
jpg gen_prog_1x1_2x2_2x2_odd odd -quality 85 -sample 1x1,2x2,2x2 -progressive
jpg gen_1x1_1x2_2x1_one one -quality 85 -sample 1x1,1x2,2x1

# exif6_2x2: the 2x2 baseline JPEG with an EXIF APP1 segment saying
# orientation 6 (rotate 90° clockwise). stb_image (and Darknet) ignore it.
cjpeg -quality 85 -sample 2x2 "$TMP/odd.ppm" >"$TMP/exif.jpg"
python3 - "$TMP/exif.jpg" "$OUT/exif6_2x2.jpg" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1) + \
    struct.pack(">HHIHH", 0x0112, 3, 1, 6, 0) + struct.pack(">I", 0)
app1 = b"Exif\x00\x00" + tiff
seg = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
open(sys.argv[2], "wb").write(data[:2] + seg + data[2:])
PY
"$STBDUMP" "$OUT/exif6_2x2.jpg" "$OUT/exif6_2x2.stb.png" >/dev/null

# formats/: PNG, GIF and BMP files stb_image and Go's decoders must agree
# on (alpha dropped unpremultiplied, 16-bit high bytes, palettes with
# transparency, 1-bit); a hash of stb_image's RGB for each.
mkdir -p "$OUT/formats"
python3 - "$OUT/formats" <<'PY'
import struct, sys, zlib
def png(path, w, h, ctype, depth, rows, plte=None, trns=None):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0))
    if plte: out += chunk(b"PLTE", plte)
    if trns: out += chunk(b"tRNS", trns)
    out += chunk(b"IDAT", zlib.compress(b"".join(b"\x00" + r for r in rows))) + chunk(b"IEND", b"")
    open(sys.argv[1] + "/" + path, "wb").write(out)
w, h = 37, 23
px = lambda x, y: ((7*x+y) % 256, (11*y+x) % 256, (x*y) % 256, (13*x+5*y) % 256)
png("semialpha.png", w, h, 6, 8, [bytes(v for x in range(w) for v in px(x, y)) for y in range(h)])
png("semialpha16.png", w, h, 6, 16, [bytes(v for x in range(w) for c in px(x, y) for v in (c, c*37 % 256)) for y in range(h)])
png("pal_trns.png", w, h, 3, 8, [bytes((x+y) % 16 for x in range(w)) for y in range(h)],
    bytes(v for i in range(16) for v in (i*16, 255-i*16, i*91 % 256)), bytes(i*17 % 256 for i in range(16)))
png("graya.png", w, h, 4, 8, [bytes(v for x in range(w) for v in ((x*7+y) % 256, (y*29+x) % 256)) for y in range(h)])
PY
S="-f lavfi -i testsrc2=size=67x45:rate=1 -frames:v 1"
ffmpeg -loglevel error -y $S -pix_fmt bgra "$OUT/formats/bgra.bmp"
ffmpeg -loglevel error -y $S -pix_fmt pal8 "$OUT/formats/pal8.bmp"
ffmpeg -loglevel error -y $S -pix_fmt monob "$OUT/formats/mono.bmp"
ffmpeg -loglevel error -y -f lavfi -i "testsrc2=size=67x45:rate=1,format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='if(lt(X,20),0,255)'" -frames:v 1 "$OUT/formats/transp.gif"

# Larger files already in the repository: only a hash of stb_image's RGB.
: >"$OUT/stb_rgb.sha256"
for f in engine/preprocess/internal/jpeg/testdata/*.jpeg testdata/faceapi/*.jpg "$OUT"/formats/*; do
	if "$STBDUMP" "$f" "$TMP/x.rgb" >/dev/null 2>&1; then
		echo "$(sha256sum <"$TMP/x.rgb" | cut -d' ' -f1)  $f" >>"$OUT/stb_rgb.sha256"
	fi
done
# The CMYK file (Adobe transform 0) read as YCCK (2) and as YCbCr with an
# ignored fourth component (1): NAME#adobe=N patches the transform byte.
f=engine/preprocess/internal/jpeg/testdata/video-001.cmyk.jpeg
for n in 1 2; do
	python3 - "$f" "$TMP/a.jpg" "$n" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.index(b"Adobe\0")
d[i + 11] = int(sys.argv[3])
open(sys.argv[2], "wb").write(d)
PY
	"$STBDUMP" "$TMP/a.jpg" "$TMP/x.rgb" >/dev/null
	echo "$(sha256sum <"$TMP/x.rgb" | cut -d' ' -f1)  $f#adobe=$n" >>"$OUT/stb_rgb.sha256"
done
