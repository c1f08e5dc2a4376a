/*
 * mime_date.c - Util::parse_rfc822_date (SpamAssassin 4.0) in C.
 *
 * SA works on a copy of the text with ", *" and white-space runs made
 * single spaces, then cuts the fields out one regex at a time, each
 * match replaced by a space: the date (three forms, tried in order over
 * the whole text), the time, a numeric zone or else the first word of two
 * to four capitals (a zone name only if SA knows it). We do the same on a
 * private copy, leftmost match first as Perl does.
 */
#include "mime/mime_date.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

struct date_buf {
    char *p;
    size_t n;
};

static const struct {
    const char *name;
    int minutes; /* east of UTC */
} date_zones[] = {
    { "UT", 0 },      { "UTC", 0 },     { "NDT", -150 },  { "AST", -240 },  { "ADT", -180 },
    { "NST", -210 },  { "EST", -300 },  { "EDT", -240 },  { "CST", -360 },  { "CDT", -300 },
    { "MST", -420 },  { "MDT", -360 },  { "PST", -480 },  { "PDT", -420 },  { "HST", -600 },
    { "AKST", -540 }, { "AKDT", -480 }, { "HADT", -540 }, { "HAST", -600 }, { "GMT", 0 },
    { "BST", 60 },    { "IST", 60 },    { "WET", 0 },     { "WEST", 60 },   { "CET", 60 },
    { "CEST", 120 },  { "EET", 120 },   { "EEST", 180 },  { "MSK", 180 },   { "MSD", 240 },
    { "MET", 60 },    { "MEZ", 60 },    { "MEST", 120 },  { "MESZ", 120 },  { "BRST", -120 },
    { "BRT", -180 },  { "AEST", 600 },  { "AEDT", 660 },  { "ACST", 570 },  { "ACDT", 630 },
    { "AWST", 480 },  { "NZST", 720 },  { "NZDT", 780 },  { "JST", 540 },   { "KST", 540 },
    { "HKT", 480 },   { "SGT", 480 },   { "PHT", 480 },   { "IDT", 180 },
};

static const char date_months[12][4] = { "jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec" };

/* Perl's \s on bytes */
static bool
date_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool
date_digit(const struct date_buf *w, size_t i)
{
    return i < w->n && w->p[i] >= '0' && w->p[i] <= '9';
}

static bool
date_char(const struct date_buf *w, size_t i, char c)
{
    return i < w->n && w->p[i] == c;
}

/* A run of digits at i (at least min, at most max): its end, or 0. */
static size_t
date_digits(const struct date_buf *w, size_t i, size_t min, size_t max)
{
    size_t j = i;

    while (date_digit(w, j) && j - i < max)
        j++;
    return j - i >= min ? j : 0;
}

/* The value of digits w[i..j), saturated (a huge day is just "too high"). */
static long
date_value(const struct date_buf *w, size_t i, size_t j)
{
    long v = 0;

    for (; i < j; i++) {
        v = v * 10 + (w->p[i] - '0');
        if (v > 100000000)
            v = 100000000;
    }
    return v;
}

/* (Jan|...|Dec) at i, any case: 1..12, or 0. */
static int
date_month(const struct date_buf *w, size_t i)
{
    if (i + 3 > w->n)
        return 0;
    for (int m = 0; m < 12; m++) {
        if (tolower((unsigned char)w->p[i]) == date_months[m][0] &&
            tolower((unsigned char)w->p[i + 1]) == date_months[m][1] &&
            tolower((unsigned char)w->p[i + 2]) == date_months[m][2])
            return m + 1;
    }
    return 0;
}

/* s/<w[a..b)>/ /: the match becomes one space. */
static void
date_cut(struct date_buf *w, size_t a, size_t b)
{
    w->p[a] = ' ';
    memmove(w->p + a + 1, w->p + b, w->n - b);
    w->n -= b - a - 1;
}

struct date_fields {
    long dd, yyyy;
    size_t year_digits;
    int mon;
    long hh, mm, ss;
    bool has_zone;
    int zone_minutes;
    int64_t t; /* the result */
};

/* / (\d+) (Mon) (\d{lo,hi}) /: day first */
static bool
date_day_first(struct date_buf *w, size_t ylo, size_t yhi, struct date_fields *f)
{
    for (size_t i = 0; i < w->n; i++) {
        size_t d, y;
        int mon;

        if (w->p[i] != ' ' || (d = date_digits(w, i + 1, 1, (size_t)-1)) == 0 ||
            !date_char(w, d, ' ') || (mon = date_month(w, d + 1)) == 0 ||
            !date_char(w, d + 4, ' ') || (y = date_digits(w, d + 5, ylo, yhi)) == 0 ||
            !date_char(w, y, ' '))
            continue;
        f->dd = date_value(w, i + 1, d);
        f->mon = mon;
        f->yyyy = date_value(w, d + 5, y);
        f->year_digits = y - d - 5;
        date_cut(w, i, y + 1);
        return true;
    }
    return false;
}

/* / (Mon) +(\d+) \d+:\d+:\d+ (\d{4}) /: ctime order; the time goes too */
static bool
date_ctime(struct date_buf *w, struct date_fields *f)
{
    for (size_t i = 0; i < w->n; i++) {
        size_t j, d, t, y;
        int mon;

        if (w->p[i] != ' ' || (mon = date_month(w, i + 1)) == 0 || !date_char(w, i + 4, ' '))
            continue;
        for (j = i + 4; date_char(w, j, ' '); j++)
            ;
        if ((d = date_digits(w, j, 1, (size_t)-1)) == 0 || !date_char(w, d, ' ') ||
            (t = date_digits(w, d + 1, 1, (size_t)-1)) == 0 || !date_char(w, t, ':') ||
            (t = date_digits(w, t + 1, 1, (size_t)-1)) == 0 || !date_char(w, t, ':') ||
            (t = date_digits(w, t + 1, 1, (size_t)-1)) == 0 || !date_char(w, t, ' ') ||
            (y = date_digits(w, t + 1, 4, 4)) == 0 || !date_char(w, y, ' '))
            continue;
        f->dd = date_value(w, j, d);
        f->mon = mon;
        f->yyyy = date_value(w, t + 1, y);
        f->year_digits = 4;
        date_cut(w, i, y + 1);
        return true;
    }
    return false;
}

/* / (\d?\d):(\d\d)(:(\d\d))? / */
static void
date_time(struct date_buf *w, struct date_fields *f)
{
    for (size_t i = 0; i < w->n; i++) {
        if (w->p[i] != ' ')
            continue;
        for (size_t hl = 2; hl >= 1; hl--) { /* \d?\d: two digits first */
            size_t h = i + 1 + hl, m;

            if (date_digits(w, i + 1, hl, hl) != h || !date_char(w, h, ':') ||
                (m = date_digits(w, h + 1, 2, 2)) == 0)
                continue;
            if (date_char(w, m, ':') && date_digits(w, m + 1, 2, 2) == m + 3 &&
                date_char(w, m + 3, ' ')) {
                f->hh = date_value(w, i + 1, h);
                f->mm = date_value(w, h + 1, m);
                f->ss = date_value(w, m + 1, m + 3);
                date_cut(w, i, m + 4);
                return;
            }
            if (date_char(w, m, ' ')) {
                f->hh = date_value(w, i + 1, h);
                f->mm = date_value(w, h + 1, m);
                date_cut(w, i, m + 1);
                return;
            }
        }
    }
}

static bool
date_word(const struct date_buf *w, size_t i)
{
    return i < w->n && (isalnum((unsigned char)w->p[i]) || w->p[i] == '_');
}

/* / ([-+]\d{4}) /, else the first \b([A-Z]{2,4}(?:-DST)?)\b looked up */
static void
date_zone(struct date_buf *w, struct date_fields *f)
{
    for (size_t i = 0; i < w->n; i++) {
        if (w->p[i] == ' ' && (date_char(w, i + 1, '+') || date_char(w, i + 1, '-')) &&
            date_digits(w, i + 2, 4, 4) == i + 6 && date_char(w, i + 6, ' ')) {
            int m = (int)date_value(w, i + 2, i + 4) * 60 + (int)date_value(w, i + 4, i + 6);

            f->zone_minutes = w->p[i + 1] == '-' ? -m : m;
            f->has_zone = true;
            return;
        }
    }
    for (size_t i = 0; i < w->n; i++) {
        size_t r = i, end;

        if (i > 0 && date_word(w, i - 1)) /* \b before */
            continue;
        while (r < w->n && w->p[r] >= 'A' && w->p[r] <= 'Z')
            r++;
        if (r - i < 2 || r - i > 4)
            continue;
        end = r;
        if (r + 4 <= w->n && memcmp(w->p + r, "-DST", 4) == 0 && !date_word(w, r + 4))
            end = r + 4;
        else if (date_word(w, r))
            continue;
        /* the first such word decides: a name SA does not know is -0000 */
        for (size_t z = 0; z < sizeof(date_zones) / sizeof(date_zones[0]); z++) {
            if (strlen(date_zones[z].name) == end - i &&
                memcmp(date_zones[z].name, w->p + i, end - i) == 0) {
                f->zone_minutes = date_zones[z].minutes;
                f->has_zone = true;
            }
        }
        return;
    }
}

static bool
date_leap(long y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static long
date_mdays(long mon, long y)
{
    if (mon == 4 || mon == 6 || mon == 9 || mon == 11)
        return 30;
    if (mon == 2)
        return date_leap(y) ? 29 : 28;
    return 31;
}

/* days from 1970-01-01 to y-m-d (proleptic Gregorian) */
static int64_t
date_days(long y, long m, long d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool
date_fields_parse(struct date_buf *w, struct date_fields *f)
{
    int64_t t;

    if (!date_day_first(w, 4, 4, f) && !date_ctime(w, f) && !date_day_first(w, 2, 3, f))
        return false;
    if (f->year_digits == 2 && f->yyyy < 50)
        f->yyyy += 2000;
    else if (f->year_digits != 4)
        f->yyyy += 1900;
    date_time(w, f);
    date_zone(w, f);

    /* SA's fudging of what is out of range */
    if (f->ss > 59)
        f->ss = 59;
    if (f->mm > 59)
        f->mm = 59;
    if (f->hh > 23)
        f->hh = 23;
    if (f->dd > date_mdays(f->mon, f->yyyy)) {
        f->dd = 1;
        if (++f->mon > 12) {
            f->mon = 1;
            f->yyyy++;
        }
    }
    if (f->yyyy > 2037)
        f->yyyy = 2037;
    else if (f->yyyy < 1970)
        f->yyyy = 1970;
    /* Time::Local's timegm refuses a day out of its month */
    if (f->dd < 1 || f->dd > date_mdays(f->mon, f->yyyy))
        return false;
    t = date_days(f->yyyy, f->mon, f->dd) * 86400 + f->hh * 3600 + f->mm * 60 + f->ss;
    if (f->has_zone && f->zone_minutes > 0) {
        int64_t off = (int64_t)f->zone_minutes * 60;

        t = t < off ? 0 : t - off; /* careful with 1970 and '+' zones, as SA */
    } else if (f->has_zone) {
        t += -(int64_t)f->zone_minutes * 60;
    }
    f->t = t;
    return true;
}

bool
mime_date_parse(struct strv s, int64_t *out)
{
    char stack[512];
    struct date_buf w = { stack, 0 };
    struct date_fields f = { 0 };
    bool ok;

    if (s.len + 3 > sizeof(stack))
        w.p = xmalloc(s.len + 3);
    /* " $date ", each comma with the spaces after it and each white-space run a space */
    w.p[w.n++] = ' ';
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];

        if (c == ',') {
            while (i + 1 < s.len && s.p[i + 1] == ' ')
                i++;
            c = ' ';
        }
        if (date_space(c)) {
            if (w.p[w.n - 1] == ' ')
                continue;
            c = ' ';
        }
        w.p[w.n++] = c;
    }
    if (w.p[w.n - 1] != ' ')
        w.p[w.n++] = ' ';
    ok = date_fields_parse(&w, &f);
    if (ok)
        *out = f.t;
    if (w.p != stack)
        free(w.p);
    return ok;
}
