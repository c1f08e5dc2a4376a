/*
 * migrate_rules.c - local.d/symbols.yaml in native rules mode, and the
 * proof that it is right.
 *
 * The site's rule lines left the generated site files (migrate_sa.c); what
 * they did is the difference between two translations made by the code
 * siftd runs: SpamAssassin's whole configuration as spamd reads it (the
 * "full" one), and the stock rules with the generated site directory (the
 * "base" one, what siftd has before it applies the configuration's
 * `symbols` section). Each rule whose definition differs (the site's own
 * rules, stock rules the site redefined or whose meta a site rule joined)
 * is written with its definition; each whose attributes differ (score
 * lines, describe, tflags, priorities SpamAssassin moved for a site meta)
 * with those attributes. Then the file is read back over the base
 * translation as siftd will, and every rule is compared with the full
 * translation: definitions and attributes as YAML text, which is the form
 * that makes equal what matches the same.
 */
#include <stdio.h>
#include <string.h>

#include "core/cfg_yaml.h"
#include "core/xmalloc.h"
#include "scan/scan_yaml.h"

#include "migrate/migrate.h"

static const unsigned rules_attr_bits[] = { SCAN_YAML_W_SCORE, SCAN_YAML_W_DESCRIPTION,
                                            SCAN_YAML_W_GROUP, SCAN_YAML_W_TFLAGS,
                                            SCAN_YAML_W_PRIORITY };

/* r's fields as YAML, without the name line (it carries the origin). */
static void
rules_text(const struct scan_rule *r, unsigned fields, struct buf *out)
{
    const char *nl;

    buf_reset(out);
    if (scan_yaml_write_rule(r, fields, 0, out) == -1) {
        buf_reset(out);
        buf_puts(out, "(none)");
        return;
    }
    nl = memchr(out->p, '\n', out->len);
    if (nl != NULL)
        buf_consume(out, (size_t)(nl - out->p) + 1);
}

static bool
rules_same(const struct scan_rule *a, const struct scan_rule *b, unsigned fields, struct buf *x,
           struct buf *y)
{
    rules_text(a, fields, x);
    rules_text(b, fields, y);
    return x->len == y->len && memcmp(x->p, y->p, x->len) == 0;
}

/* What of full's rule r an entry must give over base's b (NULL: none). */
static unsigned
rules_delta(const struct scan_rule *r, const struct scan_rule *b, struct buf *x, struct buf *y)
{
    struct scan_rule none = { .name = r->name };
    unsigned fields = 0;

    if (b == NULL)
        b = &none;
    if (b->kind == SCAN_K_UNDEFINED || !rules_same(r, b, SCAN_YAML_W_DEFINITION, x, y))
        fields |= SCAN_YAML_W_DEFINITION;
    for (size_t i = 0; i < sizeof(rules_attr_bits) / sizeof(rules_attr_bits[0]); i++)
        if (!rules_same(r, b, rules_attr_bits[i], x, y))
            fields |= rules_attr_bits[i];
    return fields;
}

static int
rules_load_base(struct mig *m, struct sa_conf **c, struct scan_ruleset **rs, struct sift_err *err)
{
    struct sa_conf_opts co = { .local_only = m->local_only, .use_bayes = true };

    *c = sa_conf_new(&co);
    *rs = scan_ruleset_new();
    if (sa_conf_load_dirs(*c, *rs, m->rules_dir,
                          arena_printf(m->a, "%s/%s", m->stage, MIG_SITE_SUBDIR), err) == -1)
        return -1;
    sa_conf_finish(*c, *rs);
    return 0;
}

/* Are full's r and b (NULL: absent) the same rule? */
static bool
rules_equal(const struct scan_rule *r, const struct scan_rule *b, struct buf *x, struct buf *y)
{
    struct scan_rule none = { .name = r->name };

    if (b == NULL)
        b = &none;
    if (!rules_same(r, b, SCAN_YAML_W_DEFINITION, x, y))
        return false;
    for (size_t i = 0; i < sizeof(rules_attr_bits) / sizeof(rules_attr_bits[0]); i++)
        if (!rules_same(r, b, rules_attr_bits[i], x, y))
            return false;
    return true;
}

/* Compare every rule of full with rs (base + symbols); the differences
 * are reported, the first few by name. */
static size_t
rules_verify(struct mig *m, const struct scan_ruleset *rs, struct buf *x, struct buf *y)
{
    size_t diffs = 0;

    for (size_t i = 0; i < scan_ruleset_count(m->full_rs); i++) {
        const struct scan_rule *r = scan_ruleset_at(m->full_rs, i);

        m->st.verified++;
        if (!rules_equal(r, scan_ruleset_find(rs, r->name), x, y) && ++diffs <= 10)
            mig_error(m, "rule %s differs from SpamAssassin's after migration", r->name);
    }
    for (size_t i = 0; i < scan_ruleset_count(rs); i++) {
        const struct scan_rule *b = scan_ruleset_at(rs, i);

        if (scan_ruleset_find(m->full_rs, b->name) == NULL && b->kind != SCAN_K_UNDEFINED &&
            ++diffs <= 10)
            mig_error(m, "rule %s is defined after migration but not in SpamAssassin's", b->name);
    }
    return diffs;
}

int
mig_rules(struct mig *m, struct sift_err *err)
{
    struct sa_conf *bc = NULL;
    struct scan_ruleset *brs = NULL;
    struct mig_file *f;
    struct buf x, y, own, changed;
    size_t n = scan_ruleset_count(m->full_rs), body, skips;
    struct cfg_node *tree;
    int rc = -1;

    if (m->o.rules != MIG_RULES_NATIVE)
        return 0;
    if (rules_load_base(m, &bc, &brs, err) == -1)
        goto out;
    buf_init(&x);
    buf_init(&y);
    buf_init(&own);
    buf_init(&changed);
    for (size_t i = 0; i < n; i++) {
        const struct scan_rule *r = scan_ruleset_at(m->full_rs, i);
        const struct scan_rule *b = scan_ruleset_find(brs, r->name);
        unsigned fields;

        if (!mig_rule_native(m, r->name))
            continue;
        if ((fields = rules_delta(r, b, &x, &y)) == 0)
            continue;
        if (b == NULL || b->kind == SCAN_K_UNDEFINED) {
            m->st.rules_native++;
            scan_yaml_write_rule(r, fields, 0, &own);
        } else {
            m->st.rules_changed++;
            scan_yaml_write_rule(r, fields, 0, &changed);
        }
    }
    f = mig_file_add(m, "local.d/symbols.yaml", 0644);
    mig_header(m, &f->text,
               "The site's rules and its changes to stock rules, translated from "
               "SpamAssassin's syntax (format: rules/README.md).");
    body = f->text.len;
    if (own.len == 0 && changed.len == 0)
        buf_puts(&f->text, "{}\n");
    if (own.len > 0)
        buf_printf(&f->text, "\n# the site's own rules (%zu)\n%s", m->st.rules_native, own.p);
    if (changed.len > 0)
        buf_printf(&f->text,
                   "\n# stock rules the site rescored, described, flagged or redefined (%zu)\n%s",
                   m->st.rules_changed, changed.p);
    mig_item(m, "rules", "the site's rule lines", MIG_NATIVE, "local.d/symbols.yaml",
             "%zu rule(s) of the site, %zu stock rule(s) changed", m->st.rules_native,
             m->st.rules_changed);
    if (m->o.no_verify) {
        rc = 0;
        goto done;
    }
    /* read it back over the base translation, as siftd applies `symbols` */
    if (cfg_yaml_parse(m->a, "local.d/symbols.yaml", f->text.p + body, f->text.len - body, &tree,
                       err) == -1)
        goto done;
    skips = scan_ruleset_nskips(brs);
    if (scan_yaml_apply(brs, tree, err) == -1)
        goto done;
    for (size_t i = skips; i < scan_ruleset_nskips(brs); i++) {
        const struct scan_skip *s = scan_ruleset_skip_at(brs, i);

        mig_error(m, "%s: %s", s->origin, s->message);
    }
    m->st.verify_diffs = rules_verify(m, brs, &x, &y);
    if (m->st.verify_diffs > 10)
        mig_error(m, "... %zu rules differ in all", m->st.verify_diffs);
    rc = 0;
done:
    buf_clear(&x);
    buf_clear(&y);
    buf_clear(&own);
    buf_clear(&changed);
out:
    scan_ruleset_free(&brs);
    sa_conf_free(&bc);
    return rc;
}
