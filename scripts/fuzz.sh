#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ (conf, iso, shadow, hosts) one after another, each
# in one process (one core), and prints for each the executions (libFuzzer's final
# stat::number_of_executed_units) and the crashes found. Exits 1 when any target found a
# crash, hang or out-of-memory input (saved under fuzz/artifacts/<target>/).
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]    each target for SECONDS (default 60)
#   bash scripts/fuzz.sh --runs N [TARGET...]     each target until N executions
#   bash scripts/fuzz.sh --smoke                  CI: seeds plus 20000 fixed-seed runs each
# Needs cargo-fuzz (scripts/setup.sh installs it); the stable toolchain does, since no
# sanitizer is used (no -Z flag). New inputs go to fuzz/target/corpus/<target>/ (kept
# between runs, git-ignored); the seeds in fuzz/corpus/<target>/ are only read. To replay
# a crash:
#   cargo fuzz run -s none -a TARGET fuzz/artifacts/TARGET/crash-…
set -euo pipefail

cd "$(dirname "$0")/.."
all_targets=(conf iso shadow hosts)
limit=(-max_total_time=60)
what="60 s each"
targets=()
while [ $# -gt 0 ]; do
    case $1 in
        -h | --help)
            sed -n '2,13s/^# \{0,1\}//p' "$0"
            exit 0
            ;;
        --smoke)
            limit=(-runs=20000 -seed=1)
            what="smoke: seeds plus 20000 runs each, seed 1"
            ;;
        --runs)
            [[ ${2:-} =~ ^[0-9]+$ ]] || { echo "fuzz.sh: --runs needs a number" >&2; exit 2; }
            limit=(-runs="$2")
            what="$2 executions each"
            shift
            ;;
        *[!0-9]*)
            if [[ " ${all_targets[*]} " == *" $1 "* ]]; then
                targets+=("$1")
            else
                echo "fuzz.sh: unknown argument: $1 (targets: ${all_targets[*]}; try --help)" >&2
                exit 2
            fi
            ;;
        *)
            limit=(-max_total_time="$1")
            what="$1 s each"
            ;;
    esac
    shift
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: needs cargo-fuzz (bash scripts/setup.sh installs it)" >&2
    exit 1
fi

# -s none: the library forbids unsafe code, so a memory error shows up as a bounds-check
# panic without AddressSanitizer, which would make every target several times slower
# (and would need the nightly toolchain).
# -a: debug assertions and overflow checks on, so an arithmetic overflow is a crash too.
build=(-s none -a)
echo "==> cargo fuzz build ${build[*]} (${targets[*]})"
start=$SECONDS
if [ ${#targets[@]} -eq ${#all_targets[@]} ]; then
    cargo fuzz build "${build[@]}"
else
    for t in "${targets[@]}"; do
        cargo fuzz build "${build[@]}" "$t"
    done
fi
echo "==> built in $((SECONDS - start)) s; fuzzing, $what"

logs=fuzz/target/logs
mkdir -p "$logs"
failed=()
summary=()
for t in "${targets[@]}"; do
    corpus=fuzz/target/corpus/$t
    artifacts=fuzz/artifacts/$t
    mkdir -p "$corpus" "$artifacts"
    stamp=$logs/$t.start
    : >"$stamp"
    start=$SECONDS
    # -timeout: an input running 10 s is a hang; -rss_limit_mb: libFuzzer's default.
    if cargo fuzz run "${build[@]}" "$t" "$corpus" "fuzz/corpus/$t" -- \
        "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$logs/$t.log" 2>&1; then
        status=ok
    else
        status=failed
    fi
    secs=$((SECONDS - start))
    crashes=$(find "$artifacts" -type f -newer "$stamp" | wc -l)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log" | tail -n1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logs/$t.log" | tail -n1)
    # libFuzzer counts whole seconds: a run under one second reports 0 exec/s.
    [ "${rate:-0}" != 0 ] || rate=-
    if [ "$status" = failed ] || [ "$crashes" -gt 0 ]; then
        failed+=("$t")
        echo "fuzz.sh: $t failed; the end of $logs/$t.log:" >&2
        tail -n 40 "$logs/$t.log" >&2
        find "$artifacts" -type f -newer "$stamp" | sed 's/^/fuzz.sh: new artifact: /' >&2
    fi
    # libFuzzer's corpus at the end: inputs/total size.
    kept=$(sed -n 's/^#[0-9]*[[:space:]]*DONE .* corp: \([^ ]*\) .*/\1/p' "$logs/$t.log" | tail -n1)
    line=$(printf '%-7s %12s executions %8s exec/s %6s s %3s crashes  corpus %s' \
        "$t" "${execs:-?}" "${rate:-?}" "$secs" "$crashes" "${kept:-?}")
    echo "==> $line"
    summary+=("$line")
done

echo "==> fuzz summary ($what)"
printf '    %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: crashes in: ${failed[*]} (inputs in fuzz/artifacts/; each becomes a regression test)" >&2
    exit 1
fi
