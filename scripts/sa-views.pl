#!/usr/bin/perl
# sa-views.pl - print SpamAssassin's own view of messages, one JSON object per
# line, in the form `siftadm inspect --json` prints sift's: headers (decoded
# and raw), the MIME parts, the body/rawbody/uri views rules read, the relays
# and address look-ups. scripts/mime-parity.py compares the two.
#
#   perl scripts/sa-views.pl FILE...
#
# Needs Debian's spamassassin. Strings are printed as bytes (\u00XX for bytes
# >= 0x80), as sift prints them.
use strict;
use warnings;
use Mail::SpamAssassin;
use Mail::SpamAssassin::PerMsgStatus;
use JSON::PP;
use Digest::SHA qw(sha1_hex);

my @GETS = ('From:addr', 'From:name', 'To:addr', 'To:name', 'Cc:addr', 'Reply-To:addr',
            'Sender:addr', 'Return-Path:addr', 'From:raw', 'Subject', 'Subject:raw',
            'ToCc', 'MESSAGEID', 'EnvelopeFrom', 'Message-Id', 'Date',
            'From:host', 'From:domain', 'From:addr:domain', 'Message-Id:host', 'Message-Id:domain', 'Received:ip', 'Received:revip',
            'Received:host', 'Received:first', 'ALL:raw', 'ALL-TRUSTED', 'ALL-UNTRUSTED:raw', 'Reply-To:domain', 'X-Mailer:first');

my $sa = Mail::SpamAssassin->new({
    dont_copy_prefs    => 1,
    local_tests_only   => 1,
    userprefs_filename => '/dev/null',
    post_config_text   => "use_bayes 0\n",
});
$sa->init(1);
my $json = JSON::PP->new->ascii->canonical;

# every string as octets, so that \u00XX means one byte
sub octets {
    my ($v) = @_;
    if (ref $v eq 'ARRAY') { return [ map { octets($_) } @$v ] }
    if (ref $v eq 'HASH')  { return { map { octets($_) => octets($v->{$_}) } keys %$v } }
    return $v if !defined $v || ref $v;
    my $s = "$v";
    utf8::encode($s) if utf8::is_utf8($s);
    return $s;
}

sub headers_of {
    my ($node) = @_;
    my (%seen, @out);
    for my $name (@{ $node->{header_order} }) {
        my $k = lc $name;
        my $i = $seen{$k}++;
        push @out, [ $name, $node->{headers}{$k}[$i], $node->{raw_headers}{$k}[$i] ];
    }
    return \@out;
}

sub parts_of {
    my ($msg) = @_;
    my @out;
    for my $p ($msg->find_parts(qr/./, 0)) {
        my %d = (type => $p->{type}, leaf => $p->is_leaf ? 1 : 0,
                 effective_type => $p->effective_type, nheaders => scalar @{ $p->{header_order} });
        $d{charset} = $p->{charset} if defined $p->{charset};
        $d{name} = $p->{name} if defined $p->{name};
        if ($p->is_leaf && exists $p->{raw}) {
            my $dec = $p->decode;
            $d{decoded_len} = length $dec;
            $d{decoded_sha1} = sha1_hex($dec);
        }
        push @out, \%d;
    }
    return \@out;
}

sub html_of {
    my ($pms) = @_;
    my @out;
    for my $h (@{ $pms->{html_all} || [] }) {
        my %d;
        for my $k (keys %$h) {
            my $v = $h->{$k};
            if (!ref $v) { $d{$k} = $v }
            elsif (ref $v eq 'ARRAY') { $d{$k} = $v }
            elsif ($k eq 'inside') { $d{$k} = { map { $_ => $v->{$_} } keys %$v } }
        }
        delete $d{uri_detail};
        push @out, \%d;
    }
    return \@out;
}

for my $f (@ARGV) {
    # slurp in a block of its own: SA's chomp needs $/ as it normally is
    my $raw = do {
        open my $fh, '<:raw', $f or die "$f: $!";
        local $/;
        <$fh>;
    };
    my $msg = $sa->parse($raw, 1);
    my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
    $pms->extract_message_metadata();
    my %out = (file => $f);
    $out{headers} = headers_of($msg);
    $out{mbox} = $msg->{mbox_sep} if defined $msg->{mbox_sep};
    for my $flag (qw(missing_head_body_separator truncated_header missing_mime_headers
                     missing_mime_head_body_separator mime_epilogue_exists mimepart_limit_exceeded)) {
        $out{flags}{$flag} = 1 if $msg->{$flag};
    }
    $out{parts} = parts_of($msg);
    $out{body} = $pms->get_decoded_stripped_body_text_array();
    $out{rawbody} = $pms->get_decoded_body_text_array();
    $out{invisible} = $msg->get_invisible_rendered_body_text_array();
    $out{uri} = [ sort $pms->get_uri_list() ];
    my $udl = $pms->get_uri_detail_list();
    $out{uri_detail} = { map { $_ => { types => [ sort keys %{ $udl->{$_}{types} } ],
                                       cleaned => [ sort @{ $udl->{$_}{cleaned} || [] } ],
                                       domains => [ sort keys %{ $udl->{$_}{domains} || {} } ],
                                       anchor_text => $udl->{$_}{anchor_text} || [] } } keys %$udl };
    $out{relays} = { map { $_ => $pms->{$_} }
                     qw(relays_trusted_str relays_untrusted_str relays_internal_str
                        relays_external_str num_relays_unparseable last_trusted_relay_index
                        last_internal_relay_index) };
    $out{get} = { map { $_ => [ $pms->get($_) ] } @GETS };
    $out{all} = $pms->get('ALL');
    my $date = $pms->get('Date');
    $out{date} = defined $date && $date ne ''
        ? Mail::SpamAssassin::Util::parse_rfc822_date($date) : undef;
    $out{html} = html_of($pms);
    print $json->encode(octets(\%out)), "\n";
    $pms->finish;
    $msg->finish;
}
