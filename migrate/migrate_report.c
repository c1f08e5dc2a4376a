/*
 * migrate_report.c - what sift-migrate read and what became of it, as text
 * for the admin and as JSON for tools: every directive with its fate and
 * where it went, the files, the checks, the errors.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/xmalloc.h"

#include "migrate/migrate.h"

void
mig_item(struct mig *m, const char *origin, const char *what, enum mig_fate fate,
         const char *target, const char *why_fmt, ...)
{
    struct mig_item *it;
    va_list ap;

    if (m->nitems == m->capitems) {
        m->capitems = m->capitems ? m->capitems * 2 : 64;
        m->items = xreallocarray(m->items, m->capitems, sizeof(*m->items));
    }
    it = &m->items[m->nitems++];
    it->origin = origin != NULL ? arena_strdup(m->a, origin) : "";
    it->what = what != NULL ? arena_strdup(m->a, what) : "";
    it->fate = fate;
    it->target = target != NULL ? arena_strdup(m->a, target) : NULL;
    it->why = NULL;
    if (why_fmt != NULL) {
        va_start(ap, why_fmt);
        it->why = arena_vprintf(m->a, why_fmt, ap);
        va_end(ap);
    }
}

void
mig_error(struct mig *m, const char *fmt, ...)
{
    va_list ap;

    if (m->nerrors == m->caperrors) {
        m->caperrors = m->caperrors ? m->caperrors * 2 : 8;
        m->errors = xreallocarray(m->errors, m->caperrors, sizeof(*m->errors));
    }
    va_start(ap, fmt);
    m->errors[m->nerrors++] = arena_vprintf(m->a, fmt, ap);
    va_end(ap);
}

const char *
mig_fate_name(enum mig_fate f)
{
    static const char *const names[] = {
        "native", "kept", "ignored", "dropped", "note", "warning"
    };

    return names[f];
}

const char *
mig_file_status_name(enum mig_file_status s)
{
    static const char *const names[] = {
        "new", "changed", "unchanged", "removed", "refused", "kept"
    };

    return names[s];
}

const char *
mig_short(struct mig *m, const char *path, const char *dir)
{
    size_t n = dir != NULL ? strlen(dir) : 0;

    if (path == NULL)
        return "";
    if (n > 0 && strncmp(path, dir, n) == 0 && path[n] == '/')
        return arena_strdup(m->a, path + n + 1);
    return path;
}

/* What a directive line shows: long values cut. */
static void
report_what(struct buf *out, const char *s, size_t max)
{
    size_t n = strlen(s);

    for (size_t i = 0; i < n && i < max; i++)
        buf_putc(out, s[i] == '\t' ? ' ' : s[i]);
    if (n > max)
        buf_puts(out, "...");
}

static size_t
report_count(const struct mig *m, enum mig_fate f)
{
    size_t n = 0;

    for (size_t i = 0; i < m->nitems; i++)
        n += m->items[i].fate == f;
    return n;
}

void
mig_report_text(const struct mig *m, struct buf *out)
{
    static const enum mig_fate order[] = { MIG_WARN,    MIG_NATIVE,  MIG_KEPT,
                                           MIG_DROPPED, MIG_IGNORED, MIG_NOTE };
    static const char *const heads[] = {
        "Look at these",
        "Native configuration",
        "Kept in SpamAssassin's syntax (siftd reads it from rules.site_dir)",
        "Not carried over",
        "Ignored (SpamAssassin ignores it too)",
        "Notes",
    };

    buf_printf(out, "sift-migrate: SpamAssassin in %s -> %s (%s rules, Bayes %s)%s\n", m->sa_dir,
               m->target, m->o.rules == MIG_RULES_NATIVE ? "native" : "SpamAssassin",
               m->o.bayes == MIG_BAYES_IN_PLACE ? "in place"
               : m->o.bayes == MIG_BAYES_COPY   ? "copied"
                                                : "not carried",
               m->o.dry_run ? " [dry run: nothing written]" : "");
    for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
        if (report_count(m, order[k]) == 0)
            continue;
        buf_printf(out, "\n%s:\n", heads[k]);
        for (size_t i = 0; i < m->nitems; i++) {
            const struct mig_item *it = &m->items[i];

            if (it->fate != order[k])
                continue;
            buf_printf(out, "  %-16s ", it->origin);
            report_what(out, it->what, 70);
            if (it->target != NULL || it->why != NULL) {
                buf_puts(out, "\n      ");
                if (it->target != NULL)
                    buf_printf(out, "-> %s%s", it->target, it->why != NULL ? "; " : "");
                if (it->why != NULL)
                    buf_puts(out, it->why);
            }
            buf_putc(out, '\n');
        }
    }
    buf_puts(out, "\nFiles:\n");
    for (size_t i = 0; i < m->nfiles; i++) {
        const struct mig_file *f = &m->files[i];

        buf_printf(out, "  %-9s %s/%s", mig_file_status_name(f->status), m->target, f->rel);
        if (f->why != NULL)
            buf_printf(out, " (%s)", f->why);
        buf_putc(out, '\n');
    }
    buf_puts(out, "\nChecks:\n");
    if (m->o.rules == MIG_RULES_NATIVE && !m->o.no_verify)
        buf_printf(out,
                   "  rules: %zu rules loaded from the result as siftd loads them, %zu "
                   "differ%s from SpamAssassin's translation of %s\n",
                   m->st.verified, m->st.verify_diffs, m->st.verify_diffs == 1 ? "s" : "",
                   m->sa_dir);
    buf_printf(out, "  configtest: %s\n", m->configtest != NULL ? m->configtest : "not run");
    buf_printf(out,
               "  %zu directive(s) read: %zu native, %zu kept, %zu not carried, %zu ignored; "
               "%zu warning(s)\n",
               m->st.directives, report_count(m, MIG_NATIVE), report_count(m, MIG_KEPT),
               report_count(m, MIG_DROPPED), report_count(m, MIG_IGNORED),
               report_count(m, MIG_WARN));
    for (size_t i = 0; i < m->nerrors; i++)
        buf_printf(out, "error: %s\n", m->errors[i]);
}

static void
json_opt(struct json *j, const char *key, const char *v)
{
    json_key(j, key);
    if (v != NULL)
        json_cstr(j, v);
    else
        json_null(j);
}

void
mig_report_json(const struct mig *m, struct buf *out)
{
    struct json j;

    json_init(&j, out, false);
    json_obj_begin(&j);
    json_opt(&j, "sa_dir", m->sa_dir);
    json_opt(&j, "rules_dir", m->rules_dir);
    json_opt(&j, "target", m->target);
    json_opt(&j, "rules", m->o.rules == MIG_RULES_NATIVE ? "native" : "sa");
    json_opt(&j, "bayes",
             m->o.bayes == MIG_BAYES_IN_PLACE ? "in-place"
             : m->o.bayes == MIG_BAYES_COPY   ? "copy"
                                              : "none");
    json_opt(&j, "bayes_path", m->bayes_used);
    json_key(&j, "dry_run");
    json_bool(&j, m->o.dry_run);
    json_key(&j, "items");
    json_arr_begin(&j);
    for (size_t i = 0; i < m->nitems; i++) {
        const struct mig_item *it = &m->items[i];

        json_obj_begin(&j);
        json_opt(&j, "origin", it->origin);
        json_opt(&j, "directive", it->what);
        json_opt(&j, "fate", mig_fate_name(it->fate));
        json_opt(&j, "target", it->target);
        json_opt(&j, "why", it->why);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_key(&j, "files");
    json_arr_begin(&j);
    for (size_t i = 0; i < m->nfiles; i++) {
        json_obj_begin(&j);
        json_opt(&j, "path", m->files[i].rel);
        json_opt(&j, "status", mig_file_status_name(m->files[i].status));
        json_opt(&j, "why", m->files[i].why);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_key(&j, "checks");
    json_obj_begin(&j);
    json_key(&j, "rules_verified");
    json_uint(&j, m->st.verified);
    json_key(&j, "rules_differing");
    json_uint(&j, m->st.verify_diffs);
    json_opt(&j, "configtest", m->configtest);
    json_key(&j, "configtest_ok");
    json_bool(&j, m->configtest_ok);
    json_obj_end(&j);
    json_key(&j, "counts");
    json_obj_begin(&j);
    json_key(&j, "directives");
    json_uint(&j, m->st.directives);
    for (int f = MIG_NATIVE; f <= MIG_WARN; f++) {
        json_key(&j, mig_fate_name((enum mig_fate)f));
        json_uint(&j, report_count(m, (enum mig_fate)f));
    }
    json_key(&j, "user_prefs");
    json_uint(&j, m->st.prefs_files);
    json_obj_end(&j);
    if (m->o.dry_run) {
        struct buf d;

        buf_init(&d);
        mig_diff(m, &d);
        json_key(&j, "diff");
        json_str(&j, strv_make(d.p != NULL ? d.p : "", d.len));
        buf_clear(&d);
    }
    json_key(&j, "errors");
    json_arr_begin(&j);
    for (size_t i = 0; i < m->nerrors; i++)
        json_cstr(&j, m->errors[i]);
    json_arr_end(&j);
    json_obj_end(&j);
    buf_putc(out, '\n');
}
