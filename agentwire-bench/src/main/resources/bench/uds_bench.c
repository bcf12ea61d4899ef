/*
 * The floors for request/response round trips over Unix domain sockets on this machine, with no parsing and
 * no allocation: just the syscalls and the wake-ups. Three modes:
 *
 *   uds_bench pingpong SOCKET ITERATIONS WARMUP   client -> echo process (the floor of any one-hop call)
 *   uds_bench relay DIR ITERATIONS WARMUP         client -> relay process -> echo process (two hops)
 *   uds_bench client SOCKET ITERATIONS WARMUP     client -> a server already listening (the hub's hub/ping)
 *
 * Writes to standard output the measured loop's total nanoseconds, then one sample per round trip, each a
 * native-endian unsigned 64-bit count of nanoseconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char REQUEST[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}\n";
static const char REPLY[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"pong\":true,\"ts\":1700000000000}}\n";

static void die(const char *what) {
    fprintf(stderr, "uds_bench: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* Reads until a newline; returns bytes read or -1 at EOF. */
static ssize_t read_line(int fd, char *buf, size_t cap) {
    size_t n = 0;
    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            return -1;
        }
        n += (size_t) r;
        if (buf[n - 1] == '\n') return (ssize_t) n;
    }
    return (ssize_t) n;
}

static void write_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            die("write");
        }
        p += w;
        len -= (size_t) w;
    }
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static struct sockaddr_un address(const char *path) {
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path) {
        fprintf(stderr, "uds_bench: socket path too long: %s\n", path);
        exit(2);
    }
    strcpy(addr.sun_path, path);
    return addr;
}

static int listen_on(const char *path) {
    struct sockaddr_un addr = address(path);
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    if (bind(fd, (struct sockaddr *) &addr, sizeof addr) < 0) die("bind");
    if (listen(fd, 1) < 0) die("listen");
    return fd;
}

static int connect_to(const char *path) {
    struct sockaddr_un addr = address(path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) < 0) die("connect");
    return fd;
}

/* Forks a process that accepts one connection on LISTENER and answers every line with REPLY. */
static pid_t fork_echo(int listener) {
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) die("accept");
        char buf[4096];
        while (read_line(fd, buf, sizeof buf) > 0) write_all(fd, REPLY, sizeof REPLY - 1);
        _exit(0);
    }
    close(listener);
    return child;
}

/* Forks a process that accepts one connection on LISTENER and passes each line to UPSTREAM and its answer back. */
static pid_t fork_relay(int listener, const char *upstream) {
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        int up = connect_to(upstream);
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) die("accept");
        char buf[4096];
        ssize_t n;
        while ((n = read_line(fd, buf, sizeof buf)) > 0) {
            write_all(up, buf, (size_t) n);
            if ((n = read_line(up, buf, sizeof buf)) < 0) break;
            write_all(fd, buf, (size_t) n);
        }
        _exit(0);
    }
    close(listener);
    return child;
}

/* Times ITERATIONS request lines and their answers on FD after WARMUP untimed ones; writes the samples out. */
static void measure(int fd, long iterations, long warmup) {
    char buf[4096];
    uint64_t *samples = malloc(sizeof(uint64_t) * (size_t) (iterations + 1));
    if (!samples) die("malloc");
    for (long i = 0; i < warmup; i++) {
        write_all(fd, REQUEST, sizeof REQUEST - 1);
        if (read_line(fd, buf, sizeof buf) < 0) die("read");
    }
    uint64_t start = now_ns();
    for (long i = 0; i < iterations; i++) {
        uint64_t t0 = now_ns();
        write_all(fd, REQUEST, sizeof REQUEST - 1);
        if (read_line(fd, buf, sizeof buf) < 0) die("read");
        samples[i + 1] = now_ns() - t0;
    }
    samples[0] = now_ns() - start;
    close(fd);
    size_t bytes = sizeof(uint64_t) * (size_t) (iterations + 1);
    if (fwrite(samples, 1, bytes, stdout) != bytes) die("write samples");
    fflush(stdout);
    free(samples);
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: uds_bench pingpong|relay|client SOCKET-OR-DIR ITERATIONS WARMUP\n");
        return 2;
    }
    const char *mode = argv[1], *path = argv[2];
    long iterations = atol(argv[3]), warmup = atol(argv[4]);
    if (iterations < 1 || warmup < 0) {
        fprintf(stderr, "uds_bench: ITERATIONS must be >= 1 and WARMUP >= 0\n");
        return 2;
    }
    pid_t children[2] = {0, 0};
    int fd;
    char echo[4096], relay[4096];
    if (strcmp(mode, "pingpong") == 0) {
        children[0] = fork_echo(listen_on(path));
        fd = connect_to(path);
    } else if (strcmp(mode, "relay") == 0) {
        snprintf(echo, sizeof echo, "%s/echo.sock", path);
        snprintf(relay, sizeof relay, "%s/relay.sock", path);
        children[0] = fork_echo(listen_on(echo));
        children[1] = fork_relay(listen_on(relay), echo);
        fd = connect_to(relay);
    } else if (strcmp(mode, "client") == 0) {
        fd = connect_to(path);
    } else {
        fprintf(stderr, "uds_bench: unknown mode %s\n", mode);
        return 2;
    }
    measure(fd, iterations, warmup);
    for (int i = 0; i < 2; i++) {
        if (children[i] > 0) waitpid(children[i], NULL, 0);
    }
    return 0;
}
