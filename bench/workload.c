/* Benchmark workloads, compiled at bench time (bench/workload.ts). Each mode times itself with
 * CLOCK_MONOTONIC and prints "BENCH_NS <elapsed>" so that a run's own start-up (fence, bwrap, the
 * monitor attaching and detaching) is not part of the figure. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int usage(void) {
  fprintf(stderr, "usage: workload same N PATH | distinct N PREFIX | timed N INTERVAL_US PREFIX |"
                  " ticks N INTERVAL_US | nullcalls N | filecalls N PATH | lookups N PREFIX\n");
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 3) return usage();
  const char *mode = argv[1];
  long n = atol(argv[2]);
  long fails = 0;
  long long t0 = now_ns();
  if (!strcmp(mode, "same") && argc == 4) {
    /* N denied writes of one path: the storm the kernel-side dedup exists for. */
    for (long i = 0; i < n; i++) {
      int fd = open(argv[3], O_WRONLY | O_CREAT, 0644);
      if (fd < 0) fails++; else close(fd);
    }
  } else if (!strcmp(mode, "distinct") && argc == 4) {
    /* N denied writes, each of a different path: every one is a new record. */
    char p[256];
    for (long i = 0; i < n; i++) {
      snprintf(p, sizeof p, "%s%ld", argv[3], i);
      int fd = open(p, O_WRONLY | O_CREAT, 0644);
      if (fd < 0) fails++; else close(fd);
    }
  } else if (!strcmp(mode, "lookups") && argc == 4) {
    /* N failing lookups (ENOENT) of 1,000 missing names in turn, as PATH search and config probing
     * make: every one reaches the monitor's lookup branch; 1,000 are new records, the rest repeats. */
    char p[256];
    struct stat st;
    for (long i = 0; i < n; i++) {
      snprintf(p, sizeof p, "%s%ld", argv[3], i % 1000);
      if (stat(p, &st) < 0) fails++;
    }
  } else if (!strcmp(mode, "timed") && argc == 5) {
    /* Denied writes of paths that carry CLOCK_MONOTONIC right before the call: the reader computes
     * latency from the path alone (same clock as bpftrace's nsecs and Node's hrtime). */
    long interval = atol(argv[3]);
    char p[256];
    for (long i = 0; i < n; i++) {
      snprintf(p, sizeof p, "%s%lld", argv[4], now_ns());
      int fd = open(p, O_WRONLY | O_CREAT, 0644);
      if (fd < 0) fails++; else close(fd);
      usleep(interval);
    }
  } else if (!strcmp(mode, "ticks") && argc == 4) {
    /* The machine's own wake-up latency floor: CLOCK_MONOTONIC written to a pipe every interval,
     * read by the benchmark exactly as it reads the monitor (no kernel probe in between). */
    long interval = atol(argv[3]);
    for (long i = 0; i < n; i++) {
      printf("TICK %lld\n", now_ns());
      fflush(stdout);
      usleep(interval);
    }
  } else if (!strcmp(mode, "nullcalls")) {
    /* The cheapest syscall: the worst case for a probe on every syscall of the machine. */
    for (long i = 0; i < n; i++) syscall(SYS_getppid);
  } else if (!strcmp(mode, "filecalls") && argc == 4) {
    /* open + read + close of a small file: ordinary file work of an unrelated process. */
    char buf[256];
    for (long i = 0; i < n; i++) {
      int fd = open(argv[3], O_RDONLY);
      if (fd < 0) { fails++; continue; }
      if (read(fd, buf, sizeof buf) < 0) fails++;
      close(fd);
    }
  } else {
    return usage();
  }
  long long t1 = now_ns();
  /* CPU time too: a probe's cost is charged to the traced process as system time, and CPU time is
   * far less disturbed than wall time by other tenants of a shared machine. */
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  long long cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
  printf("BENCH_NS %lld\nBENCH_CPU_NS %lld\nBENCH_FAILS %ld\n", t1 - t0, cpu, fails);
  return 0;
}
