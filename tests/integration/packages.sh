#!/bin/bash
# The Debian packages: make deb builds them from the tree, lintian finds no error and no
# warning, each package holds what it should (programs, units, man pages, conffile,
# completion, the companion's DKMS source), the agent and the companion are locked to one
# version, and systemd-analyze verifies every unit they ship.
source "$(dirname "$0")/lib.sh"

O=$WORK/o
if ! make -s -C "$TOP" O="$O" deb >"$WORK/deb.log" 2>&1; then
	not_ok "make deb builds the packages"
	tail -30 "$WORK/deb.log" | sed 's/^/   | /' >&2
	exit
fi
ok "make deb builds the packages"

deb() { # package: its .deb (exactly one)
	local f=("$O"/deb/"$1"_*.deb)
	[ ${#f[@]} -eq 1 ] && [ -f "${f[0]}" ] && echo "${f[0]}"
}
AGENT=$(deb tuxtape-agent) BACKEND=$(deb tuxtape-backend) HELPER=$(deb tuxtape-helper-dkms)
check "three packages: agent, backend, helper-dkms" test -n "$AGENT" -a -n "$BACKEND" -a -n "$HELPER"
[ -n "$AGENT" ] && [ -n "$BACKEND" ] && [ -n "$HELPER" ] || exit

# lintian: no error, no warning; every override says why
if ! command -v lintian >/dev/null; then
	not_ok "lintian is not installed (tests/deps.sh installs it)"
else
	lintian "$AGENT" "$BACKEND" "$HELPER" >"$WORK/lintian.out" 2>&1
	if grep -qE '^[EW]: ' "$WORK/lintian.out"; then
		not_ok "lintian: no error and no warning"
		grep -E '^[EW]: ' "$WORK/lintian.out" | sed 's/^/   | /' >&2
	elif grep -qE '^(Fatal|Aborted|internal error)' "$WORK/lintian.out"; then
		not_ok "lintian ran"; sed 's/^/   | /' "$WORK/lintian.out" >&2
	else
		ok "lintian: no error and no warning"
	fi
fi
unexplained=""
for f in "$TOP"/packaging/debian/*lintian-overrides; do
	[ -f "$f" ] || continue
	# a tag line must follow a comment line (its reason)
	unexplained+=$(awk -v f="${f#"$TOP"/}" '/^#/ { why = 1; next }
		/^[ \t]*$/ { next } { if (!why) print f ": " $0; why = 0 }' "$f")
done
expect_eq "every lintian override carries its reason" "" "$unexplained"

# contents
contents() { dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|^\.||; s|/$||'; }
expect_files() { # name deb path...
	local name=$1 d=$2 missing="" p; shift 2
	contents "$d" >"$WORK/list"
	for p in "$@"; do grep -qxF "$p" "$WORK/list" || missing+=" $p"; done
	expect_eq "$name" "" "$missing"
}
VERSION=$(dpkg-deb -f "$AGENT" Version)
UPSTREAM=${VERSION%-*}
expect_files "agent package: programs, helper, unit, conffile, man pages, completion" "$AGENT" \
	/usr/bin/tuxtape-agent /usr/bin/agentctl /usr/bin/tuxtape-tuf-client \
	/usr/libexec/tuxtape/tuxtape-agent-fetch /lib/systemd/system/tuxtape-agent.service \
	/etc/tuxtape/agent.conf /usr/share/man/man8/tuxtape-agent.8.gz \
	/usr/share/man/man8/agentctl.8.gz /usr/share/man/man1/tuxtape-tuf-client.1.gz \
	/usr/share/man/man5/tuxtape-agent.conf.5.gz \
	/usr/share/bash-completion/completions/agentctl \
	/usr/share/doc/tuxtape-agent/copyright /usr/share/doc/tuxtape-agent/examples/agent.conf.example
expect_files "backend package: program, timer and units, man pages, completion, cron and config examples" \
	"$BACKEND" /usr/bin/tuxtape-backend /lib/systemd/system/tuxtape-backend.service \
	/lib/systemd/system/tuxtape-backend.timer /lib/systemd/system/tuxtape-backend-serve.service \
	/etc/tuxtape/backend.conf /usr/share/man/man8/tuxtape-backend.8.gz \
	/usr/share/man/man5/tuxtape-backend.conf.5.gz \
	/usr/share/bash-completion/completions/tuxtape-backend \
	/usr/share/doc/tuxtape-backend/examples/cron.d-tuxtape-backend \
	/usr/share/doc/tuxtape-backend/examples/backend.conf.example \
	/usr/share/doc/tuxtape-backend/examples/policy.conf.example
src=/usr/src/tuxtape-helper-$UPSTREAM
expect_files "helper package: the companion's source and dkms.conf under $src" "$HELPER" \
	$src/dkms.conf $src/Kbuild $src/Makefile $src/main.c $src/events.c $src/klp.c \
	$src/faults.c $src/tt_helper.h $src/tuxtape_genl.h
expect_eq "only the helper package carries DKMS source" "" \
	"$({ contents "$AGENT"; contents "$BACKEND"; } | grep '^/usr/src')"
expect_eq "the helper is Architecture: all" "all" "$(dpkg-deb -f "$HELPER" Architecture)"

# the agent and the companion move together
expect_eq "the agent recommends the companion of its own version" \
	"tuxtape-helper-dkms (= $VERSION)" "$(dpkg-deb -f "$AGENT" Recommends)"
breaks=$(dpkg-deb -f "$AGENT" Breaks)
check "the agent breaks an older or newer companion ($breaks)" \
	grep -qE "tuxtape-helper-dkms \(<< $VERSION\).*tuxtape-helper-dkms \(>> $VERSION\)|tuxtape-helper-dkms \(>> $VERSION\).*tuxtape-helper-dkms \(<< $VERSION\)" <<<"$breaks"
expect_eq "the helper has the agent's version" "$VERSION" "$(dpkg-deb -f "$HELPER" Version)"

# maintainer scripts and conffiles
ctl() { rm -rf "$WORK/ctl"; dpkg-deb -e "$1" "$WORK/ctl"; }
ctl "$AGENT"
check "agent.conf is a conffile" grep -qx /etc/tuxtape/agent.conf "$WORK/ctl/conffiles"
check "the agent's postinst creates the tuxtape system group" \
	grep -q 'addgroup --system.* tuxtape' "$WORK/ctl/postinst"
check "the agent's postinst enables its service" \
	grep -q "deb-systemd-helper enable 'tuxtape-agent.service'" "$WORK/ctl/postinst"
# restart after upgrade (debhelper 13's default): the applying record survives a restart
check "the agent's postinst starts or restarts its service" \
	grep -q "deb-systemd-invoke \$_dh_action 'tuxtape-agent.service'" "$WORK/ctl/postinst"
check "the agent's postrm purges its state" grep -q 'rm -rf "$state"/agent.db' "$WORK/ctl/postrm"
ctl "$BACKEND"
# the timer and the server wait for the configuration: enabled again on upgrade only where
# the administrator had enabled them, never started by the package
expect_eq "the backend's units are enabled only where they were" \
	"$(grep -c 'deb-systemd-helper --quiet was-enabled' "$WORK/ctl/postinst")" \
	"$(grep -c 'deb-systemd-helper enable' "$WORK/ctl/postinst")"
check "the backend's units are not started by the package" \
	test -z "$(grep 'deb-systemd-invoke' "$WORK/ctl/postinst")"
check "backend.conf is a conffile" grep -qx /etc/tuxtape/backend.conf "$WORK/ctl/conffiles"
check "the backend's postrm purges its state" grep -q 'rm -rf "$state"/backend.db' "$WORK/ctl/postrm"
ctl "$HELPER"
check "the helper's postinst hands the source to DKMS" grep -q 'DKMS_NAME=tuxtape-helper' "$WORK/ctl/postinst"

# installed tree: versions, dkms.conf, completion, units
ROOT=$WORK/root
for d in "$AGENT" "$BACKEND" "$HELPER"; do dpkg-deb -x "$d" "$ROOT"; done
expect_eq "the programs print the package's version" \
	"tuxtape-backend $UPSTREAM tuxtape-agent $UPSTREAM agentctl $UPSTREAM" \
	"$("$ROOT"/usr/bin/tuxtape-backend --version) $("$ROOT"/usr/bin/tuxtape-agent --version) $("$ROOT"/usr/bin/agentctl --version)"
expect_eq "dkms.conf names the module and the version" "tuxtape-helper $UPSTREAM" \
	"$(set +u; . "$ROOT$src/dkms.conf"; echo "$PACKAGE_NAME $PACKAGE_VERSION")"

if [ ! -f /usr/share/bash-completion/bash_completion ]; then
	not_ok "bash-completion is not installed (tests/deps.sh installs it): completion untested"
else
	complete_words() { # file function words...: what completion offers for the last word
		bash -c 'source /usr/share/bash-completion/bash_completion; source "$1"; f=$2; shift 2
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
			"$f" "$1" "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"; echo "${COMPREPLY[*]}"' _ "$@"
	}
	comp=$ROOT/usr/share/bash-completion/completions
	expect_eq "completion: tuxtape-backend fleet <TAB>" \
		"token tokens nodes node node-revoke patches promote hold release revoke rollouts" \
		"$(complete_words "$comp/tuxtape-backend" _tuxtape_backend tuxtape-backend --db x fleet "")"
	expect_eq "completion: tuxtape-backend run --min-priority <TAB>" "critical high medium low" \
		"$(complete_words "$comp/tuxtape-backend" _tuxtape_backend tuxtape-backend run --min-priority "")"
	expect_eq "completion: agentctl --timeout 5 events --<TAB>" "--follow --json" \
		"$(complete_words "$comp/agentctl" _agentctl agentctl --timeout 5 events --)"
fi

# systemd-analyze verify, in a root holding the packages and the system's own units (it
# resolves ExecStart= and the default dependencies there)
if ! command -v systemd-analyze >/dev/null; then
	not_ok "systemd-analyze is not installed (package systemd, tests/deps.sh): units not verified"
else
	mkdir -p "$ROOT/usr/lib/systemd"
	cp -a /lib/systemd/system "$ROOT/usr/lib/systemd/"
	# Documentation=man: pages are looked up among those the packages install
	verify() { MANPATH=$ROOT/usr/share/man systemd-analyze verify --root="$ROOT" "/lib/systemd/system/$1" 2>&1; }
	# the check itself must be able to fail: a unit whose program is missing
	printf '[Service]\nExecStart=/usr/bin/tuxtape-missing\n' >"$ROOT/lib/systemd/system/tt-probe.service"
	probe=$(verify tt-probe.service); probe_rc=$?
	rm -f "$ROOT/lib/systemd/system/tt-probe.service"
	if [ $probe_rc -eq 0 ] || ! grep -q 'tuxtape-missing' <<<"$probe"; then
		not_ok "systemd-analyze verify cannot judge units in this container (a unit with a missing program passed: exit $probe_rc, '$probe')"
	else
		units=$(dpkg-deb -c "$AGENT"; dpkg-deb -c "$BACKEND")
		units=$(awk '{ print $6 }' <<<"$units" | sed -n 's|^\./lib/systemd/system/\(.\+\)|\1|p')
		expect_eq "the packages ship four units" 4 "$(wc -w <<<"$units")"
		for u in $units; do
			out=$(verify "$u"); rc=$?
			if [ $rc -eq 0 ] && [ -z "$out" ]; then ok "systemd-analyze verify $u"; else
				not_ok "systemd-analyze verify $u"; sed 's/^/   | /' <<<"$out" >&2; fi
		done
	fi
fi

# the man pages follow the programs: every command --help lists has its entry, every exit
# code --help names is documented
manpage() { MANWIDTH=200 man -l "$ROOT/usr/share/man/$1" 2>/dev/null | col -b; }
help_codes() { # program args...: the exit codes its --help names
	"$@" --help 2>&1 | sed -n '/^Exit codes:/,$p' | tr '\n' ' ' |
		grep -oE '(^|[ ;,:])[0-9]+ [a-z(]' | grep -oE '[0-9]+' | sort -n | paste -sd' '
}
man_codes() { # page: the codes under EXIT STATUS
	manpage "$1" | sed -n '/^EXIT STATUS/,/^[A-Z]/p' | sed -n 's/^ \+\([0-9]\+\)$/\1/p' |
		sort -n | paste -sd' '
}
missing=""
for c in $("$ROOT"/usr/bin/tuxtape-backend --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p'); do
	manpage man8/tuxtape-backend.8.gz | grep -qE "^ +tuxtape-backend $c( |$)" || missing+=" $c"
done
expect_eq "tuxtape-backend(8) has every command --help lists" "" "$missing"
missing=""
for c in $("$ROOT"/usr/bin/agentctl --help | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p'); do
	manpage man8/agentctl.8.gz | grep -qE "^ +$c( |$)" || missing+=" $c"
done
expect_eq "agentctl(8) has every command --help lists" "" "$missing"
for p in "tuxtape-backend man8/tuxtape-backend.8.gz" "agentctl man8/agentctl.8.gz" \
	"tuxtape-agent man8/tuxtape-agent.8.gz" "tuxtape-tuf-client man1/tuxtape-tuf-client.1.gz"; do
	set -- $p
	codes=$(help_codes "$ROOT/usr/bin/$1") documented=$(man_codes "$2")
	missing=""
	for c in $codes; do [[ " $documented " == *" $c "* ]] || missing+=" $c"; done
	check "$1: the exit codes of --help ($codes) are in its man page ($documented)" \
		test -n "$codes" -a -z "$missing"
done

# remove keeps state and configuration, purge takes each package's own and, once both are
# purged, the shared directories: the maintainer scripts run in a private mount namespace
# whose /etc, /var/lib and /var/cache are empty tmpfs
for p in "$AGENT" "$BACKEND"; do
	n=$(dpkg-deb -f "$p" Package); mkdir -p "$WORK/scripts/$n"; dpkg-deb -e "$p" "$WORK/scripts/$n"
done
cat >"$WORK/purge.sh" <<'SH'
set -e
for d in /etc /var/lib /var/cache; do mount -t tmpfs tt "$d"; done
s=/var/lib/tuxtape
mkdir -p $s/metadata $s/modules $s/reports $s/archive/keys $s/vulns.git /etc/tuxtape \
	/var/cache/tuxtape/generator
touch $s/agent.db $s/agent.db-wal $s/node.key $s/metadata/1.root.json $s/reports/r \
	$s/backend.db $s/backend.db-journal $s/archive/keys/root /etc/tuxtape/root.json
state() { (cd / && find etc/tuxtape var/lib/tuxtape var/cache/tuxtape 2>/dev/null | sort | paste -sd' '); }
sh "$1/tuxtape-agent/postrm" remove; echo "remove: $(state)"
sh "$1/tuxtape-agent/postrm" purge; echo "agent purged: $(state)"
sh "$1/tuxtape-backend/postrm" remove; echo "backend removed: $(state)"
sh "$1/tuxtape-backend/postrm" purge; echo "both purged: $(state)"
SH
if ! unshare -m true 2>"$WORK/unshare.err"; then
	not_ok "purge and remove: cannot make a mount namespace here ($(cat "$WORK/unshare.err")): untested"
else
	unshare -m bash "$WORK/purge.sh" "$WORK/scripts" >"$WORK/purge.out" 2>&1
	all="etc/tuxtape etc/tuxtape/root.json var/cache/tuxtape var/cache/tuxtape/generator var/lib/tuxtape var/lib/tuxtape/agent.db var/lib/tuxtape/agent.db-wal var/lib/tuxtape/archive var/lib/tuxtape/archive/keys var/lib/tuxtape/archive/keys/root var/lib/tuxtape/backend.db var/lib/tuxtape/backend.db-journal var/lib/tuxtape/metadata var/lib/tuxtape/metadata/1.root.json var/lib/tuxtape/modules var/lib/tuxtape/node.key var/lib/tuxtape/reports var/lib/tuxtape/reports/r var/lib/tuxtape/vulns.git"
	expect_eq "remove keeps the agent's state and configuration" "remove: $all" \
		"$(grep '^remove:' "$WORK/purge.out")"
	expect_eq "purging the agent keeps the backend's state" \
		"agent purged: var/cache/tuxtape var/cache/tuxtape/generator var/lib/tuxtape var/lib/tuxtape/archive var/lib/tuxtape/archive/keys var/lib/tuxtape/archive/keys/root var/lib/tuxtape/backend.db var/lib/tuxtape/backend.db-journal var/lib/tuxtape/vulns.git" \
		"$(grep '^agent purged:' "$WORK/purge.out")"
	expect_eq "purging both leaves nothing of TuxTape but the signed archive and its keys" \
		"both purged: var/lib/tuxtape var/lib/tuxtape/archive var/lib/tuxtape/archive/keys var/lib/tuxtape/archive/keys/root" \
		"$(grep '^both purged:' "$WORK/purge.out")"
	grep -q '^both purged:' "$WORK/purge.out" || sed 's/^/   | /' "$WORK/purge.out" >&2
fi

# RPM: the same three packages from packaging/rpm/tuxtape.spec
if ! command -v rpmbuild >/dev/null; then
	not_ok "rpmbuild is not installed (package rpm, tests/deps.sh): RPM packages not built"
elif ! make -s -C "$TOP" O="$O" rpm >"$WORK/rpm.log" 2>&1; then
	not_ok "make rpm builds the packages"
	tail -30 "$WORK/rpm.log" | sed 's/^/   | /' >&2
else
	ok "make rpm builds the packages"
	rpmfile() { local f=("$O"/rpm/"$1"-"$UPSTREAM"-*."$2".rpm); [ -f "${f[0]}" ] && echo "${f[0]}"; }
	expect_rpm() { # name rpm path...
		local name=$1 r=$2 missing="" p; shift 2
		if [ -z "$r" ]; then not_ok "$name (no such package)"; return; fi
		rpm -qlp "$r" 2>/dev/null >"$WORK/rpmlist"
		for p in "$@"; do grep -qxF "$p" "$WORK/rpmlist" || missing+=" $p"; done
		expect_eq "$name" "" "$missing"
	}
	RAGENT=$(rpmfile tuxtape-agent x86_64) RBACKEND=$(rpmfile tuxtape-backend x86_64)
	RHELPER=$(rpmfile tuxtape-helper-dkms noarch)
	expect_rpm "rpm: agent package's files" "$RAGENT" /usr/bin/tuxtape-agent /usr/bin/agentctl \
		/usr/bin/tuxtape-tuf-client /usr/libexec/tuxtape/tuxtape-agent-fetch \
		/etc/tuxtape/agent.conf /usr/lib/systemd/system/tuxtape-agent.service \
		/usr/share/man/man8/tuxtape-agent.8 /usr/share/man/man8/agentctl.8 \
		/usr/share/man/man1/tuxtape-tuf-client.1 /usr/share/man/man5/tuxtape-agent.conf.5 \
		/usr/share/bash-completion/completions/agentctl
	expect_rpm "rpm: backend package's files" "$RBACKEND" /usr/bin/tuxtape-backend \
		/etc/tuxtape/backend.conf /usr/lib/systemd/system/tuxtape-backend.service \
		/usr/lib/systemd/system/tuxtape-backend.timer \
		/usr/lib/systemd/system/tuxtape-backend-serve.service \
		/usr/share/man/man8/tuxtape-backend.8 /usr/share/man/man5/tuxtape-backend.conf.5 \
		/usr/share/bash-completion/completions/tuxtape-backend \
		/usr/share/doc/tuxtape-backend/examples/cron.d-tuxtape-backend
	expect_rpm "rpm: noarch helper package's DKMS source" "$RHELPER" $src/dkms.conf $src/Kbuild \
		$src/Makefile $src/main.c $src/tuxtape_genl.h
	if [ -n "$RAGENT" ]; then
		expect_eq "rpm: agent.conf is a config file" /etc/tuxtape/agent.conf \
			"$(rpm -qcp "$RAGENT" 2>/dev/null)"
		expect_eq "rpm: the agent recommends the companion of its own release" \
			"tuxtape-helper-dkms = $UPSTREAM-1" "$(rpm -qp --recommends "$RAGENT" 2>/dev/null)"
	fi
	[ -n "$RHELPER" ] && check "rpm: the helper hands its source to DKMS" \
		grep -q "dkms add -m tuxtape-helper -v $UPSTREAM" <<<"$(rpm -qp --scripts "$RHELPER" 2>/dev/null)"
fi
