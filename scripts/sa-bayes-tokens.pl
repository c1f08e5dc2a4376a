#!/usr/bin/perl
# sa-bayes-tokens.pl - SpamAssassin's own Bayes tokens of messages, one JSON
# object per line, for scripts/bayes-tok-parity.py to compare with sift's
# (scripts/bayes_tok_dump.c).
#
#   perl scripts/sa-bayes-tokens.pl [--mode learn|scan] [--cf TEXT] FILE...
#   perl scripts/sa-bayes-tokens.pl --dbpath DIR FILE...
#
# Tokens come from the Bayes plugin's tokenize(), fed as Plugin/Bayes.pm
# feeds it:
#   learn  as learn_message() (sa-learn, spamc -L): get_body_from_msg(),
#          i.e. Message::extract_message_metadata and the msgdata of a
#          PerMsgStatus made for it; the message metadata then holds the
#          X-Spam-Relays-* strings only;
#   scan   as scan() (spamassassin, spamd): the X-Spam-* fields deleted
#          first (check_timed), then PerMsgStatus::extract_message_metadata,
#          which also puts X-SenderDomain and X-AuthorDomain.
# A process's first Node::delete_header call fixes the pattern of all later
# ones (/o): in a learning process that is Received.pm's, which deletes
# X-Spam-Relays-Trusted fields only; in a scanning one check_timed's, after
# which every X-Spam-* field goes. This script runs one mode per process.
# Each line: {"file": F, "tokens": [[KEY, TOKEN], ...]} with KEY the 5-byte
# database key in hex (substr(sha1(TOKEN), -5)) and TOKEN its bytes
# (\u00XX for bytes >= 0x80).
#
# --dbpath DIR scans (scan mode) against the Bayes database DIR/bayes
# (made by sa-learn --dbpath DIR) and adds, per message, what the plugin
# read and computed: "nspam", "nham", "counts": [[KEY, SPAM, HAM], ...] for
# each token found in the database, and "score": the plugin's probability
# (printed with 17 digits) or null when it gave none.
#
# Uses the stock rules (/usr/share/spamassassin, /etc/spamassassin) and no
# user preferences; --cf TEXT is configuration read after them (as
# local.cf would be: bayes_token_sources all, bayes_max_token_length 10).
# Needs Debian's spamassassin.
use strict;
use warnings;
use Getopt::Long;
use Digest::SHA qw(sha1);
use JSON::PP;
use Mail::SpamAssassin;
use Mail::SpamAssassin::PerMsgStatus;

my $mode = 'learn';
my ($dbpath, $cf);
GetOptions('mode=s' => \$mode, 'dbpath=s' => \$dbpath, 'cf=s' => \$cf) or die "usage\n";
$mode = 'scan' if defined $dbpath;
die "--mode: learn or scan\n" if $mode ne 'learn' && $mode ne 'scan';

my $post = "use_bayes 1\nbayes_auto_learn 0\nbayes_auto_expire 0\n";
$post .= "bayes_path $dbpath/bayes\n" if defined $dbpath;
$post .= "$cf\n" if defined $cf;
my $sa = Mail::SpamAssassin->new({
    rules_filename      => '/usr/share/spamassassin',
    site_rules_filename => '/etc/spamassassin',
    dont_copy_prefs    => 1,
    local_tests_only   => 1,
    userprefs_filename => '/dev/null',
    post_config_text   => $post,
});
$sa->init(1);

my ($bayes) = grep { ref $_ eq 'Mail::SpamAssassin::Plugin::Bayes' }
    @{ $sa->{plugins}->{plugins} };
die "the Bayes plugin is not loaded\n" unless $bayes;

my $json = JSON::PP->new->ascii->canonical;

sub octets {
    my ($s) = @_;
    utf8::encode($s) if utf8::is_utf8($s);
    return $s;
}

sub read_file {
    my ($path) = @_;
    open(my $fh, '<', $path) or die "$path: $!\n";
    binmode $fh;
    local $/;
    my $text = <$fh>;
    close $fh;
    return $text;
}

for my $file (@ARGV) {
    my $msg = $sa->parse(read_file($file), 1);
    my ($pms, $toks);
    if ($mode eq 'learn') {
        my $msgdata = $bayes->get_body_from_msg($msg);
        $toks = $bayes->tokenize($msg, $msgdata);
    } else {
        $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
        # PerMsgStatus::check_timed does this before anything extracts the
        # metadata; being the process's first delete_header call, it also
        # fixes the pattern every later call uses (/o in Node::delete_header)
        $msg->delete_header('X-Spam-.*');
        $pms->extract_message_metadata();
        my $msgdata = $bayes->_get_msgdata_from_permsgstatus($pms);
        $toks = $bayes->tokenize($msg, $msgdata);
    }
    my %out = (file => $file);
    $out{tokens} = [ map { [ unpack('H*', $_), octets($toks->{$_}) ] }
                     sort keys %$toks ];
    if (defined $dbpath) {
        my $store = $bayes->{store};
        if ($store->tie_db_readonly()) {
            my ($ns, $nn) = $store->nspam_nham_get();
            my $data = $store->tok_get_all(keys %$toks);
            $out{nspam} = $ns + 0;
            $out{nham} = $nn + 0;
            $out{counts} = [ map { [ unpack('H*', $_->[0]), ($_->[1] || 0) + 0,
                                     ($_->[2] || 0) + 0 ] }
                             sort { $a->[0] cmp $b->[0] } @$data ];
            $store->untie_db();
        }
        my $score = $bayes->scan($pms, $msg);
        $out{score} = defined $score ? sprintf('%.17g', $score) : undef;
    }
    $pms->finish() if $pms;
    $msg->finish();
    print $json->encode(\%out), "\n";
}
