#!/usr/bin/perl
# sa-eval-wlbl.pl - SpamAssassin's own FreeMail, WLBLEval,
# WelcomeListSubject and VBounce eval functions, each call under a
# configuration of its own: the oracle for compat/sa_eval_freemail.c,
# sa_eval_wlbl.c and sa_eval_vbounce.c.
#
#   perl scripts/sa-eval-wlbl.pl [--dir DIR] CASES.tsv
#
# CASES.tsv holds one call a line, CONF TAB FILE TAB TYPE TAB FUNCTION
# [TAB ARG]... (# comments and blank lines are skipped): CONF and FILE are
# names under DIR (default tests/data/eval/wlbl), CONF a .cf text that is
# the whole configuration ("-" for none; the four plugins are loaded, no
# stock rule or setting is read), TYPE body, rawbody or header. Prints each
# call line with TAB and 0|1 appended (a hit?): the unit tests' tables.
#
# Each call runs in a process of its own, forked after SpamAssassin read
# the configuration: FreeMail matches with /$re/o, which compiles once per
# process, so one call's regex would otherwise stand in for the next one's.
# Needs Debian's spamassassin (4.0.1).
use strict;
use warnings;
use Getopt::Long;
use POSIX ();
use Mail::SpamAssassin;
use Mail::SpamAssassin::PerMsgStatus;

my $dir = 'tests/data/eval/wlbl';
GetOptions('dir=s' => \$dir) && @ARGV == 1
    or die "usage: $0 [--dir DIR] CASES.tsv\n";
$| = 1;

my $PLUGINS = join('', map { "loadplugin Mail::SpamAssassin::Plugin::$_\n" }
                   qw(FreeMail WLBLEval WelcomeListSubject VBounce));

sub slurp {
    my ($file) = @_;
    open(my $fh, '<', $file) or die "$file: $!\n";
    binmode $fh;
    local $/;
    my $text = <$fh>;
    close $fh;
    return $text;
}

my %sa; # CONF -> Mail::SpamAssassin

sub sa_for {
    my ($conf) = @_;
    return $sa{$conf} if $sa{$conf};
    my $text = $conf eq '-' ? '' : slurp("$dir/$conf");
    my $sa = Mail::SpamAssassin->new({
        dont_copy_prefs    => 1,
        local_tests_only   => 1,
        userprefs_filename => '/dev/null',
        config_text        => "$PLUGINS\nuse_bayes 0\n$text\n",
    });
    $sa->init(1);
    return $sa{$conf} = $sa;
}

sub plugin_for {
    my ($sa, $fn) = @_;
    for my $p (@{ $sa->{plugins}->{plugins} }) {
        return $p if $p->can($fn);
    }
    die "no plugin has $fn\n";
}

# one call, as Check.pm's run_eval_tests makes it: 0|1
sub call {
    my ($sa, $file, $type, $fn, @args) = @_;
    my $msg = $sa->parse(slurp("$dir/$file"));
    my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
    $pms->extract_message_metadata();
    $pms->get_uri_list();
    $pms->{current_rule_name} = 'T_EVAL';
    my @pre;
    if ($type eq 'body') {
        @pre = ($pms->get_decoded_stripped_body_text_array());
    } elsif ($type eq 'rawbody') {
        @pre = ($pms->get_decoded_body_text_array());
    } elsif ($type ne 'header') {
        die "unknown type $type\n";
    }
    my $plugin = plugin_for($sa, $fn);
    my $r;
    eval { $r = $plugin->$fn($pms, @pre, @args); 1 } or do {
        warn "$fn: $@";
        $r = 0;
    };
    $pms->finish();
    $msg->finish();
    return $r ? 1 : 0;
}

open(my $fh, '<', $ARGV[0]) or die "$ARGV[0]: $!\n";
while (my $line = <$fh>) {
    chomp $line;
    next if $line =~ /^(?:#|\s*$)/;
    my ($conf, $file, $type, $fn, @args) = split /\t/, $line;
    my $sa = sa_for($conf);
    my $pid = fork();
    die "fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        print "$line\t", call($sa, $file, $type, $fn, @args), "\n";
        POSIX::_exit(0);
    }
    waitpid($pid, 0);
    die "$line: the call failed\n" if $? != 0;
}
close $fh;
