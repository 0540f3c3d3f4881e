/* sandbox_run.c - the --sandbox child process. */
#include "config.h"
#include "sandbox_run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <time.h>
#include <unistd.h>

/* Path of enrichcsv-sandbox: $ENRICHCSV_SANDBOX, beside /proc/self/exe, or the bare name. */
static char *sandbox_path(void)
{
    const char *env = getenv("ENRICHCSV_SANDBOX");
    if (env && *env)
        return ec_xstrdup(env);
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            ec_buf b = {0};
            ec_buf_put(&b, self, (size_t)(slash - self + 1));
            ec_buf_puts(&b, "enrichcsv-sandbox");
            if (access(b.p, X_OK) == 0)
                return ec_buf_take(&b);
            ec_buf_free(&b);
        }
    }
    return ec_xstrdup("enrichcsv-sandbox");
}

static char **build_argv(const char *prog, const char *port_file, char **extra_copy)
{
    const char *extra = getenv("ENRICHCSV_SANDBOX_ARGS");
    size_t n = 0;
    char **argv = ec_xcalloc(64, sizeof *argv);
    argv[n++] = (char *)prog;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--port-file";
    argv[n++] = (char *)port_file;
    *extra_copy = NULL;
    if (extra && *extra) {
        *extra_copy = ec_xstrdup(extra);
        char *save = NULL;
        for (char *t = strtok_r(*extra_copy, " \t", &save); t && n < 62;
             t = strtok_r(NULL, " \t", &save))
            argv[n++] = t;
    }
    argv[n] = NULL;
    return argv;
}

static int read_port(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int port = 0;
    if (fscanf(f, "%d", &port) != 1)
        port = 0;
    fclose(f);
    return port;
}

int ec_sandbox_start(ec_sandbox *sb, ec_buf *err)
{
    memset(sb, 0, sizeof *sb);
    const char *tmp = getenv("TMPDIR");
    snprintf(sb->port_file, sizeof sb->port_file, "%s/enrichcsv-sandbox.%ld.port",
             tmp && *tmp ? tmp : "/tmp", (long)getpid());
    unlink(sb->port_file);
    char *prog = sandbox_path();
    char *extra = NULL;
    char **argv = build_argv(prog, sb->port_file, &extra);
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        /* its own process group: a Ctrl-C at the terminal goes to enrichcsv,
         * which stops the simulator itself after journaling what it knows */
        setpgid(0, 0);
#ifdef __linux__
        /* and when enrichcsv dies without stopping it (kill -9, a crash),
         * the simulator gets a SIGTERM instead of serving on as an orphan
         * (the second test: enrichcsv died before this line) */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(0);
#else
        (void)parent;
#endif
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
            close(devnull);
        }
        execvp(prog, argv);
        fprintf(stderr, "enrichcsv: cannot run %s: %s\n", prog, strerror(errno));
        _exit(127);
    }
    free(argv);
    free(extra);
    if (pid < 0) {
        ec_buf_printf(err, "cannot start the sandbox: %s", strerror(errno));
        free(prog);
        return -1;
    }
    sb->pid = pid;
    for (int i = 0; i < 400; i++) { /* up to 10 s */
        int port = read_port(sb->port_file);
        if (port > 0) {
            snprintf(sb->base_url, sizeof sb->base_url, "http://127.0.0.1:%d", port);
            free(prog);
            return 0;
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            sb->pid = 0;
            ec_buf_printf(err, "the sandbox (%s) exited before listening", prog);
            free(prog);
            return -1;
        }
        struct timespec ts = {0, 25 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    ec_buf_printf(err, "the sandbox (%s) did not start listening within 10 s", prog);
    free(prog);
    ec_sandbox_stop(sb);
    return -1;
}

void ec_sandbox_stop(ec_sandbox *sb)
{
    if (sb->pid > 0) {
        kill(sb->pid, SIGTERM);
        int status;
        while (waitpid(sb->pid, &status, 0) < 0 && errno == EINTR)
            ;
        sb->pid = 0;
    }
    if (sb->port_file[0])
        unlink(sb->port_file);
}
