/*
 * siftadm.h - what the siftadm command files share.
 */
#ifndef SIFT_CLIENT_SIFTADM_H
#define SIFT_CLIENT_SIFTADM_H

#include <stddef.h>

struct adm {
    const char *config;
    const char **overrides;
    size_t noverrides;
};

/* siftadm inspect [--json] FILE...: the message as sift parses it. */
int adm_inspect(const struct adm *a, int argc, char **argv);

#endif
