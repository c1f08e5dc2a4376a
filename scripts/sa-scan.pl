#!/usr/bin/perl
# sa-scan.pl - scan messages with the real SpamAssassin (Debian's 4.0.1)
# and print one JSON object per message: its score, required score,
# verdict, the rules hit (with their scores) and the sub-rules (__) hit.
# The reference side of scripts/sa-rule-parity.py.
#
#   scripts/sa-scan.pl [--net] [--time] FILE...
#
# --time adds "cpu": the CPU seconds SpamAssassin spent on the message
# (parse, check and finish; `make bench` compares sift's with it).
# Network tests are off (spamd -L) unless --net; Bayes is off; the
# user's own preferences are not read. Rules: the shipped (or sa-update)
# directory and /etc/spamassassin, as spamd reads them.
use strict;
use warnings;
use Mail::SpamAssassin;
use JSON::PP;

my ($net, $time) = (0, 0);
while (@ARGV && $ARGV[0] =~ /^--/) {
    my $o = shift @ARGV;
    if    ($o eq '--net')  { $net = 1 }
    elsif ($o eq '--time') { $time = 1 }
    else                   { die "usage: sa-scan.pl [--net] [--time] FILE...\n" }
}

my $sa = Mail::SpamAssassin->new({
    dont_copy_prefs    => 1,
    local_tests_only   => $net ? 0 : 1,
    userprefs_filename => '/dev/null',
    post_config_text   => "use_bayes 0\nuse_auto_whitelist 0\n",
});
$sa->init(1);
my $json = JSON::PP->new->canonical;

for my $file (@ARGV) {
    my $text = do { local $/; open(my $fh, '<', $file) or die "$file: $!"; <$fh> };
    my @t0 = times();
    my $msg = $sa->parse($text);
    my $pms = $sa->check($msg);
    my %hits = %{ $pms->{tests_already_hit} || {} };
    my %scores;
    for my $t (@{ $pms->{test_names_hit} || [] }) {
        $scores{$t} += $pms->{conf}->{scores}->{$t};
    }
    my @sub = sort grep { /^__/ && $hits{$_} } keys %hits;
    my %out = (
        file     => $file,
        score    => $pms->get_score() + 0,
        required => $pms->{conf}->{required_score} + 0,
        is_spam  => $pms->is_spam() ? JSON::PP::true : JSON::PP::false,
        symbols  => { map { $_ => { score => $scores{$_} + 0, count => $hits{$_} + 0 } } keys %scores },
        subrules => \@sub,
    );
    $pms->finish();
    $msg->finish();
    if ($time) {
        my @t1 = times();
        $out{cpu} = ($t1[0] - $t0[0]) + ($t1[1] - $t0[1]);
    }
    print $json->encode(\%out), "\n";
}
