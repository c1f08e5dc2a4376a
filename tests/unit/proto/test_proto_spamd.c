/*
 * test_proto_spamd.c - the SPAMC request parser against the spec
 * (spec/spamd-protocol.md 2, 4.8, 4.9, 6): every case is fed whole, in two
 * parts split at every byte, and byte by byte, and must give the same result.
 */
#include "proto/proto_spamd.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "../unit.h"

/* Small limits so that each one is easy to reach from a table. */
static const struct spamd_limits test_lim = { .max_size = 160, .line_max = 48 };

#define B16  "0123456789abcdef"
#define B144 B16 B16 B16 B16 B16 B16 B16 B16 B16
#define B160 B144 B16
#define X16  "xxxxxxxxxxxxxxxx"
#define X41  X16 X16 "xxxxxxxxx" /* "User: " X41 "\r" is 48 bytes, the line limit */
#define X32  X16 X16             /* "CHECK SPAMC/1.5" X32 "\r" is 48 bytes */

#define E65_MAX "SPAMD/1.0 65 Data format error: (message larger than max_size: 160 bytes)\r\n"

struct spamd_case {
    const char *in;
    bool eof;             /* spamd_eof after the last byte */
    enum proto_status st; /* the final status */
    size_t trail;         /* DONE or MORE: bytes the parser must leave unconsumed */
    const char *err;      /* ERROR: the rendered status line */
    enum spamd_method method;
    double version;
    bool has_length;
    size_t content_length;
    bool compress;
    const char *user, *message_class;
    bool class_spam;
    unsigned set, remove;
    const char *body; /* NULL: empty */
};

static const struct spamd_case cases[] = {
    /* 0: every method, SPAMC/1.5, Content-length body */
    { .in = "CHECK SPAMC/1.5\r\nContent-length: 5\r\n\r\nhello",
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .has_length = true,
      .content_length = 5,
      .body = "hello" },
    { .in = "SYMBOLS SPAMC/1.5\r\nContent-length: 5\r\n\r\nhello",
      .st = PROTO_DONE,
      .method = SPAMD_SYMBOLS,
      .version = 1.5,
      .has_length = true,
      .content_length = 5,
      .body = "hello" },
    { .in = "REPORT SPAMC/1.5\r\nContent-length: 5\r\n\r\nhello",
      .st = PROTO_DONE,
      .method = SPAMD_REPORT,
      .version = 1.5,
      .has_length = true,
      .content_length = 5,
      .body = "hello" },
    { .in = "REPORT_IFSPAM SPAMC/1.5\r\nContent-length: 5\r\n\r\nhello",
      .st = PROTO_DONE,
      .method = SPAMD_REPORT_IFSPAM,
      .version = 1.5,
      .has_length = true,
      .content_length = 5,
      .body = "hello" },
    { .in = "PROCESS SPAMC/1.5\r\nContent-length: 5\r\n\r\nhello",
      .st = PROTO_DONE,
      .method = SPAMD_PROCESS,
      .version = 1.5,
      .has_length = true,
      .content_length = 5,
      .body = "hello" },
    { .in = "HEADERS SPAMC/1.5\r\nContent-length: 5\r\n\r\nhello",
      .st = PROTO_DONE,
      .method = SPAMD_HEADERS,
      .version = 1.5,
      .has_length = true,
      .content_length = 5,
      .body = "hello" },
    { .in = "TELL SPAMC/1.5\r\nMessage-class: spam\r\nSet: local\r\nContent-length: 2\r\n\r\nhi",
      .st = PROTO_DONE,
      .method = SPAMD_TELL,
      .version = 1.5,
      .has_length = true,
      .content_length = 2,
      .message_class = "spam",
      .class_spam = true,
      .set = SPAMD_LOCAL,
      .body = "hi" },

    /* 7: PING and SKIP (4.8, 4.9): headers only from 1.5 on, never a body */
    { .in = "PING SPAMC/1.5\r\n\r\n", .st = PROTO_DONE, .method = SPAMD_PING, .version = 1.5 },
    { .in = "PING SPAMC/1.5\r\n", .st = PROTO_MORE },
    { .in = "PING SPAMC/1.5\r\n",
      .eof = true,
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (EOF during headers)\r\n" },
    { .in = "PING SPAMC/1.2\r\n", .st = PROTO_DONE, .method = SPAMD_PING, .version = 1.2 },
    { .in = "PING SPAMC/1.2\r\n\r\n",
      .st = PROTO_DONE,
      .trail = 2,
      .method = SPAMD_PING,
      .version = 1.2 },
    { .in = "PING SPAMC/1.0\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_PING,
      .version = 1.0 },
    { .in = "PING SPAMC/1.49\r\nUser: bob\r\n",
      .st = PROTO_DONE,
      .trail = 11,
      .method = SPAMD_PING,
      .version = 1.49 },
    { .in = "PING SPAMC/1.5\r\nUser: bob\r\n\r\n",
      .st = PROTO_DONE,
      .method = SPAMD_PING,
      .version = 1.5,
      .user = "bob" },
    { .in = "PING SPAMC/1.5\r\nContent-length: 5\r\n\r\nhello",
      .st = PROTO_DONE,
      .trail = 5,
      .method = SPAMD_PING,
      .version = 1.5,
      .has_length = true,
      .content_length = 5 },
    { .in = "PING SPAMC/1.5\r\nCompress: zlib\r\n\r\n",
      .st = PROTO_DONE,
      .method = SPAMD_PING,
      .version = 1.5,
      .compress = true },
    { .in = "SKIP SPAMC/1.5\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_SKIP,
      .version = 1.5 },
    { .in = "SKIP SPAMC/1.2\r\n", .st = PROTO_DONE, .method = SPAMD_SKIP, .version = 1.2 },
    { .in = "SKIP SPAMC/1.5\r\nUser: a\001\r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (User header contains control chars)\r\n" },

    /* 20: versions (2.2): scan methods read headers only above 1.0, TELL always */
    { .in = "CHECK SPAMC/1.0\r\nSubject: hi\r\n\r\nbody",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.0,
      .body = "Subject: hi\r\n\r\nbody" },
    { .in = "CHECK SPAMC/1.0\r\nSubject: hi\r\n\r\nbody", .st = PROTO_MORE },
    { .in = "PROCESS SPAMC/1.0\r\nContent-length: 3\r\n\r\nabc",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_PROCESS,
      .version = 1.0,
      .body = "Content-length: 3\r\n\r\nabc" },
    { .in = "CHECK SPAMC/1.2\r\nContent-length: 3\r\n\r\nabc",
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.2,
      .has_length = true,
      .content_length = 3,
      .body = "abc" },
    { .in = "HEADERS SPAMC/1.2\r\n\r\nmsg",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_HEADERS,
      .version = 1.2,
      .body = "msg" },
    { .in = "CHECK SPAMC/1.1\r\nContent-length: 1\r\n\r\nx",
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.1,
      .has_length = true,
      .content_length = 1,
      .body = "x" },
    { .in = "TELL SPAMC/1.0\r\nMessage-class: ham\r\nRemove: local\r\nContent-length: 2\r\n\r\nhi",
      .st = PROTO_DONE,
      .method = SPAMD_TELL,
      .version = 1.0,
      .has_length = true,
      .content_length = 2,
      .message_class = "ham",
      .remove = SPAMD_LOCAL,
      .body = "hi" },
    { .in = "CHECK SPAMC/x\r\nmsg",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 0,
      .body = "msg" },
    { .in = "CHECK SPAMC/\r\nmsg",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 0,
      .body = "msg" },
    { .in = "CHECK SPAMC/ 1.5abc\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .body = "" },
    { .in = "CHECK SPAMC/1.5\r\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5 },
    { .in = "CHECK SPAMC/.5\r\nx",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 0.5,
      .body = "x" },
    { .in = "CHECK SPAMC/-2\r\nx",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = -2,
      .body = "x" },
    { .in = "CHECK SPAMC/1.50\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5 },

    /* 34: bodies (2.4) */
    { .in = "CHECK SPAMC/1.5\r\nContent-length: 3\r\n\r\nabcEXTRA",
      .st = PROTO_DONE,
      .trail = 5,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .has_length = true,
      .content_length = 3,
      .body = "abc" },
    { .in = "CHECK SPAMC/1.5\r\nContent-length: 0\r\n\r\nEXTRA",
      .eof = true,
      .st = PROTO_DONE,
      .trail = 5,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .has_length = true },
    { .in = "CHECK SPAMC/1.5\r\nContent-length:\r\n\r\n",
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .has_length = true },
    { .in = "CHECK SPAMC/1.5\r\n\r\nline1\r\nline2\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .body = "line1\r\nline2\r\n" },
    { .in = "CHECK SPAMC/1.5\r\n\r\nline1\r\nline2\r\n", .st = PROTO_MORE },
    { .in = "CHECK SPAMC/1.5\r\nContent-length: 10\r\n\r\nabc",
      .eof = true,
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (Content-Length mismatch: Expected 10 bytes, got 3 "
             "bytes)\r\n" },
    { .in = "CHECK SPAMC/1.5\r\nContent-length: 155\r\n\r\n" B144 "x",
      .eof = true,
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (Content-Length mismatch: Expected 155 bytes, got "
             "145 bytes)\r\n" },
    { .in = "CHECK SPAMC/1.5\r\nContent-length: 10\r\n\r\nabc", .st = PROTO_MORE },
    { .in = "CHECK SPAMC/1.5\nContent-length: 2\n\nhi",
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .has_length = true,
      .content_length = 2,
      .body = "hi" },
    { .in = "TELL SPAMC/1.5\r\nSet: remote\n\r\nhi\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_TELL,
      .version = 1.5,
      .set = SPAMD_REMOTE,
      .body = "hi\n" },
    { .in = "CHECK SPAMC/1.5\r\nContent-Length: 3\r\n\r\nabcdef",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .body = "abcdef" },
    { .in = "CHECK SPAMC/1.5\r\nContent-length: 10\r\nContent-length: 2\r\n\r\nhi!",
      .st = PROTO_DONE,
      .trail = 1,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .has_length = true,
      .content_length = 2,
      .body = "hi" },
    { .in = "CHECK SPAMC/1.5\r\nContent-length: 4\r\n\r\n\r\n\r\n",
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .has_length = true,
      .content_length = 4,
      .body = "\r\n\r\n" },

    /* 48: request line errors (2.1, 6) */
    { .in = "FOO SPAMC/1.5\r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: FOO SPAMC/1.5\r\n" },
    { .in = "check SPAMC/1.5\r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: check SPAMC/1.5\r\n" },
    { .in = "CHECK\r\n\r\n", .st = PROTO_ERROR, .err = "SPAMD/1.0 76 Bad header line: CHECK\r\n" },
    { .in = "GET / HTTP/1.0\r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: GET / HTTP/1.0\r\n" },
    { .in = " CHECK SPAMC/1.5\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line:  CHECK SPAMC/1.5\r\n" },
    { .in = "CHECKSPAMC/1.5\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: CHECKSPAMC/1.5\r\n" },
    { .in = "REPORT_IFSPAMX SPAMC/1.5\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: REPORT_IFSPAMX SPAMC/1.5\r\n" },
    { .in = "CHECK spamc/1.5\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: CHECK spamc/1.5\r\n" },
    { .in = "CHECK SPAMC/1.5 \r\n\r\n",
      .eof = true,
      .st = PROTO_DONE, /* the version is read */
      .method = SPAMD_CHECK,
      .version = 1.5 }, /* as a number: not an error */
    { .in = "\r\n", .st = PROTO_ERROR, .err = "SPAMD/1.0 76 Bad header line: \r\n" },

    /* 58: EOF before the request is complete */
    { .in = "",
      .eof = true,
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (closed before headers)\r\n" },
    { .in = "", .st = PROTO_MORE },
    { .in = "CHE",
      .eof = true,
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (EOF during headers)\r\n" },
    { .in = "CHE", .st = PROTO_MORE, .trail = 3 },
    { .in = "CHECK SPAMC/1.5\r\n",
      .eof = true,
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (EOF during headers)\r\n" },
    { .in = "CHECK SPAMC/1.5\r\nUser: bob\r\n",
      .eof = true,
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (EOF during headers)\r\n" },
    { .in = "CHECK SPAMC/1.5\r\nUser: bo", .st = PROTO_MORE, .trail = 8 },
    { .in = "TELL SPAMC/1.5\r\nUser: bob\r\n\r",
      .eof = true,
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (EOF during headers)\r\n" },

    /* 66: header errors (2.3, 2.5, 6) */
    { .in = "CHECK SPAMC/1.5\r\nNoColon\r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (header not in 'Name: value' format)\r\n" },
    { .in = "CHECK SPAMC/1.5\r\nContent-length: 1x\r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (Content-Length contains non-numeric bytes)\r\n" },
    { .in = "CHECK SPAMC/1.5\r\nContent-length: -1\r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (Content-Length contains non-numeric bytes)\r\n" },
    { .in = "CHECK SPAMC/1.5\r\nContent-length: 5 \r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (Content-Length contains non-numeric bytes)\r\n" },
    { .in = "CHECK SPAMC/1.5\r\nContent-length: 0x10\r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (Content-Length contains non-numeric bytes)\r\n" },
    { .in = "CHECK SPAMC/1.5\r\nUser: a\001b\r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (User header contains control chars)\r\n" },
    { .in = "CHECK SPAMC/1.5\r\nUser: a\177\r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (User header contains control chars)\r\n" },
    { .in = "CHECK SPAMC/1.5\r\nUser: a\tb\r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (User header contains control chars)\r\n" },
    { .in = "CHECK SPAMC/1.5\r\nCompress: gzip\r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (compression type not supported: gzip)\r\n" },
    { .in = "CHECK SPAMC/1.5\r\nCompress:\r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (compression type not supported: )\r\n" },
    { .in = "CHECK SPAMC/1.5\r\nCompress: zlib\r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 69 Service Unavailable: Compress requires Content-length header\r\n" },
    { .in = "TELL SPAMC/1.5\r\nCompress: zlib\r\n\r\nxx",
      .eof = true,
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 69 Service Unavailable: Compress requires Content-length header\r\n" },

    /* 78: header values (2.3) */
    { .in = "CHECK SPAMC/1.5\r\nCompress: x-ZLIB-y\r\nContent-length: 2\r\n\r\nzz",
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .has_length = true,
      .content_length = 2,
      .compress = true,
      .body = "zz" },
    { .in = "CHECK SPAMC/1.5\r\nUser:bob\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .user = "bob" },
    { .in = "CHECK SPAMC/1.5\r\nUser: \t bob smith\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .user = "bob smith" },
    { .in = "CHECK SPAMC/1.5\r\nUser:\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .user = "" },
    { .in = "CHECK SPAMC/1.5\r\nUser: j\xe9r\xf4me\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .user = "j\xe9r\xf4me" },
    { .in = "CHECK SPAMC/1.5\r\nUser: a\r\nUser: b\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .user = "b" },
    { .in = "CHECK SPAMC/1.5\r\nuser: a\r\nUser : b\r\nX-Foo: bar\r\n: x\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5 },
    { .in = "TELL SPAMC/1.5\r\nMessage-class: Spam\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_TELL,
      .version = 1.5,
      .message_class = "Spam" },
    { .in = "TELL SPAMC/1.5\r\nMessage-class: spam \r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_TELL,
      .version = 1.5,
      .message_class = "spam " },
    { .in = "TELL SPAMC/1.5\r\nMessage-class: spam\r\nMessage-class: ham\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_TELL,
      .version = 1.5,
      .message_class = "ham" },
    { .in = "TELL SPAMC/1.5\r\nSet: local,remote\r\nRemove: none\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_TELL,
      .version = 1.5,
      .set = SPAMD_LOCAL | SPAMD_REMOTE },
    { .in = "TELL SPAMC/1.5\r\nSet:LOCAL\r\nRemove: Local, REMOTE\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_TELL,
      .version = 1.5,
      .set = SPAMD_LOCAL,
      .remove = SPAMD_LOCAL | SPAMD_REMOTE },
    { .in = "TELL SPAMC/1.5\r\nSet: local\r\nSet: remote\r\nRemove: remote\r\nRemove: x\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_TELL,
      .version = 1.5,
      .set = SPAMD_REMOTE },

    /* 91: limits: max_size on both body paths, line_max on both line kinds */
    { .in = "CHECK SPAMC/1.5\r\nContent-length: 160\r\n\r\n" B160,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .has_length = true,
      .content_length = 160,
      .body = B160 },
    { .in = "CHECK SPAMC/1.5\r\nContent-length: 161\r\n\r\n", .st = PROTO_ERROR, .err = E65_MAX },
    { .in = "CHECK SPAMC/1.5\r\nContent-length: 99999999999999999999999999\r\n\r\n",
      .st = PROTO_ERROR,
      .err = E65_MAX },
    { .in = "CHECK SPAMC/1.0\r\n" B160,
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.0,
      .body = B160 },
    { .in = "CHECK SPAMC/1.0\r\n" B160 "x", .eof = true, .st = PROTO_ERROR, .err = E65_MAX },
    { .in = "TELL SPAMC/1.5\r\n\r\n" B160 "x", .st = PROTO_ERROR, .err = E65_MAX },
    { .in = "CHECK SPAMC/1.5" X32 "\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5 },
    { .in = "CHECK SPAMC/1.5" X32 "x\r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (request line too long)\r\n" },
    { .in = "CHECK SPAMC/1.5" X32 "x", .st = PROTO_MORE, .trail = 48 },
    { .in = "CHECK SPAMC/1.5" X32 "xx",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (request line too long)\r\n" },
    { .in = "CHECK SPAMC/1.5\r\nUser: " X41 "\r\n\r\n",
      .eof = true,
      .st = PROTO_DONE,
      .method = SPAMD_CHECK,
      .version = 1.5,
      .user = X41 },
    { .in = "CHECK SPAMC/1.5\r\nUser: " X41 "x\r\n\r\n",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (header line too long)\r\n" },
    { .in = "CHECK SPAMC/1.5\r\nUser: " X41 "xx",
      .st = PROTO_ERROR,
      .err = "SPAMD/1.0 76 Bad header line: (header line too long)\r\n" },
};

#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

/* What a worker does: append what arrives, feed, drop what was used. */
struct feeder {
    struct spamd_parser sp;
    struct buf pending;
    size_t consumed;
    enum proto_status st;
};

static void
feeder_init(struct feeder *f, const struct spamd_limits *lim)
{
    spamd_parser_init(&f->sp, lim);
    buf_init(&f->pending);
    f->consumed = 0;
    f->st = PROTO_MORE;
}

static void
feeder_push(struct feeder *f, const char *p, size_t n)
{
    size_t used = 0;

    buf_append(&f->pending, p, n);
    f->st = spamd_feed(&f->sp, f->pending.p, f->pending.len, &used);
    ck_assert_uint_le(used, f->pending.len);
    buf_consume(&f->pending, used);
    f->consumed += used;
}

static void
feeder_clear(struct feeder *f)
{
    spamd_parser_clear(&f->sp);
    buf_clear(&f->pending);
}

static void
check_str(const char *what, const char *got, const char *want, const char *how)
{
    if (want == NULL) {
        ck_assert_msg(got == NULL, "%s: %s is \"%s\", want NULL", how, what, got);
        return;
    }
    ck_assert_msg(got != NULL, "%s: %s is NULL, want \"%s\"", how, what, want);
    ck_assert_msg(strcmp(got, want) == 0, "%s: %s is \"%s\", want \"%s\"", how, what, got, want);
}

static void
check_request(const struct spamd_case *c, const struct spamd_request *r, const char *how)
{
    const char *body = c->body != NULL ? c->body : "";

    ck_assert_msg(r->method == c->method, "%s: method %s", how, spamd_method_name(r->method));
    ck_assert_msg(r->version == c->version, "%s: version %g, want %g", how, r->version, c->version);
    ck_assert_msg(r->has_length == c->has_length, "%s: has_length", how);
    ck_assert_msg(r->content_length == c->content_length, "%s: content_length %zu", how,
                  r->content_length);
    ck_assert_msg(r->compress == c->compress, "%s: compress", how);
    check_str("user", r->user, c->user, how);
    check_str("message_class", r->message_class, c->message_class, how);
    ck_assert_msg(r->class_spam == c->class_spam, "%s: class_spam", how);
    ck_assert_msg(r->set == c->set, "%s: set %u", how, r->set);
    ck_assert_msg(r->remove == c->remove, "%s: remove %u", how, r->remove);
    ck_assert_msg(r->body.len == strlen(body), "%s: body length %zu, want %zu", how, r->body.len,
                  strlen(body));
    if (r->body.len > 0)
        ck_assert_mem_eq(r->body.p, body, r->body.len);
}

static void
check_result(const struct spamd_case *c, struct feeder *f, size_t len, const char *how)
{
    ck_assert_msg(f->st == c->st, "%s: status %d, want %d", how, f->st, c->st);
    if (c->st == PROTO_ERROR) {
        struct buf out;

        buf_init(&out);
        spamd_render_error(&out, f->sp.err_code, f->sp.err_text);
        ck_assert_msg(strcmp(out.p, c->err) == 0, "%s: error \"%s\"", how, out.p);
        buf_clear(&out);
        return;
    }
    ck_assert_msg(f->consumed == len - c->trail, "%s: consumed %zu of %zu, want %zu left", how,
                  f->consumed, len, c->trail);
    if (c->st == PROTO_DONE)
        check_request(c, &f->sp.req, how);
}

/*
 * Deliver in[0..len) in parts ending at cut and at every multiple of step
 * (step 0: only the cut), then EOF if the case says so.
 */
static void
run_parts(const struct spamd_case *c, const char *in, size_t len, size_t cut, size_t step,
          const char *how)
{
    struct feeder f;
    size_t pos = 0;

    feeder_init(&f, &test_lim);
    feeder_push(&f, in, cut);
    pos = cut;
    while (pos < len) {
        size_t n = step > 0 && len - pos > step ? step : len - pos;
        feeder_push(&f, in + pos, n);
        pos += n;
    }
    if (c->eof)
        f.st = spamd_eof(&f.sp);
    check_result(c, &f, len, how);
    feeder_clear(&f);
}

static void
check_case(const struct spamd_case *c, const char *in, size_t len)
{
    char how[64];

    run_parts(c, in, len, len, 0, "whole");
    for (size_t cut = 0; cut <= len; cut++) {
        snprintf(how, sizeof(how), "split at %zu", cut);
        run_parts(c, in, len, cut, 0, how);
    }
    run_parts(c, in, len, 0, 1, "byte by byte");
}

START_TEST(spamd_request_table)
{
    check_case(&cases[_i], cases[_i].in, strlen(cases[_i].in));
}
END_TEST

/* Spec 2.3: 255 header lines are fine, the 256th is refused whatever it is. */
START_TEST(spamd_header_count)
{
    static const struct spamd_case ok = {
        .eof = true, .st = PROTO_DONE, .method = SPAMD_CHECK, .version = 1.5, .user = "bob"
    };
    static const struct spamd_case too_many = {
        .st = PROTO_ERROR, .err = "SPAMD/1.0 76 Bad header line: (too many headers)\r\n"
    };
    static const char *const last[] = { "\r\n", "X-H: v\r\n\r\n", "User: \001\r\n" };
    struct buf in;

    buf_init(&in);
    buf_puts(&in, "CHECK SPAMC/1.5\r\nUser: bob\r\n");
    for (int i = 1; i < (int)SPAMD_MAX_HEADERS; i++)
        buf_puts(&in, "X-H: v\r\n");
    buf_puts(&in, last[_i]);
    check_case(_i == 0 ? &ok : &too_many, in.p, in.len);
    buf_clear(&in);
}
END_TEST

START_TEST(spamd_repeat_after_end)
{
    static const char *const in[] = { "PING SPAMC/1.5\r\n\r\n", "FOO\r\n" };
    static const enum proto_status want[] = { PROTO_DONE, PROTO_ERROR };
    struct spamd_parser sp;
    size_t used = 99;

    spamd_parser_init(&sp, &test_lim);
    ck_assert_int_eq(spamd_feed(&sp, in[_i], strlen(in[_i]), &used), want[_i]);
    ck_assert_int_eq(spamd_feed(&sp, "CHECK SPAMC/1.5\r\n", 17, &used), want[_i]);
    ck_assert_uint_eq(used, 0);
    ck_assert_int_eq(spamd_eof(&sp), want[_i]);
    ck_assert_int_eq(spamd_eof(&sp), want[_i]);
    ck_assert_int_eq(spamd_feed(&sp, "x", 1, &used), want[_i]);
    ck_assert_uint_eq(used, 0);
    spamd_parser_clear(&sp);
    spamd_parser_clear(&sp);
}
END_TEST

START_TEST(spamd_clear_frees_everything)
{
    static const char in[] = "TELL SPAMC/1.5\r\nUser: bob\r\nMessage-class: spam\r\n"
                             "Content-length: 2\r\n\r\nhi";
    struct spamd_parser sp;
    size_t used;

    spamd_parser_init(&sp, &test_lim);
    spamd_parser_clear(&sp); /* on a fresh parser */
    spamd_parser_init(&sp, &test_lim);
    ck_assert_int_eq(spamd_feed(&sp, in, sizeof(in) - 1, &used), PROTO_DONE);
    ck_assert_uint_eq(used, sizeof(in) - 1);
    spamd_parser_clear(&sp);
    ck_assert_ptr_null(sp.req.user);
    ck_assert_ptr_null(sp.req.message_class);
    ck_assert_ptr_null(sp.req.body.p);
    spamd_parser_clear(&sp);
}
END_TEST

/* A long offending line or value is cut to fit err_text; the line stays well formed. */
START_TEST(spamd_error_text_truncated)
{
    static const char *const prefix[] = { "", "CHECK SPAMC/1.5\r\nCompress: " };
    static const char *const want[] = { "SPAMD/1.0 76 Bad header line: AAAA",
                                        "SPAMD/1.0 76 Bad header line: (compression type not "
                                        "supported: AAAA" };
    struct spamd_limits lim = { .max_size = 1000, .line_max = 4096 };
    struct spamd_parser sp;
    struct buf in, out;
    size_t used;

    buf_init(&in);
    buf_init(&out);
    buf_puts(&in, prefix[_i]);
    for (int i = 0; i < 2000; i++)
        buf_putc(&in, 'A');
    buf_puts(&in, "\r\n\r\n");
    spamd_parser_init(&sp, &lim);
    ck_assert_int_eq(spamd_feed(&sp, in.p, in.len, &used), PROTO_ERROR);
    ck_assert_uint_eq(strlen(sp.err_text), sizeof(sp.err_text) - 1);
    spamd_render_error(&out, sp.err_code, sp.err_text);
    ck_assert_int_eq(strncmp(out.p, want[_i], strlen(want[_i])), 0);
    ck_assert_uint_eq(out.len, strlen("SPAMD/1.0 76 \r\n") + sizeof(sp.err_text) - 1);
    ck_assert_str_eq(out.p + out.len - 4, "AA\r\n");
    spamd_parser_clear(&sp);
    buf_clear(&in);
    buf_clear(&out);
}
END_TEST

START_TEST(spamd_render)
{
    struct buf out;

    buf_init(&out);
    buf_puts(&out, "x");
    spamd_render_pong(&out);
    spamd_render_error(&out, SPAMD_EX_PROTOCOL, "Bad header line: (too many headers)");
    ck_assert_str_eq(out.p, "xSPAMD/1.5 0 PONG\r\n"
                            "SPAMD/1.0 76 Bad header line: (too many headers)\r\n");
    buf_clear(&out);
}
END_TEST

/* A parsed request: method, version, the body given. */
static void
req_make(struct spamd_parser *sp, const char *text)
{
    size_t used;

    spamd_parser_init(sp, &test_lim);
    ck_assert_int_eq(spamd_feed(sp, text, strlen(text), &used), PROTO_MORE);
    ck_assert_int_eq(spamd_eof(sp), PROTO_DONE);
}

static const char *
reply(const char *request, bool spam, const char *body)
{
    static char out[1024];
    struct spamd_parser sp;
    struct spamd_result r = { spam, spam ? "7.3" : "-0.0", "5.0", body, body ? strlen(body) : 0 };
    struct buf b;

    req_make(&sp, request);
    buf_init(&b);
    spamd_render_result(&b, &sp.req, &r);
    snprintf(out, sizeof(out), "%s", b.p);
    buf_clear(&b);
    spamd_parser_clear(&sp);
    return out;
}

START_TEST(spamd_reply_shapes)
{
    /* spec section 4 and 7: what each method and version gets */
    ck_assert_str_eq(reply("CHECK SPAMC/1.5\r\n\r\nm", false, NULL),
                     "SPAMD/1.1 0 EX_OK\r\nSpam: False ; -0.0 / 5.0\r\n\r\n");
    ck_assert_str_eq(reply("SYMBOLS SPAMC/1.5\r\n\r\nm", true, "A,B"),
                     "SPAMD/1.1 0 EX_OK\r\nContent-length: 3\r\nSpam: True ; 7.3 / 5.0\r\n\r\nA,B");
    ck_assert_str_eq(reply("SYMBOLS SPAMC/1.2\r\n\r\nm", true, "A,B"),
                     "SPAMD/1.1 0 EX_OK\r\nSpam: True ; 7.3 / 5.0\r\n\r\nA,B\r\n");
    ck_assert_str_eq(reply("REPORT SPAMC/1.2\r\n\r\nm", true, "r\n\n"),
                     "SPAMD/1.1 0 EX_OK\r\nSpam: True ; 7.3 / 5.0\r\n\r\nr\n\n");
    ck_assert_str_eq(reply("REPORT_IFSPAM SPAMC/1.5\r\n\r\nm", false, "r\n\n"),
                     "SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\nSpam: No ; -0.0 / 5.0\r\n\r\n");
    ck_assert_str_eq(reply("REPORT_IFSPAM SPAMC/1.5\r\n\r\nm", true, "r\n"),
                     "SPAMD/1.1 0 EX_OK\r\nContent-length: 2\r\nSpam: Yes ; 7.3 / 5.0\r\n\r\nr\n");
    ck_assert_str_eq(reply("PROCESS SPAMC/1.5\r\n\r\nm", false, "H: v\r\n\r\nbody"),
                     "SPAMD/1.1 0 EX_OK\r\nContent-length: 12\r\nSpam: False ; -0.0 / 5.0\r\n\r\n"
                     "H: v\r\n\r\nbody");
    ck_assert_str_eq(reply("PROCESS SPAMC/1.2\r\n\r\nm", false, "x"),
                     "SPAMD/1.1 0 EX_OK\r\nContent-length: 1\r\n\r\nx");
    ck_assert_str_eq(reply("PROCESS SPAMC/1.0\r\nm", false, "x"), "SPAMD/1.0 0 EX_OK\r\nx");
    /* HEADERS: cut after the first empty line, LF or CRLF */
    ck_assert_str_eq(reply("HEADERS SPAMC/1.5\r\n\r\nm", false, "H: v\r\n\r\nbody\r\n\r\nmore"),
                     "SPAMD/1.1 0 EX_OK\r\nContent-length: 8\r\nSpam: False ; -0.0 / 5.0\r\n\r\n"
                     "H: v\r\n\r\n");
    ck_assert_str_eq(reply("HEADERS SPAMC/1.5\r\n\r\nm", false, "H: v\n\nbody"),
                     "SPAMD/1.1 0 EX_OK\r\nContent-length: 6\r\nSpam: False ; -0.0 / 5.0\r\n\r\n"
                     "H: v\n\n");
}
END_TEST

START_TEST(spamd_tell_reply)
{
    struct buf b;

    buf_init(&b);
    spamd_render_tell(&b, SPAMD_LOCAL, 0);
    spamd_render_tell(&b, 0, SPAMD_LOCAL | SPAMD_REMOTE);
    spamd_render_tell(&b, 0, 0);
    ck_assert_str_eq(b.p, "SPAMD/1.1 0 EX_OK\r\nDidSet: local\r\n\r\n\r\n"
                          "SPAMD/1.1 0 EX_OK\r\nDidRemove: local,remote\r\n\r\n\r\n"
                          "SPAMD/1.1 0 EX_OK\r\n\r\n\r\n");
    buf_clear(&b);
}
END_TEST

START_TEST(spamd_inflate_bodies)
{
    /* zlib.compress(b"Subject: x\n\nhello\n") */
    static const unsigned char z[] = { 0x78, 0x9c, 0x0b, 0x2e, 0x4d, 0xca, 0x4a, 0x4d, 0x2e,
                                       0xb1, 0x52, 0xa8, 0xe0, 0xe2, 0xca, 0x48, 0xcd, 0xc9,
                                       0xc9, 0xe7, 0x02, 0x00, 0x3a, 0xd1, 0x05, 0xd5 };
    struct spamd_parser sp;
    struct buf in;
    char text[256];
    int code;
    size_t used;

    for (int k = 0; k < 3; k++) {
        size_t n = k == 1 ? sizeof(z) - 4 : sizeof(z);

        buf_init(&in);
        buf_printf(&in, "CHECK SPAMC/1.5\r\nCompress: zlib\r\nContent-length: %zu\r\n\r\n", n);
        buf_append(&in, z, n);
        spamd_parser_init(&sp, &test_lim);
        ck_assert_int_eq(spamd_feed(&sp, in.p, in.len, &used), PROTO_DONE);
        if (k == 0) {
            ck_assert_int_eq(spamd_inflate(&sp.req, 1000, &code, text, sizeof(text)), 0);
            ck_assert_str_eq(sp.req.body.p, "Subject: x\n\nhello\n");
            ck_assert(!sp.req.compress);
        } else if (k == 1) { /* cut short */
            ck_assert_int_eq(spamd_inflate(&sp.req, 1000, &code, text, sizeof(text)), -1);
            ck_assert_int_eq(code, SPAMD_EX_UNAVAILABLE);
            ck_assert_str_eq(text, "Service Unavailable: zlib: failed to find end of zlib stream");
        } else { /* bigger than allowed once inflated */
            ck_assert_int_eq(spamd_inflate(&sp.req, 10, &code, text, sizeof(text)), -1);
            ck_assert_int_eq(code, SPAMD_EX_DATAERR);
        }
        spamd_parser_clear(&sp);
        buf_clear(&in);
    }
}
END_TEST

START_TEST(spamd_overrun_of_the_last_line)
{
    struct spamd_parser sp;
    char text[256];
    size_t used;
    const char *in = "CHECK SPAMC/1.5\r\nContent-length: 5\r\n\r\nab\xc3\xa9x yz\r\n";

    spamd_parser_init(&sp, &test_lim);
    ck_assert_int_eq(spamd_feed(&sp, in, strlen(in), &used), PROTO_DONE);
    /* 5 bytes end mid-line and 5 more of that line follow: spamd's mismatch */
    ck_assert_int_eq(spamd_overrun(&sp.req, in + used, strlen(in) - used, text, sizeof(text)), -1);
    ck_assert_str_eq(text, "Bad header line: (Content-Length mismatch: Expected 5 bytes, got 10 "
                           "bytes)");
    /* nothing more arrived: answered as is */
    ck_assert_int_eq(spamd_overrun(&sp.req, in + used, 0, text, sizeof(text)), 0);
    spamd_parser_clear(&sp);
    /* a body that ends its line: what follows is not ours */
    in = "CHECK SPAMC/1.5\r\nContent-length: 3\r\n\r\nab\nmore";
    spamd_parser_init(&sp, &test_lim);
    ck_assert_int_eq(spamd_feed(&sp, in, strlen(in), &used), PROTO_DONE);
    ck_assert_int_eq(spamd_overrun(&sp.req, in + used, strlen(in) - used, text, sizeof(text)), 0);
    spamd_parser_clear(&sp);
}
END_TEST

START_TEST(spamd_method_names)
{
    static const struct {
        enum spamd_method m;
        const char *name;
    } names[] = {
        { SPAMD_CHECK, "CHECK" },     { SPAMD_SYMBOLS, "SYMBOLS" },
        { SPAMD_REPORT, "REPORT" },   { SPAMD_REPORT_IFSPAM, "REPORT_IFSPAM" },
        { SPAMD_PROCESS, "PROCESS" }, { SPAMD_HEADERS, "HEADERS" },
        { SPAMD_TELL, "TELL" },       { SPAMD_PING, "PING" },
        { SPAMD_SKIP, "SKIP" },
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        ck_assert_str_eq(spamd_method_name(names[i].m), names[i].name);
}
END_TEST

static Suite *
proto_spamd_suite(void)
{
    Suite *s = suite_create("proto_spamd");
    TCase *tc = tcase_create("parse");

    tcase_add_loop_test(tc, spamd_request_table, 0, NCASES);
    tcase_add_loop_test(tc, spamd_header_count, 0, 3);
    tcase_add_loop_test(tc, spamd_repeat_after_end, 0, 2);
    tcase_add_test(tc, spamd_clear_frees_everything);
    tcase_add_loop_test(tc, spamd_error_text_truncated, 0, 2);
    tcase_add_test(tc, spamd_render);
    tcase_add_test(tc, spamd_method_names);
    tcase_add_test(tc, spamd_reply_shapes);
    tcase_add_test(tc, spamd_tell_reply);
    tcase_add_test(tc, spamd_inflate_bodies);
    tcase_add_test(tc, spamd_overrun_of_the_last_line);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(proto_spamd_suite());
}
