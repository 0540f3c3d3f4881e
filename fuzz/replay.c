/* replay.c - runs the fuzz targets' regression inputs without libFuzzer,
 * as a TAP test under `make check` (any build: plain, sanitizers).
 *   replay                 every file under $top_srcdir/fuzz/regress/TARGET/
 *   replay TARGET FILE...  the given files through one target (to reproduce)
 * A broken property aborts, which fails the test. Files named todo-* hold
 * inputs that still trip a known bug: each runs in a child process and is
 * reported as a TAP TODO (so the suite passes while the bug is open, and the
 * test XPASSes - a failure under automake - once it is fixed: then rename
 * the file without the todo- prefix). */
#include "config.h"
#include "fuzz.h"

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct target {
    const char *name;
    int (*fn)(const uint8_t *data, size_t size);
} target;

static const target targets[] = {
    {"csv", fuzz_csv},
    {"ndjson", fuzz_ndjson},
    {"journal", fuzz_journal},
    {"prov_amplemarket", fuzz_prov_amplemarket},
    {"prov_thehog", fuzz_prov_thehog},
    {"prov_openfunnel", fuzz_prov_openfunnel},
    {"prov_woodpecker", fuzz_prov_woodpecker},
    {"prov_lance", fuzz_prov_lance},
};
#define NTARGETS (sizeof targets / sizeof targets[0])

static int tests;

static int replay_file(const target *t, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("not ok %d - %s: cannot open %s\n", ++tests, t->name, path);
        return 1;
    }
    ec_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ec_buf_put(&b, chunk, n);
    fclose(f);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strncmp(base, "todo-", 5) != 0) {
        t->fn((const uint8_t *)(b.p ? b.p : ""), b.len);
        ec_buf_free(&b);
        printf("ok %d - %s: %s\n", ++tests, t->name, base);
        fflush(stdout);
        return 0;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) { /* strict: no known-bug filter in the target */
        setenv("FUZZ_STRICT", "1", 1);
        t->fn((const uint8_t *)(b.p ? b.p : ""), b.len);
        exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    ec_buf_free(&b);
    int passed = pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    printf("%s %d - %s: %s # TODO known bug (see tests/README)\n", passed ? "ok" : "not ok",
           ++tests, t->name, base);
    fflush(stdout);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file in dir, in name order. */
static int replay_dir(const target *t, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        printf("not ok %d - %s: no directory %s\n", ++tests, t->name, dir);
        return 1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        names = ec_xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = ec_xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        ec_buf p = {0};
        ec_buf_printf(&p, "%s/%s", dir, names[i]);
        bad += replay_file(t, p.p);
        ec_buf_free(&p);
        free(names[i]);
    }
    free(names);
    return bad;
}

int main(int argc, char **argv)
{
    int bad = 0;
    if (argc > 2) {
        for (size_t i = 0; i < NTARGETS; i++)
            if (strcmp(argv[1], targets[i].name) == 0)
                for (int k = 2; k < argc; k++)
                    bad += replay_file(&targets[i], argv[k]);
    } else {
        const char *top = getenv("top_srcdir");
        for (size_t i = 0; i < NTARGETS; i++) {
            ec_buf dir = {0};
            ec_buf_printf(&dir, "%s/fuzz/regress/%s", top ? top : ".", targets[i].name);
            bad += replay_dir(&targets[i], dir.p);
            ec_buf_free(&dir);
        }
    }
    printf("1..%d\n", tests);
    return bad ? 1 : 0;
}
