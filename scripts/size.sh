#!/usr/bin/env bash
# Size report and budget for the static release binary (scripts/test.sh runs it).
#   bash scripts/size.sh
# Prints the stripped size against the budget, the size of each section
# (size -A), what fills .text and .rodata, and checks the symbols of an
# unstripped copy of the same build: no core::fmt machinery (core::fmt::write,
# Formatter, Display/Debug impls) and no allocator (Rust's or libc's malloc).
# Fails when the binary is over budget or either check finds something.
set -euo pipefail

cd "$(dirname "$0")/.."
musl=x86_64-unknown-linux-musl
bin=target/$musl/release/osconf
budget=65536
# The release profile strips; this copy of the same build keeps its symbols.
syms_dir=target/size-syms
syms_bin=$syms_dir/$musl/release/osconf

step() { echo "==> $*"; }
fail=0

step cargo build --release --target $musl
cargo build --release --target $musl
step "CARGO_PROFILE_RELEASE_STRIP=none CARGO_TARGET_DIR=$syms_dir cargo build --release --target $musl (symbols)"
CARGO_PROFILE_RELEASE_STRIP=none CARGO_TARGET_DIR=$syms_dir cargo build --release --target $musl

tmp=$(mktemp -d "${TMPDIR:-/tmp}/osconf-size.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Strip a copy anyway, so the number is the stripped size whatever the profile says.
stripped=$tmp/osconf
if command -v strip >/dev/null; then
    strip -o "$stripped" "$bin"
else
    cp "$bin" "$stripped"
fi
size=$(stat -c %s "$stripped")
step "size: $bin is $size bytes stripped (budget $budget, $((budget - size)) left)"
if [ "$size" -gt "$budget" ]; then
    echo "size.sh: $bin is over the size budget by $((size - budget)) bytes" >&2
    fail=1
fi

# Sections, each with its share of the file; what is left over is the ELF
# header, the program headers and the section headers.
step "sections (size -A $bin)"
size -A "$stripped" | awk -v total="$size" '
    $1 == ".bss" { printf "  %-12s %6d bytes  (zeroed memory, not in the file)\n", $1, $2; next }
    $1 ~ /^\./ { printf "  %-12s %6d bytes  %5.1f%%\n", $1, $2, 100 * $2 / total; sum += $2 }
    END { printf "  %-12s %6d bytes  %5.1f%%  (ELF, program and section headers)\n", "(headers)", total - sum, 100 * (total - sum) / total }'

# .rodata has no symbols (LTO merges constants anonymously); measure its text.
objcopy -O binary --only-section=.rodata "$stripped" "$tmp/rodata"
rodata=$(stat -c %s "$tmp/rodata")
text_bytes=$(strings -n 4 "$tmp/rodata" | tr -d '\n' | wc -c)
echo "  .rodata: $text_bytes of $rodata bytes are printable runs of 4 or more bytes (log texts, help, paths, key names)"

# The unstripped copy must be the same binary, section for section.
strip -o "$tmp/syms-stripped" "$syms_bin"
if ! diff <(size -A "$stripped" | awk '$1 ~ /^\./ { print $1, $2 }') \
    <(size -A "$tmp/syms-stripped" | awk '$1 ~ /^\./ { print $1, $2 }') >/dev/null; then
    echo "size.sh: warning: $syms_bin has other section sizes than $bin; the symbols below may not describe it" >&2
fi

# What fills .text: code by module (first two path components of each
# function's demangled name; a generic impl counts under its self type).
nm -t d -C -S --defined-only "$syms_bin" >"$tmp/sized"
awk '$3 ~ /^[tTwW]$/' "$tmp/sized" >"$tmp/funcs"
step "largest functions ($syms_bin, nm -t d -C -S --size-sort)"
sort -n -k2,2 "$tmp/funcs" | tail -n 8 | sort -rn -k2,2 |
    awk '{ n = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", n); printf "  %6d  %s\n", $2 + 0, n }'
step "code by module (sum of function sizes)"
awk '{
        n = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", n); sub(/^</, "", n)
        k = split(n, p, "::")
        m = (k >= 2) ? p[1] "::" p[2] : n
        if (m == "main") m = "main (the run, inlined into it)"
        if (k < 2 && m !~ /^main/) m = "libc and C runtime (" m " ...)"
        s[m] += $2 + 0
    }
    END { for (m in s) printf "%d\t%s\n", s[m], m }' "$tmp/funcs" |
    awk -F'\t' '{ if ($2 ~ /^libc/) { libc += $1 } else print } END { printf "%d\tlibc and C runtime (_start, mem*, strlen, _exit)\n", libc }' |
    sort -rn | head -n 12 | awk -F'\t' '{ printf "  %6d  %s\n", $1, $2 }'

# Symbol checks, on demangled and raw names.
nm --defined-only "$syms_bin" | awk '{ print $NF }' >"$tmp/raw"
nm -C --defined-only "$syms_bin" | sed -E 's/^[0-9a-f]* *[A-Za-z] //' >"$tmp/names"
cat "$tmp/raw" "$tmp/names" >"$tmp/all"

step "symbols: core::fmt machinery"
if grep -E 'core::fmt::|core\.\.fmt\.\.|4core3fmt|NtCs[0-9A-Za-z_]*_4core3fmt' "$tmp/all" | sort -u >"$tmp/fmt" && [ -s "$tmp/fmt" ]; then
    echo "size.sh: core::fmt symbols are linked:" >&2
    sed 's/^/  /' "$tmp/fmt" >&2
    fail=1
else
    echo "  none (no core::fmt::write, Formatter, Arguments, Display or Debug impl)"
fi
# core's panic entry points stay (panic_fmt takes fmt::Arguments), but with our
# panic handler (a fixed line, then _exit) and no core::fmt::write they are
# stubs that format nothing; listed with their sizes so a change shows.
grep -E '^core::panicking::|^core::.*_fail$' "$tmp/names" | sort -u | while read -r name; do
    bytes=$(awk -v n="$name" '{ s = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", s) } s == n { print $2 + 0; exit }' "$tmp/funcs")
    echo "  present: $name (${bytes:-?} bytes; a call into the panic handler)"
done

step "symbols: allocator"
alloc_re='^(malloc|calloc|realloc|free|aligned_alloc|posix_memalign|memalign|__libc_malloc.*|__libc_calloc|__libc_free|__libc_realloc|__simple_malloc|__malloc_.*|__expand_heap|__rust_alloc.*|__rust_dealloc|__rust_realloc|__rust_no_alloc_shim_is_unstable.*|__rg_.*|__rdl_.*)$'
{
    grep -E "$alloc_re" "$tmp/raw" || true
    grep -E '^alloc::|^<alloc::|__rust_alloc' "$tmp/names" || true
} | sort -u >"$tmp/alloc"
if [ -s "$tmp/alloc" ]; then
    echo "size.sh: allocator symbols are linked:" >&2
    sed 's/^/  /' "$tmp/alloc" >&2
    fail=1
else
    echo "  none (no __rust_alloc, no alloc:: code, no malloc/calloc/realloc/free)"
fi
echo "  libc functions linked: $(nm -g --defined-only "$syms_bin" | awk '$2 == "T" { print $3 }' | grep -vxE 'main|_init|_fini|_start|_start_c|__libc_start_main' | sort | tr '\n' ' ')"

exit "$fail"
