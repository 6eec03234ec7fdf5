#!/bin/bash
# tuxtape-agent's control socket under hostile clients: a client that trickles its request
# does not hold up others, a request must arrive within the deadline, connections are
# bounded, running out of descriptors does not make the agent spin, an oversized request
# is named; the primary group counts; agentctl gives up on an agent that does not answer.
# Also the daemon's start-up checks (--version, --once without an archive, a binary file as
# the configuration) and the systemd unit. The agent runs against a fake root; its archive
# is unreachable (127.0.0.1:9), which the control socket does not care about.
. "$(dirname "$0")/lib.sh"

AGENT=$BIN/tuxtape-agent
CTL=$BIN/agentctl
R=$WORK/root
SOCK=$WORK/run/agent.sock
agent_pid=
holders=()
cleanup_agent() {
	for p in "${holders[@]}"; do kill "$p" 2>/dev/null; done
	holders=()
	[ -n "$agent_pid" ] && { kill "$agent_pid" 2>/dev/null; wait "$agent_pid" 2>/dev/null; }
	agent_pid=
}
trap 'cleanup_agent; rm -rf "$WORK"; exit $T_FAILED' EXIT

mkdir -p "$R/proc/sys/kernel/random" "$R/etc" "$R/sys/kernel/livepatch" "$WORK/run"
echo 6.1.0-99-fake >"$R/proc/sys/kernel/osrelease"
echo 11111111-2222-3333-4444-555555555555 >"$R/proc/sys/kernel/random/boot_id"
echo 0123456789abcdef0123456789abcdef >"$R/etc/machine-id"
: >"$R/sys/kernel/notes"
conf() { # FILE [url]
	{
		[ -n "${2:-}" ] && printf '[archive]\nurl = %s\n' "$2"
		printf '[agent]\nrefresh-jitter = 0\ngroup = daemon\n'
		printf '[watch]\nenabled = no\n'
		printf '[paths]\nroot = %s\nstate-dir = %s\nsocket = %s\n' "$R" "$WORK/state" "$SOCK"
	} >"$1"
}
conf "$WORK/agent.conf" http://127.0.0.1:9

start() { # [prefix command...]: the agent, up and answering
	rm -f "$SOCK"
	"$@" "$AGENT" -c "$WORK/agent.conf" >>"$WORK/agent.log" 2>&1 &
	agent_pid=$!
	for _ in $(seq 200); do
		timeout 5 "$CTL" -s "$SOCK" status >/dev/null 2>&1
		[ $? -le 2 ] && return 0
		sleep 0.05
	done
	not_ok "the agent did not start"; cat "$WORK/agent.log" >&2
}
# the agent's CPU time in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$agent_pid/stat"; }

# py SCRIPT ARGS...: python client helpers
cat >"$WORK/client.py" <<'PY'
import socket, sys, time, os
mode, path = sys.argv[1], sys.argv[2]
def connect():
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    return s
if mode == "trickle":   # one byte every 0.2 s until told to stop or closed by the agent
    out, stop = sys.argv[3], sys.argv[4]
    s = connect()
    req = b'{"command": "status"' + b' ' * 4000
    with open(out, "w") as f:
        f.write("connected\n"); f.flush()
        for i in range(200):
            if os.path.exists(stop):
                f.write("stopped while connected\n"); break
            try:
                s.send(req[i:i + 1])
            except OSError:
                break
            time.sleep(0.2)
        s.settimeout(15)
        try:
            f.write("reply: " + s.recv(4096).decode(errors="replace") + "\n")
        except OSError as e:
            f.write("no reply: %s\n" % e)
elif mode == "idle":    # connects, sends nothing, reports what comes back
    s = connect()
    s.settimeout(float(sys.argv[3]))
    t = time.monotonic()
    try:
        data = s.recv(4096)
        print("closed after %.1f s: %s" % (time.monotonic() - t, data.decode(errors="replace")))
    except socket.timeout:
        print("still open after %s s" % sys.argv[3])
elif mode == "hold":    # N connections, held until killed
    socks = []
    for i in range(int(sys.argv[3])):
        try:
            socks.append(connect())
        except OSError:
            pass
    open(sys.argv[4], "w").write("%d\n" % len(socks))
    time.sleep(120)
elif mode == "big":     # a request over the limit
    s = connect()
    s.settimeout(10)
    try:
        s.sendall(b'{"command": "status", "pad": "' + b"x" * 5000 + b'"}\n')
    except OSError:
        pass
    print(s.recv(4096).decode(errors="replace"))
elif mode == "send":    # one request, the answer printed
    s = connect()
    s.settimeout(10)
    s.sendall(sys.argv[3].encode() + b"\n")
    print(s.recv(4096).decode(errors="replace"))
elif mode == "mute":    # a server that accepts and never answers
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(4)
    conns = []
    while True:
        c, _ = srv.accept()
        conns.append(c)
PY
# exec: a helper started with & is the python process itself, so killing $! stops it
py() { exec python3 "$WORK/client.py" "$@"; }

# every program answers --version with its name and version, exit 0
for prog in tuxtape-agent agentctl tuxtape-agent-fetch tuxtape-tuf-client tuxtape-backend; do
	check "$prog --version" sh -c "'$BIN/$prog' --version | grep -Eq '^$prog [0-9]'"
done

start

# 1. a trickling client does not delay status: status is answered while it is connected
py trickle "$SOCK" "$WORK/trickle.out" "$WORK/trickle.stop" &
trickler=$!
for _ in $(seq 100); do [ -s "$WORK/trickle.out" ] && break; sleep 0.05; done
timeout 20 "$CTL" -s "$SOCK" status --json >"$WORK/status.json" 2>"$WORK/err"
rc=$?
touch "$WORK/trickle.stop"
wait $trickler
check "status answered while a client trickles its request (exit $rc)" \
	[ $rc -le 2 ] && jq -e .kernel_release "$WORK/status.json" >/dev/null
check "... and the trickling client was still connected then" \
	grep -q "stopped while connected" "$WORK/trickle.out"

# 2. the whole request has a deadline: a trickle, or silence, is cut off with a reason
rm -f "$WORK/trickle.stop"
py trickle "$SOCK" "$WORK/trickle2.out" "$WORK/never" &
trickler=$!
wait $trickler
check "a request still trickling in after 5 s is refused" \
	grep -q "reply: .*request not complete within 5 s" "$WORK/trickle2.out"
out=$(py idle "$SOCK" 15)
check "an idle connection is closed past the deadline ($out)" grep -q "^closed after .*not complete" <<<"$out"

# 3. an oversized request is named as such
out=$(py big "$SOCK")
check "a request over 4096 bytes: 'request too large'" grep -q '"request too large' <<<"$out"
out=$(py send "$SOCK" '{"command": 42}')
check "a request without a command string: named" grep -qF 'no \"command\" string' <<<"$out"
out=$(py send "$SOCK" '{"command": "st\u001b[2Jatus"}')
check "an unknown command is named, escaped" grep -qF "unknown command 'st\\\\x1b[2Jatus'" <<<"$out"

# 4. connections are bounded: 48 idle clients do not take 48 descriptors
fds_before=$(ls "/proc/$agent_pid/fd" | wc -l)
py hold "$SOCK" 48 "$WORK/held" &
holders+=($!)
for _ in $(seq 100); do [ -s "$WORK/held" ] && break; sleep 0.05; done
timeout 20 "$CTL" -s "$SOCK" status >/dev/null 2>&1
rc=$?
fds=$(ls "/proc/$agent_pid/fd" | wc -l)
check "48 idle connections: at most 32 kept open ($fds descriptors, $fds_before before)" \
	[ "$fds" -le $((fds_before + 33)) ]
check "... and status still answered (exit $rc)" [ $rc -le 2 ]
cleanup_agent

# 5. out of descriptors: no busy loop, still answering
start prlimit --nofile=24:24
py hold "$SOCK" 40 "$WORK/held2" &
holders+=($!)
for _ in $(seq 100); do [ -s "$WORK/held2" ] && break; sleep 0.05; done
t0=$(cpu_ticks) w0=$(date +%s%N)
sleep 1
t1=$(cpu_ticks) w1=$(date +%s%N)
hz=$(getconf CLK_TCK)
used=$(( (t1 - t0) * 1000 / hz )) wall=$(( (w1 - w0) / 1000000 ))
check "EMFILE: the agent does not spin (${used} ms of CPU in ${wall} ms)" [ $((used * 4)) -lt "$wall" ]
timeout 20 "$CTL" -s "$SOCK" status >/dev/null 2>&1
rc=$?
check "EMFILE: status still answered (exit $rc)" [ $rc -le 2 ]
cleanup_agent

# 6. the primary group counts, like a supplementary one
if [ "$(id -u)" = 0 ]; then
	start
	chmod 0755 "$WORK" "$WORK/run"
	as() { setpriv --reuid=65534 "$@" timeout 20 "$CTL" -s "$SOCK" status >/dev/null 2>"$WORK/err"; }
	as --regid=1 --clear-groups
	rc=$?
	check "status for a member by its primary group (exit $rc)" [ $rc -le 2 ]
	as --regid=65534 --groups=1
	rc=$?
	check "status for a member by a supplementary group (exit $rc)" [ $rc -le 2 ]
	chmod 0666 "$SOCK"   # past the file mode, SO_PEERCRED decides
	as --regid=65534 --clear-groups
	check "status refused to a non-member" [ $? -eq 4 ]
	cleanup_agent
else
	not_ok "the group tests need root"
fi

# 7. agentctl gives up on an agent that does not answer
py mute "$WORK/mute.sock" &
holders+=($!)
for _ in $(seq 100); do [ -S "$WORK/mute.sock" ] && break; sleep 0.05; done
expect_exit "agentctl --timeout 1 on a mute agent: exit 3" 3 timeout 20 "$CTL" -s "$WORK/mute.sock" --timeout 1 status
check "... saying it did not answer in time" grep -q "did not answer within 1 s" "$WORK/last.err"
expect_exit "agentctl --timeout 0: usage error" 64 "$CTL" --timeout 0 status
cleanup_agent

# 8. start-up: --once without an archive refuses; the daemon warns
conf "$WORK/nourl.conf"
expect_exit "--once without [archive] url: exit 1" 1 timeout 20 "$AGENT" --once -c "$WORK/nourl.conf"
check "... naming the file and the key" grep -q "nourl.conf: no \[archive\] url" "$WORK/last.err"
cp "$WORK/nourl.conf" "$WORK/agent.conf"
start
kill "$agent_pid"; wait "$agent_pid" 2>/dev/null; agent_pid=
check "the daemon without [archive] url warns" grep -q "warning: .*no \[archive\] url" "$WORK/agent.log"

# 9. a binary file as the configuration: refused at the first control byte, not echoed
# (paths first: an agent that took the file anyway would touch only the test's directory)
{ sed -n '/^\[paths\]/,$p' "$WORK/nourl.conf"; printf '\001'; head -c 2000 /dev/urandom; } >"$WORK/garbage.conf"
printf '[agent]\nrefresh-interval = 1\033]0;owned\a\n' >"$WORK/escape.conf"
for f in garbage escape; do
	expect_exit "binary $f.conf: exit 1" 1 timeout 20 "$AGENT" --once -c "$WORK/$f.conf"
	check "... named with its line" grep -q "$f.conf:[0-9]*: byte 0x..: not a text configuration file" "$WORK/last.err"
	check "... and no control byte echoed" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$WORK/last.err'"
done

# 10. the systemd unit passes systemd-analyze verify (its ExecStart pointed at the build)
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$WORK/unit"
	sed "s|^ExecStart=.*|ExecStart=$AGENT|" "$TOP/packaging/systemd/tuxtape-agent.service" \
		>"$WORK/unit/tuxtape-agent.service"
	# --man=no: the man pages it names are installed by the package (packages.sh checks them)
	systemd-analyze verify --man=no "$WORK/unit/tuxtape-agent.service" >"$WORK/verify.out" 2>&1
	rc=$?
	check "systemd-analyze verify accepts the unit (exit $rc)" [ $rc -eq 0 ] && [ ! -s "$WORK/verify.out" ]
	[ -s "$WORK/verify.out" ] && sed 's/^/   | /' "$WORK/verify.out" >&2
	check "the unit bounds the agent's descriptors" grep -q '^LimitNOFILE=' "$TOP/packaging/systemd/tuxtape-agent.service"
else
	echo "# systemd-analyze not installed: unit not verified"
fi
