#!/bin/bash
# The agent's CPU while the kernel log is flooded: 10,000 kernel records per second for 20 s
# (a chatty driver, with one WARN report per second among them) through a FIFO standing in
# for /dev/kmsg on a fake node. The real device returns one record per read(); a FIFO may
# return many, so the figure also states the cost of one read() per record measured alone.
set -eu
cd "$(dirname "$0")/.."
bin=${TUXTAPE_BIN:-$PWD/build}
RATE=${RATE:-10000}
SECS=${SECS:-20}
W=$(mktemp -d /tmp/tuxtape-flood.XXXXXX)
agent=
trap 'kill $agent 2>/dev/null; rm -rf "$W"' EXIT
R=$W/root
mkdir -p "$R/proc/sys/kernel/random" "$R/etc" "$R/dev" "$R/sys/kernel/livepatch"
echo 6.1.0-99-bench >"$R/proc/sys/kernel/osrelease"
cat /proc/sys/kernel/random/uuid >"$R/proc/sys/kernel/random/boot_id"
mkfifo "$R/dev/kmsg"
cat >"$W/agent.conf" <<CONF
[paths]
root = $R
state-dir = $W/state
socket = $W/agent.sock
CONF
exec 7<>"$R/dev/kmsg"
"$bin/tuxtape-agent" -c "$W/agent.conf" 2>/dev/null &
agent=$!
for _ in $(seq 100); do [ -S "$W/agent.sock" ] && break; sleep 0.05; done
ticks=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$agent/stat"; }
c0=$(cpu)
t0=$(date +%s.%N)
node - "$RATE" "$SECS" >&7 <<'JS'
const [rate, secs] = process.argv.slice(2).map(Number);
const chatter = [
	'usb 1-1: new high-speed USB device number %d using xhci_hcd',
	'EXT4-fs (vda): mounted filesystem with ordered data mode. Quota mode: none.',
	'audit: type=1400 audit(1700000000.%d:42): apparmor="DENIED" operation="open" profile="snap"',
	'r8169 0000:02:00.0 enp2s0: Link is Up - 1Gbps/Full - flow control rx/tx',
	'nf_conntrack: table full, dropping packet',
];
const warn = [
	'------------[ cut here ]------------',
	'WARNING: CPU: 1 PID: 4242 at drivers/net/ethernet/realtek/r8169_main.c:4567 rtl8169_poll+0x2a/0x40 [r8169]',
	'Modules linked in: r8169 ext4 crc16 mbcache jbd2 crc32c_generic virtio_net',
	'CPU: 1 PID: 4242 Comm: ksoftirqd/1 Tainted: G        W          6.1.0-99-bench #1  Debian 6.1.999-1',
	'RIP: 0010:rtl8169_poll+0x2a/0x40 [r8169]',
	'Call Trace:', ' <IRQ>', ' __napi_poll+0x2b/0x160', ' net_rx_action+0x29e/0x350',
	' __do_softirq+0xc5/0x2c8', ' </IRQ>', '---[ end trace 0000000000000000 ]---',
];
let seq = 1000, n = 0;
const start = Date.now();
const batch = rate / 100;    /* every 10 ms */
function rec(text) {
	seq++;
	const usec = (Date.now() - start) * 1000 + 5000000;
	return `${text.startsWith('WARNING') || text.startsWith('---') ? 4 : 6},${seq},${usec},-,caller=T4242;${text}\n`;
}
function tick() {
	let out = '';
	for (let i = 0; i < batch; i++, n++) {
		if (n % rate < warn.length)
			out += rec(warn[n % rate]);
		else
			out += rec(chatter[n % chatter.length].replace('%d', n % 1000));
	}
	process.stdout.write(out);
	if (Date.now() - start < secs * 1000)
		setTimeout(tick, Math.max(0, 10 * (n / batch) - (Date.now() - start)));
}
tick();
JS
sleep 0.5
t1=$(date +%s.%N)
c1=$(cpu)
st=$("$bin/agentctl" -s "$W/agent.sock" status --json)
recs=$(jq .kernel_log.records <<<"$st")
reps=$(jq .kernel_log.reports <<<"$st")
echo "kmsg flood: $recs records in $(printf '%.1f' "$(echo "$t1 - $t0" | bc)") s ($RATE/s offered), $reps reports handled"
echo "agent CPU under the flood: $(echo "scale=2; ($c1 - $c0) * 100 / $ticks / ($t1 - $t0)" | bc) % of one core" \
	"(lost: $(jq .kernel_log.lost <<<"$st"))"
echo "RSS after the flood: $(awk '/VmRSS/ { printf "%.1f MiB", $2 / 1024 }' /proc/$agent/status)"
