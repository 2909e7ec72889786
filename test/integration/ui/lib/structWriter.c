/*
 * A separate process that writes `struct shared_state` (from the test workspace's header, given
 * with -I) into a System V segment through its own attachment, for overlay.ui.mjs. Compiled by
 * the test with the system's cc against the same header the overlay lays out, so the values
 * the panel shows also check that our layout is the compiler's.
 *
 *   structWriter <shmid> <magic> <name> <level>
 *     attaches, writes magic, pid (its own), counter 0, name and level once, prints "ready <pid>";
 *     then one command per stdin line:
 *       counter <n>   sets counter to n, prints "counter <n>"
 *     exits (detaching) at end of input, so it never outlives the test that started it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <unistd.h>

#include "shared_state.h"

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: structWriter <shmid> <magic> <name> <level>\n");
    return 2;
  }
  int id = atoi(argv[1]);
  struct shmid_ds ds;
  if (shmctl(id, IPC_STAT, &ds) != 0 || ds.shm_segsz < sizeof(struct shared_state)) {
    fprintf(stderr, "structWriter: segment %d is missing or smaller than struct shared_state\n", id);
    return 1;
  }
  struct shared_state *s = shmat(id, NULL, 0);
  if (s == (void *)-1) {
    fprintf(stderr, "structWriter: shmat(%d): %s\n", id, strerror(errno));
    return 1;
  }
  s->magic = (uint32_t)strtoul(argv[2], NULL, 0);
  s->pid = (int32_t)getpid();
  s->counter = 0;
  memset(s->name, 0, sizeof s->name);
  strncpy(s->name, argv[3], sizeof s->name - 1);
  s->level = strtod(argv[4], NULL);
  printf("ready %d\n", (int)getpid());
  fflush(stdout);

  char line[128];
  while (fgets(line, sizeof line, stdin)) {
    uint64_t n;
    if (sscanf(line, "counter %" SCNu64, &n) == 1) {
      s->counter = n;
      printf("counter %" PRIu64 "\n", n);
    } else {
      printf("unknown command\n");
    }
    fflush(stdout);
  }
  shmdt(s);
  return 0;
}
