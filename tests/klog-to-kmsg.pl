#!/usr/bin/perl
# A saved kernel log (a console capture with "[  12.345678]" and optional "[  T12]"/"[ C0]"
# prefixes, or a syzkaller report file with its header) as /dev/kmsg records: kernel
# facility, level 4, consecutive sequence numbers, the timestamp in microseconds, the caller
# id, control bytes, non-ASCII and backslashes \xNN-escaped as the kernel does.
# Usage: tests/klog-to-kmsg.pl FILE... (records on stdout)
use strict;
use warnings;

for my $file (@ARGV) {
	open(my $in, '<', $file) or die "$file: $!\n";
	my ($seq, $usec, $body, $syz) = (0, 0, 0, 0);
	while (<$in>) {
		chomp;
		s/\r$//;
		$syz = 1 if $. == 1 && /^TITLE: /;
		if ($syz && !$body) { $body = 1 if $_ eq ""; next; }
		my $caller = "";
		if (s/^\[ *(\d+)\.(\d+)\]//) {
			$usec = $1 * 1000000 + substr($2 . "000000", 0, 6);
			$caller = ",caller=$1" if s/^\[ *([TC]\d+)\]//;
			s/^ //;
		}
		s/([\x00-\x1f\x7f-\xff\\])/sprintf("\\x%02x", ord($1))/ge;
		printf "4,%d,%d,-%s;%s\n", $seq++, $usec, $caller, $_;
	}
	close($in);
}
