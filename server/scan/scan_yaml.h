/*
 * scan_yaml.h - native rules in YAML: a `symbols` map (the files in rules/, the
 * configuration's `symbols` section) read into a ruleset, and a ruleset
 * written back in the same format. The format is documented, with
 * examples, in rules/README.md.
 *
 * Nothing a rule says stops a load: an unknown type, field or tflag, a
 * missing field, a value of the wrong type, a pattern PCRE2 refuses, a
 * meta expression that does not parse are recorded in the ruleset
 * (scan_ruleset_skip, category "yaml", origin "file:line:col" of the value
 * at fault) and that one rule is left out (an earlier definition of the
 * same name stays as it was). Only a file that cannot be read or is not
 * valid YAML fails a load (-1, err "file:line:col: why").
 *
 * An entry with a `type` defines the rule (it replaces the definition of
 * a rule of that name; the attributes it does not give - score,
 * description, group, tflags, priority - are kept, as SpamAssassin keeps
 * them when a rule line is repeated). An entry without `type` changes the
 * attributes of a rule that is already defined; naming no defined rule
 * it is a skip ("no such rule"), so the configuration's section is applied
 * after every rule source is loaded.
 *
 * Strings and patterns are copied into the ruleset's arena. Not
 * thread-safe while loading (like the ruleset).
 */
#ifndef SIFT_SCAN_SCAN_YAML_H
#define SIFT_SCAN_SCAN_YAML_H

#include <stddef.h>

#include "core/buf.h"
#include "core/cfg_tree.h"
#include "core/err.h"
#include "scan/scan_rule.h"

/* Longest rule name accepted (SpamAssassin's limit too). */
#define SCAN_YAML_MAX_NAME 128

/* Read one rules file: a YAML map whose `symbols` key holds the rules. */
int scan_yaml_load_file(struct scan_ruleset *rs, const char *path, struct sift_err *err);
/* The same from text[0..len), named file in messages and origins. */
int scan_yaml_load_text(struct scan_ruleset *rs, const char *file, const char *text, size_t len,
                        struct sift_err *err);
/* Every *.yaml file of dir (not the hidden ones), in byte order of their
 * names; stops at the first file that fails. A missing dir is no error. */
int scan_yaml_load_dir(struct scan_ruleset *rs, const char *dir, struct sift_err *err);
/* Apply a parsed `symbols` map (the configuration's section, or a file's).
 * NULL or an empty value is no rule; a value that is not a map is a skip.
 * Returns 0: every problem is a skip. */
int scan_yaml_apply(struct scan_ruleset *rs, const struct cfg_node *symbols, struct sift_err *err);

/* Write every defined rule of rs, in definition order, as a rules file
 * (may reallocate out). Loading the text gives the same rules, fields and
 * order (origins aside). YAML is UTF-8: bytes of a pattern that are not
 * UTF-8 (Latin-1 in old rule files) are written as PCRE2 \xHH escapes,
 * which match the same bytes; in other strings such a byte is read as
 * Latin-1. Rules of kind SCAN_K_UNDEFINED (attributes without a
 * definition) and incomplete rules are written as comments. */
void scan_yaml_write(const struct scan_ruleset *rs, struct buf *out);

/* What scan_yaml_write_rule writes of a rule. */
#define SCAN_YAML_W_DEFINITION  0x01u /* type and the fields it takes */
#define SCAN_YAML_W_SCORE       0x02u
#define SCAN_YAML_W_DESCRIPTION 0x04u
#define SCAN_YAML_W_GROUP       0x08u
#define SCAN_YAML_W_TFLAGS      0x10u
#define SCAN_YAML_W_PRIORITY    0x20u
#define SCAN_YAML_W_ATTRS       0x3eu
#define SCAN_YAML_W_ALL         0x3fu

/* One entry of a `symbols` map for r, its name at indent spaces (0 for
 * the configuration's section, 2 in a rules file) with its origin as a
 * comment: the definition when fields has SCAN_YAML_W_DEFINITION, and the
 * attributes fields names, each written even at its default (`~`, `[]`,
 * 0) so that an entry without a definition resets what it names. -1 (and
 * nothing written) when a definition is asked of a rule that cannot be
 * written (UNDEFINED, incomplete). May reallocate out. */
int scan_yaml_write_rule(const struct scan_rule *r, unsigned fields, unsigned indent,
                         struct buf *out);

#endif
