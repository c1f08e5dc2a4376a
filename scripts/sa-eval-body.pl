#!/usr/bin/perl
# sa-eval-body.pl - run SpamAssassin's own body-side eval functions
# (HTMLEval, MIMEEval, BodyEval, ImageInfo, URIEval, HTTPSMismatch, and
# AntiVirus and TextCat, loaded here though the stock .pre files leave them
# out) on messages and print what each returns: the oracle for compat/'s
# sa_eval_*.c.
#
#   perl scripts/sa-eval-body.pl FILE TYPE FUNCTION [ARG...]
#       one call: TYPE is body, rawbody, full or header; prints the value
#       ("undef" when undefined) and, on a second line, 1 or 0 (a hit?)
#   perl scripts/sa-eval-body.pl --list
#       the stock rules that call one of those functions, one a line:
#       NAME TAB TYPE TAB FUNCTION [TAB ARG]... (the arguments as SA's
#       pack_eval_args leaves them)
#   perl scripts/sa-eval-body.pl --rules [--from RULES.tsv [--shared]] FILE...
#       every stock rule of --list (or every rule of RULES.tsv, in the
#       --list format) on every FILE: "FILE TAB NAME TAB 0|1"; with --from
#       each call gets a message of its own (the plugins cache per message
#       what the first caller's text gave them) unless --shared
#   perl scripts/sa-eval-body.pl --cases CASES.tsv
#       calls listed one a line, FILE TAB TYPE TAB FUNCTION [TAB ARG]...;
#       prints each line with TAB and 0|1 appended (the unit tests' tables);
#       each call gets a message of its own (the plugins cache per message)
#
# The message is handled as SpamAssassin's check does before body evals
# run: metadata extracted, the URI list built (uri rules run first).
# $SA_EVAL_CONF, when set, is added to the configuration (for instance
# "ok_locales en" to exercise the charset checks).
# Needs Debian's spamassassin.
use strict;
use warnings;
use Mail::SpamAssassin;
use Mail::SpamAssassin::PerMsgStatus;

my %FUNCS = map { $_ => 1 } qw(
    html_tag_balance html_image_only html_image_ratio html_charset_faraway html_tag_exists
    html_test html_eval html_text_match html_title_subject_ratio html_text_not_match html_range
    check_iframe_src
    check_for_mime check_for_mime_html check_for_mime_html_only check_mime_multipart_ratio
    check_msg_parse_flags check_for_ascii_text_illegal check_abundant_unicode_ratio
    check_for_faraway_charset check_for_uppercase check_ma_non_text check_base64_length
    check_qp_ratio
    multipart_alternative_difference multipart_alternative_difference_count
    check_blank_line_ratio tvd_vertical_words check_stock_info check_body_length
    plaintext_body_length plaintext_sig_length plaintext_body_sig_ratio
    image_count pixel_coverage image_size_exact image_size_range image_named image_name_regex
    image_to_text_ratio
    check_for_http_redirector check_https_ip_mismatch check_uri_truncated
    check_https_http_mismatch
    check_microsoft_executable check_suspect_name check_body_8bits
);

my $sa = Mail::SpamAssassin->new({
    dont_copy_prefs    => 1,
    local_tests_only   => 1,
    userprefs_filename => '/dev/null',
    pre_config_text    => "loadplugin Mail::SpamAssassin::Plugin::AntiVirus\n"
        . "loadplugin Mail::SpamAssassin::Plugin::TextCat\n",
    post_config_text => "use_bayes 0\n" . ($ENV{SA_EVAL_CONF} // '') . "\n",
});
$sa->init(1);

sub plugin_for {
    my ($fn) = @_;
    for my $p (@{ $sa->{plugins}->{plugins} }) {
        return $p if $p->can($fn);
    }
    die "no plugin has $fn\n";
}

# the stock rules calling one of %FUNCS: [name, type, function, args]
sub stock_rules {
    my $conf = $sa->{conf};
    my @rules;
    for my $t ([ body_evals => 'body' ], [ rawbody_evals => 'rawbody' ],
               [ full_evals => 'full' ], [ head_evals => 'header' ]) {
        my ($key, $type) = @$t;
        for my $prio (sort keys %{ $conf->{$key} }) {
            my $h = $conf->{$key}{$prio};
            for my $name (sort keys %$h) {
                my ($fn, $args) = @{ $h->{$name} };
                next unless $FUNCS{$fn};
                push @rules, [ $name, $type, $fn, $args ];
            }
        }
    }
    return sort { $a->[0] cmp $b->[0] } @rules;
}

sub slurp {
    my ($file) = @_;
    open(my $fh, '<', $file) or die "$file: $!\n";
    binmode $fh;
    local $/;
    my $text = <$fh>;
    close $fh;
    return $text;
}

sub prepare {
    my ($file) = @_;
    my $msg = $sa->parse(slurp($file));
    my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
    $pms->extract_message_metadata();
    $pms->get_uri_list();
    return ($msg, $pms);
}

sub call {
    my ($pms, $type, $fn, @args) = @_;
    my @pre;
    if ($type eq 'body') {
        @pre = ($pms->get_decoded_stripped_body_text_array());
    } elsif ($type eq 'rawbody') {
        @pre = ($pms->get_decoded_body_text_array());
    } elsif ($type eq 'full') {
        @pre = (\$pms->{msg}->get_pristine());
    } elsif ($type ne 'header') {
        die "unknown type $type\n";
    }
    my $plugin = plugin_for($fn);
    my $r;
    # as Check.pm's run_eval_tests: an eval that dies does not hit
    eval { $r = $plugin->$fn($pms, @pre, @args); 1 } or do {
        warn "$fn: $@";
        $r = 0;
    };
    return $r;
}

if (@ARGV && $ARGV[0] eq '--list') {
    for my $r (stock_rules()) {
        print join("\t", $r->[0], $r->[1], $r->[2], @{ $r->[3] }), "\n";
    }
    exit 0;
}

sub rules_from {
    my ($path) = @_;
    open(my $fh, '<', $path) or die "$path: $!\n";
    my @rules;
    while (my $line = <$fh>) {
        chomp $line;
        next if $line =~ /^(?:#|\s*$)/;
        my ($name, $type, $fn, @args) = split /\t/, $line;
        push @rules, [ $name, $type, $fn, \@args ];
    }
    return @rules;
}

if (@ARGV && $ARGV[0] eq '--rules') {
    shift @ARGV;
    my $fresh = 0;
    my @rules;
    if (@ARGV >= 2 && $ARGV[0] eq '--from') {
        shift @ARGV;
        @rules = rules_from(shift @ARGV);
        $fresh = 1;
        if (@ARGV && $ARGV[0] eq '--shared') {
            shift @ARGV;
            $fresh = 0;
        }
    } else {
        @rules = stock_rules();
    }
    for my $file (@ARGV) {
        my ($msg, $pms) = $fresh ? () : prepare($file);
        for my $r (@rules) {
            ($msg, $pms) = prepare($file) if $fresh;
            my $v = call($pms, $r->[1], $r->[2], @{ $r->[3] });
            print "$file\t$r->[0]\t", ($v ? 1 : 0), "\n";
            if ($fresh) { $pms->finish(); $msg->finish(); }
        }
        if (!$fresh) { $pms->finish(); $msg->finish(); }
    }
    exit 0;
}

if (@ARGV == 2 && $ARGV[0] eq '--cases') {
    open(my $fh, '<', $ARGV[1]) or die "$ARGV[1]: $!\n";
    while (my $line = <$fh>) {
        chomp $line;
        next if $line =~ /^(?:#|\s*$)/;
        my ($file, $type, $fn, @args) = split /\t/, $line;
        # a fresh $pms each time: the plugins cache per message what the
        # first caller's text gave them
        my ($msg, $pms) = prepare($file);
        my $v = call($pms, $type, $fn, @args);
        print "$line\t", ($v ? 1 : 0), "\n";
        $pms->finish();
        $msg->finish();
    }
    exit 0;
}

die "usage: $0 FILE TYPE FUNCTION [ARG...] | --list | --rules [--from RULES] FILE... | --cases FILE\n"
    if @ARGV < 3;
my ($file, $type, $fn, @args) = @ARGV;
my ($msg, $pms) = prepare($file);
my $v = call($pms, $type, $fn, @args);
print defined $v ? "$v\n" : "undef\n";
print $v ? "1\n" : "0\n";
