#!/usr/bin/perl
# sa-dates.pl - print SpamAssassin's Util::parse_rfc822_date of each input
# line (a \x01 in a line stands for a newline): the epoch seconds, or
# "undef". The oracle for server/mime/mime_date.c and its unit test.
use strict;
use warnings;
use Mail::SpamAssassin::Util;

while (my $l = <STDIN>) {
    chomp $l;
    $l =~ s/\x01/\n/g;
    my $t = Mail::SpamAssassin::Util::parse_rfc822_date($l);
    print defined $t ? "$t\n" : "undef\n";
}
