/*
 * err.h - the caller-supplied error buffer.
 * A function that can fail returns 0 or -1 and, on -1, leaves a one-line
 * reason in *err ("local.d/spamd.yaml:12:5: max_size: not a size").
 */
#ifndef SIFT_CORE_ERR_H
#define SIFT_CORE_ERR_H

struct sift_err {
    char msg[512];
};

/* Replace err->msg; err may be NULL (the reason is then dropped). */
void sift_err_set(struct sift_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Put "prefix: " in front of the message already in err. */
void sift_err_prefix(struct sift_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
