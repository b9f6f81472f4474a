# Reduces a network configuration, in the dialect named by -v fmt=, to the facts it gives
# the kernel and the resolver, one per line, so two renderers' files can be compared
# whatever their syntax (tests/consumers/cloud-init.sh):
#   mac 52:54:00:e1:96:eb            the NIC the file binds to (n/a: by interface name)
#   addr 10.104.62.201/18
#   gw 10.104.0.1                    a default route through a gateway inside the subnet,
#   gw 172.16.0.1 on-link            or outside it but marked on-link or given a device route,
#   gw 172.16.0.1 unreachable: …     or outside it and neither: the kernel refuses the route
#   gw none
#   dns a b c                        every server, in order (or: dns none)
# Dialects (each file is read whole; FILENAME tells the parts apart):
#   spec      one line "MAC ADDR NETMASK GATEWAY|- DNS...": the network itself, with the
#             gateway made reachable (what a right rendering gives)
#   networkd  a .network file (also what netplan generate writes)
#   nm        a NetworkManager keyfile
#   ifcfg     ifcfg-<name>, plus route-<name> and a resolv.conf when given
#   eni       an interfaces(5) file (dns-nameservers, in any stanza: resolvconf takes them
#             from every interface that is up, lo included) plus a file named *.noact
#             holding `ifup --no-act` output (the ip/route commands ifupdown would run)

function masklen(m,   p, i, n, o) {
    split(m, p, ".")
    n = 0
    for (i = 1; i <= 4; i++) {
        o = p[i] + 0
        while (o >= 128) { n++; o = (o - 128) * 2 }
    }
    return n
}
function num(a,   p) { split(a, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
function insubnet(g, a,   p, d) {
    if (split(a, p, "/") != 2) return 0
    d = 2 ^ (32 - p[2])
    return int(num(g) / d) == int(num(p[1]) / d)
}
function adddns(list,   s, n, i) {
    n = split(list, s, /[ ;,]+/)
    for (i = 1; i <= n; i++) if (s[i] != "") dns = dns " " s[i]
}
# k and v: the key and value of a key=value line, blanks around them dropped.
function kv(line,   i) {
    i = index(line, "=")
    if (i == 0) { k = ""; v = ""; return }
    k = substr(line, 1, i - 1); v = substr(line, i + 1)
    gsub(/^[ \t]+|[ \t]+$/, "", k); gsub(/^[ \t]+|[ \t]+$/, "", v)
    gsub(/^["']|["']$/, "", v)
}
# networkd: one [Route] section ends.
function route_end() {
    if (sec == "[Route]") {
        if (rgw != "" && (rdst == "" || rdst == "0.0.0.0/0")) { gw = rgw; if (ronlink) onlink = 1 }
        else if (rgw == "" && rdst != "") device_route[rdst] = 1
    }
    rgw = ""; rdst = ""; ronlink = 0
}

/^[ \t]*(#|;|$)/ && fmt != "spec" { next }

fmt == "spec" {
    mac = $1; addr = $2 "/" masklen($3)
    if ($4 != "-") { gw = $4; onlink = 1 }
    for (i = 5; i <= NF; i++) dns = dns " " $i
    if (mac == "-") mac = ""
}

fmt == "networkd" {
    if (/^\[/) { route_end(); sec = $0; next }
    kv($0)
    if (k ~ /^(Permanent)?MACAddress$/) mac = v
    else if (k == "Address") addr = v
    else if (k == "Gateway") { if (sec == "[Route]") rgw = v; else gw = v }
    else if (k == "Destination") rdst = v
    else if (k ~ /^GatewayOn[Ll]ink$/ && v ~ /^(yes|true|on|1)$/) ronlink = 1
    else if (k == "DNS") adddns(v)
}

fmt == "nm" {
    if (/^\[/) { sec = $0; next }
    kv($0)
    if (sec == "[ethernet]" && k == "mac-address") mac = v
    if (sec != "[ipv4]") next
    if (k ~ /^address[0-9]+$/) { n = split(v, p, ","); addr = p[1]; if (n > 1) gw = p[2] }
    else if (k == "gateway") gw = v
    else if (k ~ /^route[0-9]+$/) {
        n = split(v, p, ",")
        if (p[1] == "0.0.0.0/0" && n > 1) gw = p[2]
        else if (n == 1 || p[2] == "0.0.0.0") device_route[p[1]] = 1
    } else if (k ~ /^route[0-9]+_options$/ && v ~ /onlink=(true|1)/) onlink = 1
    else if (k == "dns") adddns(v)
}

fmt == "ifcfg" && FILENAME ~ /resolv\.conf$/ { if ($1 == "nameserver") resolv = resolv " " $2; next }
fmt == "ifcfg" && FILENAME ~ /route-[^\/]*$/ {
    if ($1 == "default" && $2 == "via") gw = $3
    else if ($2 == "dev") device_route[$1] = 1
    next
}
fmt == "ifcfg" {
    kv($0)
    if (k == "HWADDR") mac = v
    else if (k == "IPADDR") ip = v
    else if (k == "PREFIX") plen = v
    else if (k == "NETMASK") plen = masklen(v)
    else if (k == "GATEWAY") gw = v
    else if (k ~ /^DNS[0-9]+$/) { ifdns[substr(k, 4) + 0] = v; if (substr(k, 4) + 0 > ndns) ndns = substr(k, 4) + 0 }
}

fmt == "eni" && FILENAME ~ /noact$/ {
    if ($1 == "ip" && $2 == "addr" && $3 == "add") {
        split($4, p, "/"); addr = p[1] "/" (p[2] ~ /\./ ? masklen(p[2]) : p[2])
    } else if ($1 == "ip" && $2 == "route" && $3 == "add" && $4 == "default" && $5 == "via") {
        gw = $6
        for (i = 7; i <= NF; i++) if ($i == "onlink") onlink = 1
    } else if ($1 == "route" && $2 == "add" && $3 == "default" && $4 == "gw") gw = $5 # net-tools: no on-link
    next
}
fmt == "eni" { if ($1 == "dns-nameservers") for (i = 2; i <= NF; i++) dns = dns " " $i }

END {
    if (fmt == "networkd") route_end()
    if (fmt == "ifcfg") {
        if (ip != "") addr = ip "/" plen
        for (i = 1; i <= ndns; i++) if (i in ifdns) dns = dns " " ifdns[i]
        if (dns == "") dns = resolv
    }
    print "mac " (mac == "" ? "n/a" : tolower(mac))
    print "addr " (addr == "" ? "none" : addr)
    if (gw == "") print "gw none"
    else if (insubnet(gw, addr)) print "gw " gw
    else if (onlink || (gw in device_route) || ((gw "/32") in device_route)) print "gw " gw " on-link"
    else print "gw " gw " unreachable: outside " addr " and not on-link"
    print "dns" (dns == "" ? " none" : dns)
}
