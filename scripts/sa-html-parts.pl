#!/usr/bin/perl
# sa-html-parts.pl - dump every text/html part of some messages as SpamAssassin
# 4.0.1 hands it to HTML::Parser: transfer-decoded, then charset-decoded by
# Node::_normalize exactly as Node::rendered() does. Each part goes to
# OUTDIR/NNNNN.html (UTF-8); OUTDIR/parts.tsv lists id, whether SA's string
# was in characters (1) or left as octets (0: all-ASCII text SA does not
# decode), the declared charset and the message file.
#
#   scripts/sa-html-parts.pl OUTDIR FILE.eml...
use strict;
use warnings;
use Mail::SpamAssassin;
use Mail::SpamAssassin::Message::Node;

my $out = shift @ARGV or die "usage: $0 OUTDIR FILE...\n";
mkdir $out;
my $sa = Mail::SpamAssassin->new({ local_tests_only => 1, dont_copy_prefs => 1,
                                   userprefs_filename => '/dev/null' });
open(my $tsv, '>', "$out/parts.tsv") or die "$out/parts.tsv: $!\n";
my $n = 0;
for my $file (@ARGV) {
    open(my $fh, '<', $file) or die "$file: $!\n";
    binmode $fh;
    my $raw = do { local $/; <$fh> };
    close $fh;
    my $msg = $sa->parse($raw, 1);
    for my $p ($msg->find_parts(qr/./, 1)) {
        next unless $p->effective_type() eq 'text/html';
        my $text = $p->decode;
        next if $text eq '';
        my $charset = $p->{charset} // 'us-ascii';
        # the call rendered() makes when normalize_charset is on (the default)
        my $chars = Mail::SpamAssassin::Message::Node::_normalize($text, $charset, 1);
        my $flagged = utf8::is_utf8($chars) ? 1 : 0;
        utf8::encode($chars) if $flagged;
        my $id = sprintf('%05d', $n++);
        open(my $oh, '>', "$out/$id.html") or die "$out/$id.html: $!\n";
        binmode $oh;
        print $oh $chars;
        close $oh;
        print $tsv join("\t", $id, $flagged, $charset, $file), "\n";
    }
    $msg->finish;
}
close $tsv;
print STDERR "$n parts\n";
