/*
 * sa_eval_antivirus.c - SpamAssassin 4.0.1's Plugin::AntiVirus (its two
 * simple checks, not a virus scanner): leaves whose file name says
 * Windows executable, or whose first base64 line or any uuencoded line
 * starts an MZ header (check_microsoft_executable); file names whose
 * extension does not fit the declared type (check_suspect_name).
 * The plugin's regexes are written out by hand on the lower-cased name
 * and type; '.' never matches a newline.
 */
#include "sa_eval_antivirus.h"

#include <string.h>

#include "sa_eval_util.h"

/* c is one of the characters of set (never NUL) */
static bool
in_set(char c, const char *set)
{
    return c != '\0' && strchr(set, c) != NULL;
}

static bool
is_word(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_';
}

/* /\.(?:ade|adp|...|wsh)$/ on a lower-cased name */
static bool
exe_name(struct strv name)
{
    static const char *const ext[] = {
        "ade", "adp", "asx", "bas", "bat", "chm",  "cmd", "com", "cpl", "crt", "dll",
        "exe", "hlp", "hta", "inf", "ins", "isp",  "js",  "jse", "lnk", "mda", "mdb",
        "mde", "mdt", "mdw", "mdz", "msc", "msi",  "msp", "mst", "nws", "ops", "pcd",
        "pif", "prf", "reg", "scf", "scr", "scr?", "sct", "shb", "shs", "shm", "swf",
        "url", "vb",  "vbe", "vbs", "vbx", "vxd",  "wsc", "wsf", "wsh",
    };
    const char *dot;
    struct strv e;

    if (name.len > 0 && name.p[name.len - 1] == '\n')
        name.len--;
    if ((dot = memrchr(name.p, '.', name.len)) == NULL)
        return false;
    e = strv_make(dot + 1, name.len - (size_t)(dot + 1 - name.p));
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        if (strv_eq(e, ext[i]))
            return true;
    }
    return false;
}

static bool
any_but_nl(const char *p, size_t from, size_t to)
{
    return memchr(p + from, '\n', to - from) == NULL;
}

/* /^TV[opqr].A..[AB].[AQgw][A-H].A/: base64 of an MZ header */
static bool
mz_base64(struct strv l)
{
    if (l.len < 13 || !any_but_nl(l.p, 0, 13))
        return false;
    return l.p[0] == 'T' && l.p[1] == 'V' && in_set(l.p[2], "opqr") && l.p[4] == 'A' &&
           (l.p[7] == 'A' || l.p[7] == 'B') && in_set(l.p[9], "AQgw") && l.p[10] >= 'A' &&
           l.p[10] <= 'H' && l.p[12] == 'A';
}

/* /^M35[GHIJK].`..`..*````/: uuencoded MZ header */
static bool
mz_uuencoded(struct strv l)
{
    const char *q;
    size_t end;

    if (l.len < 14 || memcmp(l.p, "M35", 3) != 0 || !in_set(l.p[3], "GHIJK") || l.p[5] != '`' ||
        l.p[8] != '`' || !any_but_nl(l.p, 0, 10))
        return false;
    q = memchr(l.p, '\n', l.len);
    end = q != NULL ? (size_t)(q - l.p) : l.len;
    return end > 10 && memmem(l.p + 10, end - 10, "````", 4) != NULL;
}

static bool
sv_in(struct strv v, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strv_eq(v, list[i]))
            return true;
    }
    return false;
}

/* /^application\/.*(?:SUFFIX)$/ */
static bool
app_ending(struct strv ct, const char *suffix)
{
    size_t n = strlen(suffix);

    return sa_eval_prefix(ct, "application/") && ct.len >= 12 + n &&
           memcmp(ct.p + ct.len - n, suffix, n) == 0 && any_but_nl(ct.p, 12, ct.len - n);
}

static bool
suspect_name(struct arena *a, struct strv name, struct strv ctype)
{
    static const char *const text_ext[] = { "txt",   "htm",  "html",  "phtm",
                                            "phtml", "xhtm", "xhtml", "xml" };
    static const char *const text_ct[] = { "plain", "htm", "phtm",     "xhtm",    "english",
                                           "sgml",  "xml", "enriched", "richtext" };
    static const char *const image_ext[] = { "jpg", "jpeg", "tif", "tiff", "gif", "png" };
    static const char *const app_ext[] = { "bat", "com", "exe", "pif", "scr", "swf", "vbs" };
    const char *dot = memrchr(name.p, '.', name.len), *slash;
    bool text_ok = sa_eval_prefix(ctype, "message/external-body");

    if (dot != NULL) /* s/.*\.// */
        name = strv_make(dot + 1, name.len - (size_t)(dot + 1 - name.p));
    /* s@/(x-|vnd\.)@/@ */
    if ((slash = memchr(ctype.p, '/', ctype.len)) != NULL) {
        size_t at = (size_t)(slash - ctype.p) + 1, cut = 0;
        struct strv rest = strv_make(ctype.p + at, ctype.len - at);

        if (sa_eval_prefix(rest, "x-"))
            cut = 2;
        else if (sa_eval_prefix(rest, "vnd."))
            cut = 4;
        if (cut > 0) {
            char *c = arena_alloc(a, ctype.len - cut + 1);

            memcpy(c, ctype.p, at);
            memcpy(c + at, rest.p + cut, rest.len - cut);
            c[ctype.len - cut] = '\0';
            ctype = strv_make(c, ctype.len - cut);
        }
    }
    if (sa_eval_prefix(ctype, "text/")) {
        struct strv sub = strv_make(ctype.p + 5, ctype.len - 5);

        for (size_t i = 0; i < sizeof(text_ct) / sizeof(text_ct[0]) && !text_ok; i++)
            text_ok = sa_eval_prefix(sub, text_ct[i]);
    }
    if (sv_in(name, text_ext, sizeof(text_ext) / sizeof(text_ext[0])) && !text_ok)
        return true;
    if (sv_in(name, image_ext, sizeof(image_ext) / sizeof(image_ext[0])) &&
        !sa_eval_prefix(ctype, "image/") && !sa_eval_prefix(ctype, "application/mac-binhex"))
        return true;
    if (strv_eq(name, "vcf") && !strv_eq(ctype, "text/vcard"))
        return true;
    if (sv_in(name, app_ext, sizeof(app_ext) / sizeof(app_ext[0])) &&
        !sa_eval_prefix(ctype, "application/"))
        return true;
    if (strv_eq(name, "doc") && !app_ending(ctype, "word"))
        return true;
    if (strv_eq(name, "ppt") && !app_ending(ctype, "powerpoint") && !app_ending(ctype, "ppt"))
        return true;
    if (strv_eq(name, "xls") && !app_ending(ctype, "excel"))
        return true;
    return false;
}

/* AntiVirus::_check_attachments: which of its two flags the message sets */
static void
antivirus(struct scan_eval_ctx *ec, bool *exe, bool *suspect)
{
    struct arena *a = ec->msg->arena;
    struct mime_part **leaves;
    size_t n = mime_msg_parts(ec->msg, true, &leaves);

    *exe = *suspect = false;
    for (size_t i = 0; i < n; i++) {
        struct mime_part *p = leaves[i];
        bool present;
        struct strv ctv = sa_eval_part_header(p, "content-type", &present);
        struct strv cte = sa_eval_part_header_lc(a, p, "content-transfer-encoding");
        struct strv name = STRV_LIT(""), ctype, first;
        struct mime_ct ct;
        size_t off = 0;

        mime_ct_parse(a, ctv, present, &ct);
        if (ct.has_name && sa_eval_perl_true(ct.name.p, ct.name.len))
            name = sa_eval_lc(a, ct.name);
        ctype = sa_eval_lc(a, strv_cstr(ct.type));
        if (name.len > 0 && exe_name(name)) {
            *exe = true;
        } else if (sa_eval_contains(cte, "base64") && sa_eval_raw_line(p->raw, &off, &first) &&
                   mz_base64(first)) {
            *exe = true;
        } else if (sa_eval_prefix(ctype, "text") &&
                   (ctype.len == 4 || !is_word((unsigned char)ctype.p[4]))) {
            struct strv l;

            off = 0;
            while (sa_eval_raw_line(p->raw, &off, &l)) {
                if (mz_uuencoded(l))
                    *exe = true;
            }
        }
        if (sa_eval_perl_true(name.p, name.len) && !strv_eq(ctype, "application/octet-stream") &&
            suspect_name(a, name, ctype))
            *suspect = true;
    }
}

static double
check_microsoft_executable(struct scan_eval_ctx *ec)
{
    bool exe, suspect;

    antivirus(ec, &exe, &suspect);
    return exe;
}

static double
check_suspect_name(struct scan_eval_ctx *ec)
{
    bool exe, suspect;

    antivirus(ec, &exe, &suspect);
    return suspect;
}

const struct scan_eval_def sa_eval_antivirus_defs[] = {
    { "check_microsoft_executable", SA_EVAL_BODY_TARGETS, NULL, check_microsoft_executable, 0 },
    { "check_suspect_name", SA_EVAL_BODY_TARGETS, NULL, check_suspect_name, 0 },
};
const size_t sa_eval_antivirus_ndefs =
    sizeof(sa_eval_antivirus_defs) / sizeof(sa_eval_antivirus_defs[0]);
