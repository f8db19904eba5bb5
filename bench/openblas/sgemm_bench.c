/*
 * sgemm_bench: OpenBLAS cblas_sgemm on the same shapes as darkgo's
 * BenchmarkSgemm, printing lines in Go benchmark format so one script can
 * parse both:
 *
 *   BenchmarkSgemm/openblas/<M>x<N>x<K>/t<T>  <iters>  <ns> ns/op  <x> GFLOP/s  <y> GFLOP/cpu-s
 *
 * GFLOP/cpu-s divides by the process CPU time, which on a machine shared
 * with other jobs is a steadier measure than wall time (OpenBLAS worker
 * threads that spin while waiting inflate it for T > 1).
 *
 * Usage: sgemm_bench [-t threads] [-s MxNxK] [-time seconds]
 * (defaults: every shape, 1 thread, 1 s per shape). Measurement only; not
 * part of the Go library or its CI.
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern void openblas_set_num_threads(int);
extern char *openblas_get_corename(void);
extern char *openblas_get_config(void);

static const int shapes[][3] = {
    {64, 10816, 288}, {128, 2704, 576}, {256, 676, 1152}, {512, 169, 2304},
    {255, 169, 512},  {32, 40000, 27},  {256, 256, 256},  {512, 512, 512},
    {1024, 1024, 1024},
};

static double now(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void fill(float *x, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)(seed >> 8) / (float)(1u << 24) * 2.0f - 1.0f;
    }
}

static void run(int m, int n, int k, int threads, double budget) {
    float *a = malloc(sizeof(float) * (size_t)m * k);
    float *b = malloc(sizeof(float) * (size_t)k * n);
    float *c = malloc(sizeof(float) * (size_t)m * n);
    fill(a, (size_t)m * k, 1);
    fill(b, (size_t)k * n, 2);
    /* Warm up (first call sets up buffers and threads). */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
    long iters = 0;
    double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID), w1;
    do {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
        iters++;
        w1 = now(CLOCK_MONOTONIC);
    } while (w1 - w0 < budget || iters < 3);
    double c1 = now(CLOCK_PROCESS_CPUTIME_ID);
    double flops = 2.0 * m * n * k * iters;
    printf("BenchmarkSgemm/openblas/%dx%dx%d/t%d\t%ld\t%.0f ns/op\t%.2f GFLOP/s\t%.2f GFLOP/cpu-s\n", m, n, k,
           threads, iters, (w1 - w0) * 1e9 / iters, flops / (w1 - w0) / 1e9, flops / (c1 - c0) / 1e9);
    fflush(stdout);
    free(a);
    free(b);
    free(c);
}

int main(int argc, char **argv) {
    int threads = 1;
    const char *only = NULL;
    double budget = 1.0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-t")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-s")) only = argv[i + 1];
        else if (!strcmp(argv[i], "-time")) budget = atof(argv[i + 1]);
        else {
            fprintf(stderr, "usage: %s [-t threads] [-s MxNxK] [-time seconds]\n", argv[0]);
            return 2;
        }
    }
    openblas_set_num_threads(threads);
    fprintf(stderr, "openblas core: %s; config: %s\n", openblas_get_corename(), openblas_get_config());
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "%dx%dx%d", shapes[i][0], shapes[i][1], shapes[i][2]);
        if (only && strcmp(only, name)) continue;
        run(shapes[i][0], shapes[i][1], shapes[i][2], threads, budget);
    }
    return 0;
}
