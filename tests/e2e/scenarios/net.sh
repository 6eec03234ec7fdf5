# The guest reaches the runner's server on the host's 127.0.0.1 (10.0.2.2 from inside), and
# the project's programs run in the guest: tuxtape-tuf-client fetches the good livepatch from
# the signed archive the runner published, and it loads.
check "the host's server is reachable at $TT_HTTP" wget -q -O /tmp/hello "http://$TT_HTTP/hello.txt"
check "it serves the runner's file" grep -q '^hello from the host' /tmp/hello
md=/state/tuf
check "tuxtape-tuf-client trusts the archive's root" \
	tuxtape-tuf-client --metadata-dir $md init $TT_MODULES/trust/archive.json
check "refresh from the host archive" \
	tuxtape-tuf-client --metadata-url "http://$TT_HTTP/archive/metadata" --metadata-dir $md refresh
check "download of $(uname -r)/tt_lp_good.ko" tuxtape-tuf-client \
	--metadata-url "http://$TT_HTTP/archive/metadata" --metadata-dir $md \
	--target-name "$(uname -r)/tt_lp_good.ko" --target-dir /tmp/targets \
	--target-base-url "http://$TT_HTTP/archive/targets" download
ko=$(find /tmp/targets -name '*tt_lp_good.ko' | head -1)
check "the fetched module is the published one" cmp -s "$ko" $TT_MODULES/tt_lp_good.ko
check "it loads" insmod "$ko"
check "its transition completes" wait_for 10 file_is $LP/tt_lp_good/transition 0
check "/proc/cmdline shows the patched text" \
	[ "$(cat /proc/cmdline)" = "tuxtape-e2e: cmdline patched by tt_lp_good" ]
