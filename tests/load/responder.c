/*
 * responder.c: the trivial libfcgi responder, the ceiling of the FastCGI path
 * in `make bench` (tests/load/bench.py). A test tool, not product code.
 *
 *   responder SOCKET WORKERS BODY_FILE
 *
 * Listens on the unix socket SOCKET, forks WORKERS processes that each loop
 * on FCGX_Accept_r() and answer every request 200 with BODY_FILE's bytes as
 * application/json: the same socket set-up as lume-fcgi's workers, none of
 * their work. SIGTERM ends the processes.
 */
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *read_body(const char *path, int *len)
{
    FILE *f = fopen(path, "rb");
    char *body = malloc(1 << 20);
    size_t n;

    if (f == NULL || body == NULL)
        return NULL;
    n = fread(body, 1, (1 << 20) - 1, f);
    fclose(f);
    *len = (int)n;
    return body;
}

static void serve(int sock, const char *body, int len)
{
    static const char head[] = "Status: 200 OK\r\nContent-Type: application/json\r\n\r\n";
    FCGX_Request r;

    FCGX_InitRequest(&r, sock, 0);
    while (FCGX_Accept_r(&r) == 0) {
        FCGX_PutStr(head, sizeof(head) - 1, r.out);
        FCGX_PutStr(body, len, r.out);
        FCGX_Finish_r(&r);
    }
}

int main(int argc, char **argv)
{
    int workers, len, sock;
    char *body;

    if (argc != 4 || (workers = atoi(argv[2])) < 1) {
        fprintf(stderr, "usage: responder SOCKET WORKERS BODY_FILE\n");
        return 2;
    }
    body = read_body(argv[3], &len);
    if (body == NULL || FCGX_Init() != 0) {
        fprintf(stderr, "responder: cannot read %s\n", argv[3]);
        return 1;
    }
    unlink(argv[1]);
    sock = FCGX_OpenSocket(argv[1], 1024);
    if (sock < 0) {
        fprintf(stderr, "responder: cannot listen on %s\n", argv[1]);
        return 1;
    }
    chmod(argv[1], 0666);
    for (int i = 0; i < workers; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            serve(sock, body, len);
            _exit(0);
        }
    }
    signal(SIGTERM, SIG_IGN);
    while (wait(NULL) > 0) {
    }
    return 0;
}
