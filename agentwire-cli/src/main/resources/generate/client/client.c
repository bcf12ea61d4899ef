/* A minimal agentwire client in C: connect to the hub's Unix socket, say hub/hello, send one request, print
 * the answer. Build: cc -O2 -o agentwire-client client.c   Run: ./agentwire-client [METHOD] [PARAMS-JSON]
 * The socket: $AGENTWIRE_HOME/hub.sock, else ~/.agentwire/hub.sock. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int read_line(int fd, char *buf, size_t size) {
    size_t n = 0;
    while (n + 1 < size) {
        ssize_t r = read(fd, buf + n, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        if (buf[n] == '\n') { buf[n] = 0; return (int)n; }
        n++;
    }
    buf[n] = 0;
    return (int)n;
}

int main(int argc, char **argv) {
    const char *method = argc > 1 ? argv[1] : "hub/ping";
    const char *params = argc > 2 ? argv[2] : "{}";
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    const char *home = getenv("AGENTWIRE_HOME");
    int len = home ? snprintf(path, sizeof path, "%s/hub.sock", home)
                   : snprintf(path, sizeof path, "%s/.agentwire/hub.sock", getenv("HOME") ? getenv("HOME") : ".");
    if (len < 0 || (size_t)len >= sizeof path) {
        fprintf(stderr, "the socket path is longer than sun_path allows (%zu bytes): ENAMETOOLONG\n", sizeof path - 1);
        return 2;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, path, (size_t)len + 1);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        int e = errno;
        fprintf(stderr, "cannot connect to %s: %s (aw errno %d explains; is the hub running? aw hub)\n", path, strerror(e), e);
        return 3;
    }
    char request[8192];
    int n = snprintf(request, sizeof request,
                     "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/hello\",\"params\":{\"name\":\"c-client\"}}\n"
                     "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"%s\",\"params\":%s}\n", method, params);
    if (n < 0 || (size_t)n >= sizeof request) { fprintf(stderr, "request too long\n"); return 2; }
    for (int off = 0; off < n;) {
        ssize_t w = write(fd, request + off, (size_t)(n - off));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) { perror("write"); return 1; }
        off += (int)w;
    }
    static char line[1 << 20];
    if (read_line(fd, line, sizeof line) < 0) { fprintf(stderr, "the hub closed the connection\n"); return 1; }
    if (strstr(line, "\"error\"")) { fprintf(stderr, "hub/hello failed: %s\n", line); return 4; }
    if (read_line(fd, line, sizeof line) < 0) { fprintf(stderr, "the hub closed the connection\n"); return 1; }
    printf("%s\n", line);
    close(fd);
    return strstr(line, "\"error\"") ? 1 : 0;
}
