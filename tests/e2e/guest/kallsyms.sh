# tests/e2e/kallsyms.sh's guest half: the running kernel's symbol table, local symbols
# included (read as root, so with addresses), onto the state disk.
check "the state disk is mounted" mountpoint -q /state
grep -v '\[' /proc/kallsyms >/state/kallsyms
check "kallsyms copied ($(wc -l </state/kallsyms) symbols)" [ -s /state/kallsyms ]
sync
