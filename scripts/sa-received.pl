#!/usr/bin/perl
# sa-received.pl - SpamAssassin's own reading of Received chains, the oracle
# for server/mime/mime_received.c. One JSON object per line (ASCII, canonical
# key order, strings as octets: \u00XX is one byte).
#
#   perl scripts/sa-received.pl [OPTIONS] FILE...   one object per message
#   perl scripts/sa-received.pl --lines [FILE]      one object per Received
#                                                   value (a line of FILE or
#                                                   stdin): parse_received_line
#   perl scripts/sa-received.pl [OPTIONS] --chain [FILE]
#                                                   one object per line of FILE
#                                                   or stdin, each a JSON array
#                                                   of Received values, top first
#                                                   (octets: \u00XX is a byte)
# OPTIONS (SpamAssassin config text, as in local.cf):
#   --trusted 'NET ...'   trusted_networks
#   --internal 'NET ...'  internal_networks
#   --msa 'NET ...'       msa_networks
#   --originating         the caller asserts the mail was submitted (suppl_attrib)
#
# A message object holds: file; received (the values SA read, in order, the
# synthetic "from X-Originating-IP: ..." lines included); relays (every relay
# left after the last fetchmail restart, top first, with trusted/internal/msa
# flags and SA's no_reverse_dns and rdns_not_in_headers as 0 or 1); the four
# relay strings; num_relays_unparseable, last_trusted_relay_index,
# last_internal_relay_index.
# A line object holds: line; status (relay, skip or unparseable); relay; and
# qms_envfrom when the line was a qmail-scanner note for the next header.
# Needs Debian's spamassassin (4.0.1).
use strict;
use warnings;
use Getopt::Long;
use Mail::SpamAssassin;
use Mail::SpamAssassin::PerMsgStatus;
use Mail::SpamAssassin::Message::Metadata;
use JSON::PP;

my ($trusted, $internal, $msa, $originating, $lines, $chain);
GetOptions('trusted=s' => \$trusted, 'internal=s' => \$internal, 'msa=s' => \$msa,
           'originating' => \$originating, 'lines' => \$lines, 'chain' => \$chain)
    or die "usage: $0 [--trusted NETS] [--internal NETS] [--msa NETS] [--originating]"
         . " [--lines|--chain] [FILE...]\n";

my $cf = "use_bayes 0\n";
$cf .= "trusted_networks $trusted\n" if defined $trusted;
$cf .= "internal_networks $internal\n" if defined $internal;
$cf .= "msa_networks $msa\n" if defined $msa;

my $sa = Mail::SpamAssassin->new({
    dont_copy_prefs    => 1,
    local_tests_only   => 1,
    userprefs_filename => '/dev/null',
    post_config_text   => $cf,
});
$sa->init(1);
my $json = JSON::PP->new->ascii->canonical;

# every string as octets, so that \u00XX means one byte
sub octets {
    my ($v) = @_;
    if (ref $v eq 'ARRAY') { return [ map { octets($_) } @$v ] }
    if (ref $v eq 'HASH')  { return { map { octets($_) => octets($v->{$_}) } keys %$v } }
    return $v if !defined $v || ref $v || !utf8::is_utf8($v); # numbers stay numbers
    my $s = "$v";
    utf8::encode($s);
    return $s;
}

my @FIELDS = qw(ip rdns helo by ident envfrom id auth as_string);

sub relay_of {
    my ($r, $trusted_flag) = @_;
    my %d = map { $_ => $r->{$_} } @FIELDS;
    $d{ip_private} = $r->{ip_private} ? 1 : 0;
    $d{internal} = $r->{internal} ? 1 : 0;
    $d{msa} = $r->{msa} ? 1 : 0;
    $d{no_reverse_dns} = $r->{no_reverse_dns} ? 1 : 0;
    $d{rdns_not_in_headers} = $r->{rdns_not_in_headers} ? 1 : 0;
    $d{trusted} = $trusted_flag if defined $trusted_flag;
    return \%d;
}

# What parse_received_headers reads: Received values, then one synthetic
# line per originating_ip_headers header holding an address.
sub received_of {
    my ($msg) = @_;
    my @hdrs = $msg->get_header('Received');
    my $ipre = Mail::SpamAssassin::Constants::IP_ADDRESS;
    for my $h (@{ $sa->{conf}->{originating_ip_headers} }) {
        my $str = $msg->get_header($h);
        next unless $str && $str =~ m/($ipre)/;
        push @hdrs, "from X-Originating-IP: $1\n";
    }
    s/\n\z// for @hdrs;
    return \@hdrs;
}

sub message_result {
    my ($raw, $name) = @_;
    my $msg = $sa->parse($raw, 1, $originating ? { originating => 1 } : undef);
    my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
    $pms->extract_message_metadata();
    my %out = (received => received_of($msg));
    $out{file} = $name if defined $name;
    $out{relays} = [ (map { relay_of($_, 1) } @{ $pms->{relays_trusted} }),
                     (map { relay_of($_, 0) } @{ $pms->{relays_untrusted} }) ];
    $out{$_} = $pms->{$_}
        for qw(relays_trusted_str relays_untrusted_str relays_internal_str
               relays_external_str num_relays_unparseable last_trusted_relay_index
               last_internal_relay_index);
    $pms->finish;
    $msg->finish;
    return \%out;
}

sub read_input {
    my ($f) = @_;
    my $fh = \*STDIN;
    if (defined $f) { open $fh, '<:raw', $f or die "$f: $!" }
    binmode $fh;
    my @l = <$fh>;
    chomp @l;
    return @l;
}

if ($lines) {
    my $md = Mail::SpamAssassin::Message::Metadata->new($sa->parse("\n", 1));
    for my $line (read_input($ARGV[0])) {
        $md->{allow_mailfetch_markers} = 0;
        delete $md->{qmail_scanner_env_from};
        my $r = $md->parse_received_line($line);
        my %out = (line => $line);
        if (!defined $r) { $out{status} = 'unparseable' }
        elsif (!$r) { $out{status} = 'skip' }
        else { $out{status} = 'relay'; $out{relay} = relay_of($r) }
        $out{qms_envfrom} = $md->{qmail_scanner_env_from}
            if exists $md->{qmail_scanner_env_from};
        print $json->encode(octets(\%out)), "\n";
    }
} elsif ($chain) {
    for my $line (read_input($ARGV[0])) {
        my $vals = JSON::PP->new->decode($line);
        utf8::downgrade($_) for @$vals;  # \u00XX is one byte, as in the output
        my $raw = join('', map { "Received: $_\n" } @$vals) . "Subject: x\n\nbody\n";
        print $json->encode(octets(message_result($raw))), "\n";
    }
} else {
    for my $f (@ARGV) {
        open my $fh, '<:raw', $f or die "$f: $!";
        local $/;
        my $raw = <$fh>;
        close $fh;
        print $json->encode(octets(message_result($raw, $f))), "\n";
    }
}
