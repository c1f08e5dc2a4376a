#!/usr/bin/perl
# sa-eval-header.pl - SpamAssassin's own header and relay eval functions, the
# oracle for compat/sa_eval_header.c and compat/sa_eval_relay.c: runs each
# call on each message and prints what the Perl function returned.
#
#   perl scripts/sa-eval-header.pl [--cf TEXT] [--calls FILE] [--call CALL]... FILE...
#
# A CALL is written as in a rule: "check_for_shifted_date('-6', '-3')" (the
# arguments are Perl literals); --call may be repeated. --calls FILE reads one
# CALL a line. Prints,
# per message and call, a line "FILE<TAB>CALL<TAB>RESULT", RESULT being the
# value returned: "undef", or the string ("" for the empty string). --cf adds
# configuration text (as in local.cf). Needs Debian's spamassassin (4.0.1).
use strict;
use warnings;
use Getopt::Long;
use Mail::SpamAssassin;
use Mail::SpamAssassin::PerMsgStatus;

my ($cf, $calls_file, @calls) = ('', undef);
GetOptions('cf=s' => \$cf, 'calls=s' => \$calls_file, 'call=s' => \@calls)
    or die "usage: $0 [--cf TEXT] [--calls FILE] [--call CALL]... FILE...\n";
my @files = @ARGV;
if (defined $calls_file) {
    open(my $fh, '<', $calls_file) or die "$calls_file: $!\n";
    while (<$fh>) {
        chomp;
        push @calls, $_ if /\S/;
    }
    close $fh;
}
die "no calls\n" unless @calls;

my $sa = Mail::SpamAssassin->new({
    dont_copy_prefs    => 1,
    local_tests_only   => 1,
    userprefs_filename => '/dev/null',
    post_config_text   => "use_bayes 0\n$cf",
});
$sa->init(1);

# "fn(args)" -> [fn, [args]]
my @parsed;
for my $c (@calls) {
    $c =~ /^\s*(\w+)\s*(?:\((.*)\))?\s*$/s or die "bad call: $c\n";
    my ($fn, $args) = ($1, defined $2 ? $2 : '');
    my @args = eval "($args)";
    die "bad arguments in $c: $@" if $@;
    my $plugin;
    for my $p (@{$sa->{plugins}->{plugins}}) {
        if ($p->can($fn)) { $plugin = $p; last }
    }
    die "no plugin has $fn\n" unless $plugin;
    push @parsed, [$c, $fn, \@args, $plugin];
}

for my $file (@files) {
    open(my $fh, '<', $file) or die "$file: $!\n";
    binmode $fh;
    my $text = do { local $/; <$fh> };
    close $fh;
    my $msg = $sa->parse($text);
    my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
    $pms->extract_message_metadata();
    for my $p (@parsed) {
        my ($c, $fn, $args, $plugin) = @$p;
        my $r = eval { scalar $plugin->$fn($pms, @$args) };
        $r = "die: $@" if $@;
        $r = 'undef' unless defined $r;
        $r =~ s/[\t\n]/ /g;
        print "$file\t$c\t$r\n";
    }
    $pms->finish();
    $msg->finish();
}
