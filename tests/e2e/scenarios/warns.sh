# The warns livepatch hits WARN_ON each time /proc/version is read: the WARNING line and
# the RIP line name the module, and the kernel is tainted W.
check "tt_lp_warns loads" insmod $TT_MODULES/tt_lp_warns.ko
check "its transition completes" wait_for 10 file_is $LP/tt_lp_warns/transition 0
out=$(cat /proc/version)
cat /proc/version >/dev/null
check "/proc/version shows the patched text" [ "$out" = "tuxtape-e2e: version patched by tt_lp_warns" ]
warn_re='WARNING: CPU: [0-9]+ PID: [0-9]+ at .*tt_lp_warns\.c:[0-9]+ tt_warns_version_show\+0x[0-9a-f]+/0x[0-9a-f]+ \[tt_lp_warns\]'
check "the WARNING line names the function and module" kmsg_has "$warn_re"
check "it warns on every read (2 reads, 2 WARNINGs)" [ "$(dmesg | grep -E -c "$warn_re")" -eq 2 ]
check "the RIP line is in the module" kmsg_has 'RIP: 0010:tt_warns_version_show\+0x[0-9a-f]+/0x[0-9a-f]+ \[tt_lp_warns\]'
check "the stack shows the caller reading the file" kmsg_has '^\[ *[0-9.]+\]  seq_read_iter\+'
check "Modules linked in lists it with its taint letters" kmsg_has 'Modules linked in:.* tt_lp_warns\([OEK]+\)'
check "taint has W (warning)" [ $(( $(cat /proc/sys/kernel/tainted) & 512 )) -ne 0 ]
[ "$(dmesg | grep -E -c "$warn_re")" -eq 2 ] || kmsg_tail 60
