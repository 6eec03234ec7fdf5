# The kernel companion (kmod-helper/, docs/COMPANION.md) on the real kernel, seen through
# tests/tools/tt-genl: a build that cannot restrict the events group refuses to load; the
# real one places every hook; a listener gets module, transition (a cancelled one too),
# WARN, Oops and taint events with sequence numbers that go up by one; the blocking command
# names the task that holds a stalled transition and why; an unprivileged user can neither
# listen nor ask; the module unloads and loads again, numbering from 1.
ev=/tmp/companion.events
# has PATTERN: an event line matches the extended regex
has() { grep -E -q "$1" $ev; }
# the W taint event, with bit 9 set in its mask
warn_tainted() {
	m=$(grep -E -o 'taint flag=9 mask=0x[0-9a-f]+' $ev | head -1 | sed 's/.*mask=//')
	[ -n "$m" ] && [ $((m & 512)) -ne 0 ]
}

# built as if genetlink could not restrict the events group: it refuses rather than leak
check "the unrestricted build refuses to load" sh -c "! insmod $TT_MODULES/tuxtape_helper-open.ko 2>/tmp/open.err"
check "with EPERM" grep -q 'Operation not permitted' /tmp/open.err
check "and says why in the kernel log" kmsg_has 'tuxtape_helper: .*cannot restrict a multicast group to CAP_NET_ADMIN: refusing'
check "tuxtape_helper loads" insmod $TT_MODULES/tuxtape_helper.ko
check "every hook is in place (10)" kmsg_has 'tuxtape_helper: family tuxtape registered, 10 hooks in place'
check "no hook failed to register" sh -c '! dmesg | grep -q "tuxtape_helper: cannot"'
check "root's state request works" sh -c 'tt-genl state >/tmp/state.out && grep -q "^seq=[0-9]* state taint=0x[0-9a-f]* transition=none" /tmp/state.out'

tt-genl listen >$ev 2>/tmp/listen.err &
listener=$!
check "root's listener joins the events group" wait_for 10 grep -q '^listening' $ev

# a livepatch loads: its module events and its transition, both ways
check "tt_lp_good loads" insmod $TT_MODULES/tt_lp_good.ko
check "module event: tt_lp_good coming, a livepatch" wait_for 10 has 'module name=tt_lp_good state=coming livepatch=1'
check "transition event: started, target 1" wait_for 10 has 'transition patch=tt_lp_good target=1 phase=started'
check "transition event: finished, target 1" wait_for 20 has 'transition patch=tt_lp_good target=1 phase=finished'
check "sysfs agrees: the transition is over" file_is $LP/tt_lp_good/transition 0
check "module event: tt_lp_good live" wait_for 10 has 'module name=tt_lp_good state=live livepatch=1'
check "taint event: K (livepatch, bit 15)" wait_for 10 has 'taint flag=15 mask=0x'
echo 0 >$LP/tt_lp_good/enabled
check "the disable: started, target 0" wait_for 10 has 'transition patch=tt_lp_good target=0 phase=started'
check "the disable: finished, target 0" wait_for 20 has 'transition patch=tt_lp_good target=0 phase=finished'
wait_for 10 test ! -d $LP/tt_lp_good
check "tt_lp_good unloads" rmmod tt_lp_good
check "module event: tt_lp_good going" wait_for 10 has 'module name=tt_lp_good state=going livepatch=1'

# a livepatch whose pre-patch callback refuses: the core cancels its transition
check "tt_lp_cancels is refused" sh -c "! insmod $TT_MODULES/tt_lp_cancels.ko 2>/dev/null"
check "transition event: cancelled, target 0" wait_for 10 has 'transition patch=tt_lp_cancels target=0 phase=cancelled'
check "and it never started" sh -c "! grep -q 'patch=tt_lp_cancels .*phase=started' $ev"
check "module event: tt_lp_cancels going" wait_for 10 has 'module name=tt_lp_cancels state=going livepatch=1'

# a WARN in an ordinary module
check "tt_warner loads (and warns)" insmod $TT_MODULES/tt_warner.ko
check "fault event: a WARN at tt_warner_fire, module tt_warner" \
	wait_for 10 has 'fault kind=warn symbol=tt_warner_fire(\.[a-z]+\.[0-9]+)?\+0x[0-9a-f]+/0x[0-9a-f]+ module=tt_warner addr=0x[0-9a-f]+ pid=[0-9]+ comm=insmod '
check "taint event: W (bit 9), in the new mask" \
	wait_for 10 warn_tainted
check "module event: tt_warner live, not a livepatch" wait_for 10 has 'module name=tt_warner state=live livepatch=0'

# an Oops in a livepatch: the reading task dies, the kernel goes on
check "tt_lp_oopses loads" insmod $TT_MODULES/tt_lp_oopses.ko
check "its transition finishes" wait_for 20 has 'transition patch=tt_lp_oopses target=1 phase=finished'
(cat /proc/loadavg >/dev/null 2>&1)
check "fault event: an Oops at tt_oopses_loadavg_show, module tt_lp_oopses" \
	wait_for 10 has 'fault kind=oops symbol=tt_oopses_loadavg_show(\.[a-z]+\.[0-9]+)?\+0x[0-9a-f]+/0x[0-9a-f]+ module=tt_lp_oopses addr=0x[0-9a-f]+ pid=[0-9]+ comm=cat '
check "taint event: D (bit 7)" wait_for 10 has 'taint flag=7 mask=0x'
echo 0 >$LP/tt_lp_oopses/enabled
wait_for 10 test ! -d $LP/tt_lp_oopses
check "tt_lp_oopses unloads" rmmod tt_lp_oopses

# a transition that stalls: the blocking task, its reason, and the reversal
check "tt_sleeper loads" insmod $TT_MODULES/tt_sleeper.ko
wait_for 5 kmsg_has 'tt_sleeper: napping'
pid=$(ps -o pid,comm 2>/dev/null | awk '$2 == "tt_sleeper" { print $1 }')
[ -n "$pid" ] || pid=$(ps | awk '$NF == "[tt_sleeper]" { print $1 }')
check "tt_lp_stalls loads" insmod $TT_MODULES/tt_lp_stalls.ko
check "transition event: tt_lp_stalls started" wait_for 10 has 'transition patch=tt_lp_stalls target=1 phase=started'
check "blocking names tt_sleeper's thread sleeping on tt_sleeper_nap" wait_for 20 sh -c \
	"tt-genl blocking >/tmp/blocking.out && grep -E -q '^task pid=$pid tgid=$pid comm=tt_sleeper tries=[1-9][0-9]*: sleeping on function tt_sleeper_nap\$' /tmp/blocking.out"
check "blocking names the patch and target" grep -q '^blocking patch=tt_lp_stalls target=1$' /tmp/blocking.out
check "state shows the transition in progress" sh -c 'tt-genl state | grep -q " patch=tt_lp_stalls target=1 "'
check "still in transition (sysfs)" file_is $LP/tt_lp_stalls/transition 1
echo 0 >$LP/tt_lp_stalls/enabled
check "transition event: reversed, target 0" wait_for 10 has 'transition patch=tt_lp_stalls target=0 phase=reversed'
check "transition event: the reversal finished" wait_for 20 has 'transition patch=tt_lp_stalls target=0 phase=finished'
check "a reversal is not announced as a new start" sh -c "! grep -q 'patch=tt_lp_stalls target=0 phase=started' $ev"
wait_for 10 test ! -d $LP/tt_lp_stalls
tt-genl blocking >/tmp/blocking2.out 2>&1
rc=$?
check "blocking outside a transition: exit 6 (got $rc)" [ $rc -eq 6 ]
rmmod tt_lp_stalls
rmmod tt_sleeper

# an unprivileged user can neither listen nor ask
tt-genl --as-user 65534 listen --timeout 2 >/tmp/nobody.out 2>/tmp/nobody.err
rc=$?
check "nobody cannot join the events group: exit 3 (got $rc)" [ $rc -eq 3 ]
check "and is told why" grep -q 'joining group events: permission refused (EPERM)' /tmp/nobody.err
tt-genl --as-user 65534 state >/dev/null 2>/tmp/nobody.err
rc=$?
check "nobody cannot ask for the state: exit 3 (got $rc)" [ $rc -eq 3 ]
check "and is told why" grep -q 'state: permission refused (EPERM)' /tmp/nobody.err
tt-genl --as-user 65534 blocking >/dev/null 2>&1
rc=$?
check "nobody cannot ask for the blocking tasks: exit 3 (got $rc)" [ $rc -eq 3 ]

check "every event came from the kernel, well formed" sh -c '! [ -s /tmp/listen.err ]'
check "sequence numbers go up by one ($(grep -c '^seq=' $ev) events)" awk '
	/^seq=/ { s = substr($1, 5) + 0; if (n++ && s != prev + 1) bad = 1; prev = s }
	END { exit bad || n < 15 }' $ev
kill $listener 2>/dev/null
wait $listener 2>/dev/null

# unloaded and loaded again
check "tuxtape_helper unloads" rmmod tuxtape_helper
tt-genl state >/dev/null 2>&1
rc=$?
check "the family is gone: exit 4 (got $rc)" [ $rc -eq 4 ]
check "tuxtape_helper loads again" insmod $TT_MODULES/tuxtape_helper.ko
# its own module notifier reports it live: the first event of the new instance
check "numbering starts at 1 again (its own live event)" \
	sh -c 'tt-genl state | grep -q "^seq=1 state taint="'
: >/tmp/again.events
tt-genl listen --count 1 --timeout 30 >>/tmp/again.events 2>&1 &
again=$!
wait_for 10 grep -q '^listening' /tmp/again.events
insmod $TT_MODULES/tt_plain.ko
wait $again
rc=$?
check "a new listener gets the next event (exit $rc)" [ $rc -eq 0 ]
check "the next event is seq 2" grep -q '^seq=2 module name=tt_plain state=coming livepatch=0' /tmp/again.events
rmmod tt_plain 2>/dev/null
check "tuxtape_helper unloads again" rmmod tuxtape_helper

sed 's/^/TT-EVENTS: /' $ev
sed 's/^/TT-BLOCKING: /' /tmp/blocking.out
sed 's/^/TT-AGAIN: /' /tmp/again.events
