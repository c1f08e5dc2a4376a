/*
 * version.h - the release this tree builds.
 */
#ifndef SIFT_CORE_VERSION_H
#define SIFT_CORE_VERSION_H

#define SIFT_VERSION "0.1.0"

#endif
