/*
 * stbdump: decode an image with stb_image (Darknet's loader) and write the
 * 8-bit RGB pixels it returns, as a PNG (stbi_write_png) or raw.
 *
 * Ground truth for engine/preprocess's stb_image-exact decoding; not part of
 * the Go build. Build by hand (Debian: apt-get install libstb-dev):
 *
 *   gcc -O2 -o /tmp/stbdump tools/stbdump/stbdump.c -I/usr/include/stb -lm
 *   gcc -O2 -DSTBI_NO_SIMD -o /tmp/stbdump-nosimd tools/stbdump/stbdump.c -I/usr/include/stb -lm
 *
 * The default build uses stb_image's SSE2 kernels on x86-64, as Darknet's
 * build does; -DSTBI_NO_SIMD selects the scalar kernels (ARM without NEON).
 *
 * Usage: stbdump IN OUT.png    RGB, 3 channels requested (Darknet's call)
 *        stbdump IN OUT.rgb    the same pixels raw, no header
 *        stbdump IN            prints "W H C" (C: the file's channels)
 * Exit status 1 and stb_image's failure reason on stderr when it refuses
 * the file.
 */
#define STB_IMAGE_IMPLEMENTATION
#include "stb_image.h"
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include "stb_image_write.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    int w, h, c;
    unsigned char *pix;
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: stbdump IN [OUT.png|OUT.rgb]\n");
        return 2;
    }
    pix = stbi_load(argv[1], &w, &h, &c, 3);
    if (!pix) {
        fprintf(stderr, "stbdump: %s: %s\n", argv[1], stbi_failure_reason());
        return 1;
    }
    printf("%d %d %d\n", w, h, c);
    if (argc == 3) {
        size_t n = strlen(argv[2]);
        if (n > 4 && strcmp(argv[2] + n - 4, ".rgb") == 0) {
            FILE *f = fopen(argv[2], "wb");
            if (!f || fwrite(pix, 3, (size_t)w * h, f) != (size_t)w * h || fclose(f) != 0) {
                fprintf(stderr, "stbdump: writing %s failed\n", argv[2]);
                return 1;
            }
        } else if (!stbi_write_png(argv[2], w, h, 3, pix, w * 3)) {
            fprintf(stderr, "stbdump: writing %s failed\n", argv[2]);
            return 1;
        }
    }
    stbi_image_free(pix);
    return 0;
}
