#!/usr/bin/env bash
# Installs the Debian packages LlamaF needs, only those missing; silent when
# everything is present. Called by `make run`; `make test` calls it with
# --test, which adds what only tests need (pdflatex for the table.tex test).
set -euo pipefail

packages=(build-essential clang cmake ccache pkg-config verilator libsystemc-dev libfmt-dev
          catch2 nlohmann-json3-dev libcli11-dev yosys opensta gnuplot-nox zlib1g-dev python3)
if [ "${1:-}" = "--test" ]; then
  packages+=(texlive-latex-base texlive-latex-recommended)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "deps: error: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
