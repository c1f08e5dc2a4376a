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
/* siftadm scan [--report|--json] [--local] [FILE...]: the whole scan, here. */
int adm_scan(const struct adm *a, int argc, char **argv);
/* siftadm rules [--skipped] [--local] [--yaml FILE]: what loading the rules read and
 * left out; the translated rules written as native YAML. */
int adm_rules(const struct adm *a, int argc, char **argv);
/* siftadm bayes stat|dump|restore|expire|sync|recover|lookup|learn --path PREFIX */
int adm_bayes(const struct adm *a, int argc, char **argv);

#endif
