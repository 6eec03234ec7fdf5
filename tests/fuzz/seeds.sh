#!/bin/bash
# Builds the seed corpora of the fuzz targets into OUT/<target>/, at run time, from the shared
# data (../shared/data: the CNA's records, kernel crash logs), the unit tests' data, the
# documentation's example configuration and the hand-written seeds in tests/fuzz/seeds/.
# Nothing of ../shared is copied into the tree.
# Usage: tests/fuzz/seeds.sh FUZZ_BIN_DIR OUT
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$1 out=$2
shared=${TUXTAPE_SHARED:-$top/../shared}
klogs=$shared/data/klogs
sample=$shared/data/vulns/sample/cve

mkdir -p "$out"
for t in kmsg klog record tuf_meta tuf_targets canonjson makefile agent_config agent_report control modinfo ko_symbols vet_console backend_config fleet_report companion; do
	mkdir -p "$out/$t"
	if [ -d "$top/tests/fuzz/seeds/$t" ]; then
		cp "$top/tests/fuzz/seeds/$t"/* "$out/$t/" 2>/dev/null || true
	fi
done

# Kernel logs: as saved (console captures, syzkaller reports) and as /dev/kmsg records.
logs=()
if [ -d "$klogs" ]; then
	for f in "$klogs"/*; do
		[ "$(basename "$f")" = MANIFEST.tsv ] || logs+=("$f")
	done
fi
logs+=("$top"/tests/unit/data/*.log)
for f in "${logs[@]}"; do
	[ -f "$f" ] || continue
	name=$(basename "$f")
	cp "$f" "$out/klog/$name"
	# the watch reads at most 4 records' worth at once: the target refuses more
	perl "$top/tests/klog-to-kmsg.pl" "$f" | head -c 32768 >"$out/kmsg/$name"
	perl "$top/tests/klog-to-kmsg.pl" "$f" >"$out/klog/$name.kmsg"
done

# CVE records: ID \0 notes \0 .json \0 .dyad \0 .sha1 \0 .vulnerable \0 .cvss \0 .reference
# [\0 rejected] (see fuzz_record.c); a few JSON records for canonical JSON too.
if [ -d "$sample" ]; then
	find "$sample" -name 'CVE-*.json' | sort | perl -e '
		my ($out) = @ARGV;
		sub slurp { my $f = shift; open(my $h, "<", $f) or return ""; local $/; my $d = <$h>; $d }
		while (my $json = <STDIN>) {
			chomp $json;
			(my $base = $json) =~ s/\.json$//;
			(my $id = $base) =~ s{.*/}{};
			my @parts = ($id, map { slurp("$base$_") } "", ".json", ".dyad", ".sha1",
				     ".vulnerable", ".cvss", ".reference");
			push @parts, "rejected" if $json =~ m{/rejected/};
			open(my $o, ">", "$out/record/$id") or die "$out/record/$id: $!\n";
			print $o join("\0", @parts);
		}' "$out"
	find "$sample" -name 'CVE-*.json' | sort | awk 'NR % 10 == 1' | while read -r f; do
		cp "$f" "$out/canonjson/"
	done
fi

# TUF: signed by the fixture's keys (tuf_fixture.h), as the archive lays documents out.
"$bin/tests/fuzz/tuf_seeds" "$out/tuf_meta"
cp "$out/tuf_meta"/targets*.json "$out/tuf_targets/"
cp "$out/tuf_meta"/*.json "$out/canonjson/"

cp "$top/docs/agent.conf.example" "$out/agent_config/"
cp "$top/docs/backend.conf.example" "$out/backend_config/"
sed "s/^#\([a-z.-]* = \)/\1/" "$top/docs/backend.conf.example" >"$out/backend_config/uncommented.conf"

# Module files: relocatable objects with a .modinfo (and the module structure's section), a
# livepatch's and an ordinary module's, built here as the archive's test builds them.
ko=$(mktemp -d "$out/ko.XXXXXX")
printf '\0%.0s' $(seq 64) >"$ko/this_module"
echo 'int tuxtape_fuzz_symbol;' | cc -c -x c - -o "$ko/m.o"
for info in "livepatch=Y name=livepatch_a vermagic=6.1.0-57-amd64" \
	    "name=isofs license=GPL"; do
	# shellcheck disable=SC2086 # one string per word
	printf '%s\0' $info >"$ko/modinfo"
	objcopy --add-section .modinfo="$ko/modinfo" \
		--add-section .gnu.linkonce.this_module="$ko/this_module" "$ko/m.o" \
		"$out/modinfo/${info%% *}.ko"
done
# and for the symbol table: two objects each with its own copy of a static, linked as a module
printf 'static int __attribute__((used)) twice(void) { return %s; }\nint %s(void) { return 0; }\n' \
	1 one_entry >"$ko/a.c"
printf 'static int __attribute__((used)) twice(void) { return %s; }\nint %s(void) { return 0; }\n' \
	2 two_entry >"$ko/b.c"
cc -c -O1 "$ko/a.c" -o "$ko/a.o" && cc -c -O1 "$ko/b.c" -o "$ko/b.o"
ld -r -o "$out/ko_symbols/twice.ko" "$ko/a.o" "$ko/b.o"
cp "$out"/modinfo/*.ko "$out/ko_symbols/"
rm -rf "$ko"

# The companion's datagrams (kmod-helper/tuxtape_genl.h): one of each event and a blocking
# reply, laid out as the kernel sends them (nlmsghdr, genlmsghdr, 4-aligned attributes).
python3 - "$out/companion" <<'PY'
import struct, sys
out = sys.argv[1]
def attr(t, data):
    return struct.pack("<HH", 4 + len(data), t) + data + b"\0" * ((4 - len(data) % 4) % 4)
def s(t, v): return attr(t, v.encode() + b"\0")
def u8(t, v): return attr(t, struct.pack("<B", v))
def u32(t, v): return attr(t, struct.pack("<I", v))
def u64(t, v): return attr(t, struct.pack("<Q", v))
def msg(cmd, body):
    payload = struct.pack("<BBH", cmd, 1, 0) + body
    return struct.pack("<IHHII", 16 + len(payload), 0x20, 0, 0, 0) + payload
hdr = lambda seq: u64(1, seq) + u64(2, 123456789)
seeds = {
    "transition": msg(3, hdr(1) + s(3, "tt_lp_good") + u8(4, 1) + u8(5, 2)),
    "module": msg(4, hdr(2) + s(6, "tt_lp_good") + u8(7, 2) + attr(8, b"")),
    "fault": msg(5, hdr(3) + u8(9, 1) + u64(10, 0xffffffffc0001234) + s(11, "tt_warner_fire+0x1c/0x40")
                 + s(6, "tt_warner") + u32(12, 42) + s(13, "insmod") + u64(14, 512)),
    "taint": msg(6, hdr(4) + u64(14, 512) + u8(15, 9)),
    "blocking": msg(2, s(3, "tt_lp_stalls") + u8(4, 1)
                    + attr(16, u32(1, 77) + u32(2, 77) + s(3, "tt_sleeper") + u8(4, 3) + s(5, "tt_sleeper_nap") + u32(7, 4))
                    + u32(17, 0)),
}
for name, data in seeds.items():
    open(f"{out}/{name}", "wb").write(data)
PY
