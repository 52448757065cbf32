/* A tiny HTTP/1.0 server: / greets, /healthz is liveness, /readyz turns ready after a warm-up second. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stopping = 0;

static void on_term(int sig) { (void)sig; stopping = 1; }

static void reply(int fd, int code, const char *reason, const char *body) {
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.0 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     code, reason, strlen(body));
    if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0) perror("write");
}

int main(void) {
    const char *env = getenv("PORT");
    int port = env ? atoi(env) : 8080;
    time_t started = time(NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int srv = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (srv < 0 || bind(srv, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(srv, 16) < 0) {
        perror("listen");
        return 1;
    }
    printf("c-web listening on :%d\n", port);
    fflush(stdout);
    while (!stopping) {
        int fd = accept(srv, NULL, NULL);
        if (fd < 0) continue;
        char req[1024] = {0};
        ssize_t got = read(fd, req, sizeof req - 1);
        char method[8] = {0}, path[256] = {0};
        if (got <= 0 || sscanf(req, "%7s %255s", method, path) != 2) {
            reply(fd, 400, "Bad Request", "{\"error\":\"bad request\"}");
        } else if (strcmp(path, "/healthz") == 0) {
            reply(fd, 200, "OK", "{\"status\":\"alive\"}");
        } else if (strcmp(path, "/readyz") == 0) {
            if (time(NULL) - started >= 1) reply(fd, 200, "OK", "{\"status\":\"ready\"}");
            else reply(fd, 503, "Service Unavailable", "{\"status\":\"warming up\"}");
        } else if (strcmp(path, "/") == 0) {
            reply(fd, 200, "OK", "{\"message\":\"hello from c-web\"}");
        } else {
            reply(fd, 404, "Not Found", "{\"error\":\"not found\"}");
        }
        close(fd);
    }
    close(srv);
    return 0;
}
