/* failalloc.c - an LD_PRELOAD shim that makes exactly one allocation fail,
 * for allocation-failure sweeps (as curl's torture tests do):
 *   FAILALLOC_N=N            the Nth call of malloc, calloc, realloc,
 *                            posix_memalign, aligned_alloc or memalign
 *                            (counted from process start, 1-based) returns
 *                            NULL with errno ENOMEM; 0 or unset: none fails
 *   FAILALLOC_COUNT_FILE=F   at a normal exit, write the number of calls to F
 *                            (how far a sweep has to go)
 *   FAILALLOC_VERBOSE=1      say on stderr when the failure is injected (2: with
 *                            a backtrace, to find the call site)
 * Built by tests/e2e/harden_alloc.sh: cc -shared -fPIC failalloc.c -ldl.
 * Not for sanitizer builds (ASan owns malloc). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);

static unsigned long fail_at, calls;
static int resolving, verbose;

/* dlsym may allocate (calloc) before the real functions are known: serve
 * those few requests from a static arena that is never freed. */
static _Alignas(16) char arena[16384];
static size_t arena_used;

static void *arena_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (arena_used + n > sizeof arena)
        return NULL;
    void *p = arena + arena_used;
    arena_used += n;
    return p;
}

static int in_arena(const void *p)
{
    return (const char *)p >= arena && (const char *)p < arena + sizeof arena;
}

static void resolve(void)
{
    if (real_malloc || resolving)
        return;
    resolving = 1;
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    real_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
    const char *n = getenv("FAILALLOC_N");
    fail_at = n ? strtoul(n, NULL, 10) : 0;
    const char *v = getenv("FAILALLOC_VERBOSE");
    verbose = v ? atoi(v) : 0;
    resolving = 0;
}

/* Count a call; 1 when this one must fail. */
static int should_fail(void)
{
    unsigned long k = __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
    if (!fail_at || k != fail_at)
        return 0;
    if (verbose) {
        static const char m[] = "failalloc: failing this allocation\n";
        ssize_t w = write(2, m, sizeof m - 1);
        (void)w;
        if (verbose > 1) {
            void *pc[32];
            backtrace_symbols_fd(pc, backtrace(pc, 32), 2);
        }
    }
    errno = ENOMEM;
    return 1;
}

void *malloc(size_t n)
{
    resolve();
    if (!real_malloc)
        return arena_alloc(n);
    return should_fail() ? NULL : real_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    resolve();
    if (!real_calloc) {
        if (size && n > SIZE_MAX / size)
            return NULL;
        return arena_alloc(n * size); /* static: already zero */
    }
    return should_fail() ? NULL : real_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    resolve();
    if (in_arena(p)) { /* move it out of the arena */
        void *q = malloc(n);
        if (q)
            memcpy(q, p,
                   n < (size_t)(arena + sizeof arena - (char *)p)
                       ? n
                       : (size_t)(arena + sizeof arena - (char *)p));
        return q;
    }
    if (!real_realloc)
        return NULL;
    return should_fail() ? NULL : real_realloc(p, n);
}

void free(void *p)
{
    if (!p || in_arena(p))
        return;
    resolve();
    if (real_free)
        real_free(p);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    resolve();
    if (!real_posix_memalign)
        return ENOMEM;
    return should_fail() ? ENOMEM : real_posix_memalign(out, align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
    resolve();
    if (!real_aligned_alloc)
        return NULL;
    return should_fail() ? NULL : real_aligned_alloc(align, n);
}

void *memalign(size_t align, size_t n)
{
    resolve();
    if (!real_memalign)
        return NULL;
    return should_fail() ? NULL : real_memalign(align, n);
}

__attribute__((destructor)) static void report(void)
{
    const char *f = getenv("FAILALLOC_COUNT_FILE");
    if (!f)
        return;
    FILE *out = fopen(f, "w");
    if (!out)
        return;
    fprintf(out, "%lu\n", calls);
    fclose(out);
}
