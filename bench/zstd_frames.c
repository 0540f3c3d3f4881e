/* zstd_frames.c - the floor a journal's format sets for any replay: read a
 * file of zstd frames (as the journal is: one frame per flush) and
 * decompress each one once into a reused buffer, nothing else - no record
 * is looked at. bench/replay times it against the targets. Built by
 * bench/replay with cc.
 *
 * usage: zstd_frames FILE   (prints the decompressed byte count) */
#include <stdio.h>
#include <stdlib.h>
#include <zstd.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: zstd_frames FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *in = malloc(size > 0 ? (size_t)size : 1);
    if (!in || fread(in, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "%s: cannot read\n", argv[1]);
        return 1;
    }
    fclose(f);
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    size_t cap = 1 << 20, total = 0, at = 0;
    char *out = malloc(cap);
    while (at < (size_t)size) {
        size_t n = ZSTD_findFrameCompressedSize(in + at, (size_t)size - at);
        unsigned long long want = ZSTD_getFrameContentSize(in + at, (size_t)size - at);
        if (ZSTD_isError(n) || want == ZSTD_CONTENTSIZE_ERROR) {
            fprintf(stderr, "%s: bad frame at offset %zu\n", argv[1], at);
            return 1;
        }
        if (want != ZSTD_CONTENTSIZE_UNKNOWN && want > cap) {
            cap = (size_t)want;
            out = realloc(out, cap);
        }
        size_t got = ZSTD_decompressDCtx(dctx, out, cap, in + at, n);
        if (ZSTD_isError(got)) {
            fprintf(stderr, "%s: offset %zu: %s\n", argv[1], at, ZSTD_getErrorName(got));
            return 1;
        }
        total += got;
        at += n;
    }
    printf("%zu\n", total);
    ZSTD_freeDCtx(dctx);
    free(out);
    free(in);
    return 0;
}
