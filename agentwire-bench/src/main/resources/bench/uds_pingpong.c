/*
 * The floor for a request/response round trip over a Unix domain socket on this machine: a client process
 * writes a JSON-RPC-sized line, a server process reads it and writes a reply line, N times. No parsing,
 * no allocation: just the two syscalls per side and the wake-ups. Prints one JSON object.
 *
 * usage: uds_pingpong SOCKET_PATH ITERATIONS WARMUP
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
    fprintf(stderr, "uds_pingpong: %s: %s\n", what, strerror(errno));
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

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: uds_pingpong SOCKET_PATH ITERATIONS WARMUP\n");
        return 2;
    }
    const char *path = argv[1];
    long iterations = atol(argv[2]), warmup = atol(argv[3]);
    if (iterations < 1 || warmup < 0) {
        fprintf(stderr, "uds_pingpong: ITERATIONS must be >= 1 and WARMUP >= 0\n");
        return 2;
    }
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path) {
        fprintf(stderr, "uds_pingpong: socket path too long\n");
        return 2;
    }
    strcpy(addr.sun_path, path);
    unlink(path);
    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    if (listener < 0) die("socket");
    if (bind(listener, (struct sockaddr *) &addr, sizeof addr) < 0) die("bind");
    if (listen(listener, 1) < 0) die("listen");

    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) { /* server */
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) die("accept");
        char buf[4096];
        while (read_line(fd, buf, sizeof buf) > 0) write_all(fd, REPLY, sizeof REPLY - 1);
        close(fd);
        _exit(0);
    }
    close(listener);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) < 0) die("connect");
    char buf[4096];
    uint64_t *samples = malloc(sizeof(uint64_t) * (size_t) iterations);
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
        samples[i] = now_ns() - t0;
    }
    uint64_t total = now_ns() - start;
    close(fd);
    waitpid(child, NULL, 0);
    unlink(path);
    qsort(samples, (size_t) iterations, sizeof(uint64_t), cmp_u64);
#define PCT(p) samples[(size_t) ((double) (iterations - 1) * (p))]
    printf("{\"p50Nanos\":%llu,\"p99Nanos\":%llu,\"p999Nanos\":%llu,\"roundTripsPerSecond\":%.1f}\n",
           (unsigned long long) PCT(0.50), (unsigned long long) PCT(0.99), (unsigned long long) PCT(0.999),
           (double) iterations * 1e9 / (double) total);
    free(samples);
    return 0;
}
