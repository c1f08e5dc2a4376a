#!/usr/bin/perl
# sa-urls.pl - SpamAssassin's own answers for the URL and address code in
# server/mime (mime_url.c, mime_psl.c, mime_idn.c, mime_addr.c): the oracle
# the unit tests' tables and the parity scripts are made from.
#
#   perl scripts/sa-urls.pl --text FILE...   each line is a line of rendered
#       body text: what _process_text_uri_list hands to add_uri_detail_list
#       (the uri and its types), whether add_uri_detail_list kept it, its
#       uri_list_canonicalize forms (sorted) and uri_to_domain of each
#   perl scripts/sa-urls.pl --canon FILE...  each line is a raw URI (an HTML
#       href, say): its canonical forms and uri_to_domain of each
#   perl scripts/sa-urls.pl --addr FILE...   each line is an address header
#       value: Util::parse_header_addresses
#   perl scripts/sa-urls.pl --host FILE...   each line is a host name:
#       idn_to_ascii, is_fqdn_valid(h, 1) of that, is_domain_valid, trim_domain
#   perl scripts/sa-urls.pl --encode FILE... Util::url_encode (scalar) of each line
#   perl scripts/sa-urls.pl --ip FILE...     Constants::IS_IP_ADDRESS on each line
#   perl scripts/sa-urls.pl --tlds           SA's valid TLDs, one a line
#   perl scripts/sa-urls.pl --redirectors    conf redirector_patterns as JSON
#       [pattern, modifiers]
#
# With --json every input line is a JSON string (so it may hold newlines;
# \u0080-\u00ff are single bytes, wider characters UTF-8); otherwise it is
# taken as is, without its line feed. Output: one JSON object per input line
# (JSON::PP ascii canonical), every string as octets (\u00XX is one byte).
# Needs Debian's spamassassin 4.0.1.
use strict;
use warnings;
use Mail::SpamAssassin;
use Mail::SpamAssassin::PerMsgStatus;
use Mail::SpamAssassin::Util;
use Mail::SpamAssassin::Constants;
use JSON::PP;
use re qw(regexp_pattern);

my $mode = shift @ARGV or die "usage: sa-urls.pl --text|--canon|--addr|--host|--encode|--ip|--tlds|--redirectors [--json] FILE...\n";
my $json_in = 0;
if (@ARGV && $ARGV[0] eq '--json') {
    $json_in = 1;
    shift @ARGV;
}

# SA warns about the hex overflows it handles; they are noise here
$SIG{__WARN__} = sub { };

my $sa = Mail::SpamAssassin->new({
    dont_copy_prefs    => 1,
    local_tests_only   => 1,
    userprefs_filename => '/dev/null',
    post_config_text   => "use_bayes 0\n",
});
$sa->init(1);
my $rb = $sa->{registryboundaries};
my $redirectors = $sa->{conf}->{redirector_patterns};
my $json = JSON::PP->new->ascii->canonical;

sub octets {
    my ($v) = @_;
    if (ref $v eq 'ARRAY') { return [ map { octets($_) } @$v ] }
    if (ref $v eq 'HASH')  { return { map { octets($_) => octets($v->{$_}) } keys %$v } }
    return $v if !defined $v || ref $v;
    my $s = "$v";
    utf8::encode($s) if utf8::is_utf8($s);
    return $s;
}

sub out {
    print $json->encode(octets($_[0])), "\n";
}

# every input line, as octets
sub inputs {
    my @in;
    for my $f (@ARGV) {
        open my $fh, '<:raw', $f or die "$f: $!";
        while (my $l = <$fh>) {
            $l =~ s/\n\z//;
            next if $l eq '';
            if ($json_in) {
                # \u00XX is one byte, as in the output; wider characters are UTF-8
                $l = JSON::PP->new->allow_nonref->decode($l);
                if ($l =~ /[^\x00-\xff]/) { utf8::encode($l) } else { utf8::downgrade($l) }
            }
            push @in, $l;
        }
        close $fh;
    }
    return @in;
}

# the canonical forms of one URI and uri_to_domain of each
sub canon {
    my ($uri) = @_;
    my @c = sort(Mail::SpamAssassin::Util::uri_list_canonicalize($redirectors, [$uri], $rb));
    my %dom;
    for my $c (@c) {
        my ($d, $h) = $rb->uri_to_domain($c);
        $dom{$c} = defined $d ? [ $d, $h ] : undef;
    }
    return (\@c, \%dom);
}

if ($mode eq '--tlds') {
    print "$_\n" for sort keys %{ $sa->{conf}->{valid_tlds} };
    exit 0;
}
if ($mode eq '--redirectors') {
    out([ map { [ regexp_pattern($_) ] } @$redirectors ]);
    exit 0;
}

if ($mode eq '--text') {
    # A small message gives a real PerMsgStatus; its rendered body is then
    # replaced by each input line, and add_uri_detail_list is wrapped to see
    # what _process_text_uri_list gives it and what it keeps.
    my $msg = $sa->parse("From: a\@example.com\nSubject: x\n\nx\n", 1);
    my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
    my $orig = \&Mail::SpamAssassin::PerMsgStatus::add_uri_detail_list;
    my @seen;
    no warnings 'redefine';
    local *Mail::SpamAssassin::PerMsgStatus::add_uri_detail_list = sub {
        my ($self, $uri, $types, $source, $valid) = @_;
        my %t = %$types;
        my $kept = $orig->(@_) ? JSON::PP::true : JSON::PP::false;
        push @seen, [ $uri, [ sort keys %t ], $kept ];
        return $kept;
    };
    for my $line (inputs()) {
        @seen = ();
        $pms->{uri_detail_list} = {};
        $msg->{text_rendered} = [$line];
        $pms->_process_text_uri_list();
        my @found;
        for my $s (@seen) {
            my ($c, $d) = canon($s->[0]);
            push @found, { uri => $s->[0], types => $s->[1], kept => $s->[2],
                           cleaned => $c, domains => $d };
        }
        out({ in => $line, found => \@found });
    }
    exit 0;
}

if ($mode eq '--canon') {
    for my $uri (inputs()) {
        my ($c, $d) = canon($uri);
        out({ in => $uri, cleaned => $c, domains => $d });
    }
    exit 0;
}

if ($mode eq '--addr') {
    for my $v (inputs()) {
        my @a = Mail::SpamAssassin::Util::parse_header_addresses($v);
        my @r = map { { phrase => $_->{phrase}, address => $_->{address}, user => $_->{user},
                        host => $_->{host}, comment => $_->{comment},
                        invalid => $_->{invalid} ? JSON::PP::true : JSON::PP::false } } @a;
        out({ in => $v, addrs => \@r });
    }
    exit 0;
}

if ($mode eq '--encode') {
    for my $u (inputs()) {
        out({ in => $u, out => scalar Mail::SpamAssassin::Util::url_encode($u) });
    }
    exit 0;
}

if ($mode eq '--ip') {
    my $re = Mail::SpamAssassin::Constants::IS_IP_ADDRESS;
    for my $h (inputs()) {
        out({ in => $h, ip => $h =~ $re ? JSON::PP::true : JSON::PP::false });
    }
    exit 0;
}

if ($mode eq '--host') {
    for my $h (inputs()) {
        my $idn = Mail::SpamAssassin::Util::idn_to_ascii($h);
        out({ in => $h, idn => $idn,
              fqdn => Mail::SpamAssassin::Util::is_fqdn_valid($idn, 1) ? JSON::PP::true : JSON::PP::false,
              valid => $rb->is_domain_valid($h) ? JSON::PP::true : JSON::PP::false,
              trim => scalar $rb->trim_domain($h) });
    }
    exit 0;
}

die "sa-urls.pl: unknown mode $mode\n";
