#!/bin/sh
# Installs the real consumers of osconf's network files, for tests/consumers/run.sh:
# netplan.io (netplan generate), network-manager (NetworkManager/nmcli reading keyfiles),
# ifupdown (ifquery/ifup --no-act). Idempotent.
#
# None of them may take over this machine's network: --no-install-recommends, and a
# policy-rc.d answering 101 ("action forbidden") while they install, so no maintainer
# script starts NetworkManager or systemd-networkd. A policy-rc.d that was already there
# is kept as it was.
set -eu
pkgs="netplan.io network-manager ifupdown"
missing=
for p in $pkgs; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

policy=/usr/sbin/policy-rc.d
ours=
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    ours=1
fi
trap 'if [ -n "$ours" ]; then rm -f "$policy"; fi' EXIT
apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is wanted
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
