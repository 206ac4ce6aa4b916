#!/usr/bin/env bash
# Installs the tools some tests need beyond the JDK and Maven:
#   tshark         checks the pcap captures of the simulated wire (drivers module)
#   iperf (2)      the TAP peer's iperf_server and iperf_client services (domains, nemesis.linux)
#   nc (OpenBSD)   netcat, for poking at a TAP peer by hand
#   ping (iputils) the TAP peer's ping service
#   ip (iproute2)  network namespaces and the TAP device of a TAP peer
#   ethtool        inspecting the TAP device (offloads)
# Idempotent, quiet and non-interactive: installs only what is missing; installing needs root (run
# as root, or with passwordless sudo). Tests that need a missing tool are skipped with a message
# naming this script, so the build still passes without it.
set -euo pipefail

say() { printf 'install-test-tools: %s\n' "$*"; }

# Whether command $1 is installed and what "$@" prints contains $2 (case-insensitive). The output is
# captured first: iperf -v exits 1, and grep -q closing a pipe early would fail under pipefail.
says() {
  local want="$1"; shift
  command -v "$1" >/dev/null 2>&1 || return 1
  local out
  out="$("$@" 2>&1 || true)"
  [[ "${out,,}" == *"${want,,}"* ]]
}
have_tshark() { command -v tshark >/dev/null 2>&1; }
have_iperf() { says 'iperf version 2' iperf -v; }
have_nc() { says 'openbsd' nc -h; }
have_ping() { says 'iputils' ping -V; }
have_ip() { says 'iproute2' ip -V; }
have_ethtool() { command -v ethtool >/dev/null 2>&1; }

missing=()
have_tshark || missing+=(tshark)
have_iperf || missing+=(iperf)
have_nc || missing+=(netcat-openbsd)
have_ping || missing+=(iputils-ping)
have_ip || missing+=(iproute2)
have_ethtool || missing+=(ethtool)

if [ ${#missing[@]} -eq 0 ]; then
  say "all installed: tshark, iperf 2, nc (OpenBSD), ping (iputils), ip (iproute2), ethtool"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    say "missing: ${missing[*]}; installing them needs root: run this script as root" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  say "missing: ${missing[*]}, and this is not a Debian/Ubuntu system: install them with your package manager" >&2
  exit 1
fi

if [[ " ${missing[*]} " == *" tshark "* ]]; then
  # wireshark-common asks whether non-root users may capture packets; we only read files: answer no.
  say "preseeding debconf: wireshark-common/install-setuid = false (no capture rights for non-root users)"
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
fi
say "apt-get update"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
say "apt-get install ${missing[*]}"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 \
  "${missing[@]}" >/dev/null

still=()
have_tshark || still+=(tshark)
have_iperf || still+=("iperf (version 2)")
have_nc || still+=("nc (OpenBSD)")
have_ping || still+=("ping (iputils)")
have_ip || still+=("ip (iproute2)")
have_ethtool || still+=(ethtool)
if [ ${#still[@]} -gt 0 ]; then
  say "still missing after installing: ${still[*]}" >&2
  exit 1
fi
say "installed: ${missing[*]}"
