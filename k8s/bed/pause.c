/*
 * The pod sandbox's init process for the Addispay test bed (scripts/cluster.sh builds it with gcc -static and
 * packs it into 127.0.0.1:5001/addispay/pause). It holds the pod's namespaces open, reaps any child that is
 * re-parented to it (PID 1 of a shared PID namespace), and exits 0 on SIGTERM or SIGINT.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void reap_children(void) {
  for (;;) {
    pid_t pid = waitpid(-1, NULL, WNOHANG);
    if (pid > 0) continue;
    if (pid < 0 && errno == EINTR) continue;
    return; /* 0: children remain but none has exited; -1/ECHILD: no children */
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "--version") == 0)) {
    puts("addispay-pause 1.0.0");
    return 0;
  }
  /* Take the signals synchronously: no handler can race the loop below. */
  sigset_t wanted;
  sigemptyset(&wanted);
  sigaddset(&wanted, SIGTERM);
  sigaddset(&wanted, SIGINT);
  sigaddset(&wanted, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &wanted, NULL) != 0) {
    perror("pause: sigprocmask");
    return 1;
  }
  if (getpid() != 1) fputs("pause: warning: not running as PID 1\n", stderr);
  for (;;) {
    int sig = 0;
    if (sigwait(&wanted, &sig) != 0) continue;
    if (sig == SIGCHLD) {
      reap_children();
      continue;
    }
    fprintf(stderr, "pause: shutting down on signal %d\n", sig);
    return 0;
  }
}
