#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine to build and test osconf, builds the static
# release binary, then runs scripts/demo.sh.
#   bash scripts/setup.sh            install, build, demo
#   bash scripts/setup.sh --no-demo  install and build only (CI)
# Idempotent: apt is skipped when every package is already installed.
set -eu

demo=yes
for arg in "$@"; do
    case $arg in
        --no-demo) demo=no ;;
        -h | --help)
            sed -n '2,6s/^# \{0,1\}//p' "$0"
            exit 0
            ;;
        *)
            echo "setup.sh: unknown argument: $arg (try --help)" >&2
            exit 2
            ;;
    esac
done

cd "$(dirname "$0")/.."

# xorriso: the config-drive ISOs of the tests and the demo.
# e2fsprogs: filesystem images for root tests. shellcheck: the dracut glue.
# gcc, libc6-dev: the linker (cc) for the musl target and for build scripts.
# diffutils: the demo's diff.
packages=(xorriso e2fsprogs shellcheck gcc libc6-dev diffutils)

missing=()
for p in "${packages[@]}"; do
    if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "==> Debian packages: all present (${packages[*]})"
else
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        sudo=(sudo)
    fi
    echo "==> apt-get update"
    "${sudo[@]}" apt-get update
    echo "==> apt-get install ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null || ! command -v rustup >/dev/null; then
    echo "setup.sh: cargo and rustup are expected to be installed already (https://rustup.rs)" >&2
    exit 1
fi

installed_targets=$(rustup target list --installed)
for t in x86_64-unknown-linux-musl x86_64-unknown-none; do
    if grep -qx "$t" <<<"$installed_targets"; then
        echo "==> rust target $t: present"
    else
        echo "==> rustup target add $t"
        rustup target add "$t"
    fi
done
installed_components=$(rustup component list --installed)
for c in rustfmt clippy; do
    if ! grep -q "^$c" <<<"$installed_components"; then
        echo "==> rustup component add $c (scripts/test.sh uses it)"
        rustup component add "$c"
    fi
done

echo "==> cargo build --release --target x86_64-unknown-linux-musl"
cargo build --release --target x86_64-unknown-linux-musl
bin=target/x86_64-unknown-linux-musl/release/osconf
echo "==> built $bin ($(stat -c %s "$bin") bytes)"

if [ "$demo" = yes ]; then
    echo "==> bash scripts/demo.sh"
    bash scripts/demo.sh
fi
