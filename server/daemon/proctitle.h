/*
 * proctitle.h - what `ps` shows for each siftd process ("siftd: spamd
 * worker #0"), written over the argv area as nginx and Postfix do.
 * Process-wide by nature, like the log sink: call proctitle_init once in
 * main() before anything reads argv or the environment again.
 */
#ifndef SIFT_DAEMON_PROCTITLE_H
#define SIFT_DAEMON_PROCTITLE_H

void proctitle_init(int argc, char **argv);
/* comm: the short name (15 bytes) that top and pgrep show; fmt: the full title. */
void proctitle_set(const char *comm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
