#!/usr/bin/perl
# sa-html.pl - the reference for server/mime/mime_html.c: render HTML parts
# with SpamAssassin's own Mail::SpamAssassin::HTML (4.0.1, on HTML::Parser),
# called as Node::rendered() calls it, and print one JSON object per file.
#
#   scripts/sa-html.pl [--chars|--octets] [--nofile] FILE...
#
# Each FILE holds one HTML part, UTF-8. rendered() hands HTML::Parser a
# string of characters when the part had 8-bit data, but leaves an all-ASCII
# part as octets, and Perl's \s, \w, \b then differ for characters 0x80-0xff
# that entities produce. The default does the same (ASCII: octets); --chars
# and --octets force one way. Strings are printed as UTF-8, keys sorted;
# --nofile leaves out the "file" key (for tests/data/html/NAME.json).
use strict;
use warnings;
use JSON::PP;
use Mail::SpamAssassin::HTML;

my $mode = 'auto';
my $nofile = 0;
while (@ARGV && $ARGV[0] =~ /^--(chars|octets|nofile)$/) {
    if ($1 eq 'nofile') {
        $nofile = 1;
    } else {
        $mode = $1;
    }
    shift @ARGV;
}
my $json = JSON::PP->new->ascii->canonical;

sub octets {
    my ($s) = @_;
    return undef unless defined $s;
    utf8::encode($s);    # characters (flagged or not) to UTF-8
    return $s;
}

sub num {
    my ($v) = @_;
    return defined $v ? 0 + $v : undef;
}

sub render {
    my ($text) = @_;
    my $ascii = $text !~ tr/\x00-\x7F//c;
    utf8::decode($text) if $mode eq 'chars' || ($mode eq 'auto' && !$ascii);
    utf8::upgrade($text) if $mode eq 'chars';
    local $SIG{__WARN__} = sub { };
    # rendered() always says "characters in, characters out" when
    # normalize_charset is on (the default), even for an octet string
    my $html = Mail::SpamAssassin::HTML->new(1, 1);
    # HTML.pm dies on some input (an empty CSS background) outside its own
    # eval, so rendered() and the whole scan die with it: nothing to compare
    return { died => 1 } unless eval { $html->parse($text); 1 };
    my $r = $html->get_results();
    my %o;
    $o{text} = octets($html->get_rendered_text());
    $o{visible} = octets($html->get_rendered_text(invisible => 0));
    $o{invisible} = octets($html->get_rendered_text(invisible => 1));

    # what Node::rendered() adds
    my $rendered = $html->get_rendered_text();
    my $space;
    if (utf8::is_utf8($rendered)) {
        (my $str = $rendered) =~ s/\S+//g;
        $space = length $str;
    } else {
        $space = $rendered =~ tr/ \t\n\r\x0b//;
    }
    $o{html_length} = length $rendered;
    $o{non_space_len} = length($rendered) - $space;

    $o{length} = num($r->{length});
    $o{image_area} = num($r->{image_area});
    $o{min_size} = num($r->{min_size});
    $o{max_size} = num($r->{max_size});
    for my $k (qw(closed_extra_ratio bad_tag_ratio non_element_ratio obfuscation_ratio
                  backhair_count)) {
        $o{$k} = num($r->{$k});
    }
    for my $k (qw(font_low_contrast font_invalid_color font_face_bad form_action_mailto
                  embeds uri_truncated)) {
        $o{$k} = $r->{$k} ? JSON::PP::true : JSON::PP::false;
    }
    $o{closed_html} = $html->{closed_html} ? JSON::PP::true : JSON::PP::false;
    $o{closed_body} = $html->{closed_body} ? JSON::PP::true : JSON::PP::false;
    $o{titles} = [ map { octets($_ // '') } @{ $r->{title} || [] } ];
    $o{comments} = [ map { octets($_) } @{ $r->{comment} || [] } ];
    $o{scripts} = [ map { octets($_) } @{ $r->{script} || [] } ];
    $o{anchors} = [ map { octets($_) } @{ $r->{anchor} || [] } ];
    $o{charsets} = octets($html->{charsets} // '');
    my %uris;
    for my $u (keys %{ $r->{uri_detail} || {} }) {
        my $d = $r->{uri_detail}{$u};
        $uris{ octets($u) } = {
            types => [ sort keys %{ $d->{types} || {} } ],
            anchor_text => [ map { octets($_) } @{ $d->{anchor_text} || [] } ],
        };
    }
    $o{uris} = \%uris;
    my %inside;
    for my $t (keys %{ $r->{inside} || {} }) {
        $inside{ octets($t) } = num($r->{inside}{$t});
    }
    $o{inside} = \%inside;
    return \%o;
}

# Each part in a child process: after HTML.pm dies inside HTML::Parser,
# the next parser of the same process can misbehave.
$| = 1;
for my $file (@ARGV) {
    my $pid = open(my $kid, '-|') // die "fork: $!\n";
    if ($pid == 0) {
        open(my $fh, '<', $file) or die "$file: $!\n";
        binmode $fh;
        my $text = do { local $/; <$fh> };
        close $fh;
        my $o = render($text);
        $o->{file} = $file unless $nofile;
        print $json->encode($o), "\n";
        exit 0;
    }
    print while <$kid>;
    close $kid or die "$file: the child failed\n";
}
