/* run_process.h: running the built migsafe binary from a test, with its output captured.
 * Included by the tests that lint through the real command line (test_fixtures, test_twins). */
#ifndef MS_TEST_RUN_PROCESS_H
#define MS_TEST_RUN_PROCESS_H

#include "migsafe.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct proc {
    int status; /* exit status; -1 when it could not run or did not exit */
    char *out;  /* standard output, NUL-terminated */
    char *err;  /* standard error, NUL-terminated */
};

static char *read_fd(int fd)
{
    size_t len = 0, cap = 0;
    char *buf = NULL;
    lseek(fd, 0, SEEK_SET);
    for (;;) {
        MS_GROW(buf, cap, len + 4096);
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    return buf;
}

/* An unnamed temporary file: its descriptor, the file already unlinked. */
static int temp_file(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof(path), "%s/migsafe-test-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        ms_die("cannot create a temporary file in %s: %s", path, strerror(errno));
    unlink(path);
    return fd;
}

/* Runs argv (argv[0] a path) with its output in temporary files, so that neither stream can
 * fill a pipe and block it. */
static void run_process(char *const argv[], struct proc *p)
{
    int out = temp_file(), err = temp_file();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, err, STDERR_FILENO);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    p->status = -1;
    if (rc == 0) {
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        if (WIFEXITED(st))
            p->status = WEXITSTATUS(st);
    }
    p->out = read_fd(out);
    p->err = read_fd(err);
    close(out);
    close(err);
    if (rc != 0) {
        size_t n = strlen(argv[0]) + 128;
        free(p->err);
        p->err = ms_xmalloc(n);
        snprintf(p->err, n, "cannot run %s: %s", argv[0], strerror(rc));
    }
}

static void proc_release(struct proc *p)
{
    free(p->out);
    free(p->err);
}
#endif
