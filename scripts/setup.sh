#!/usr/bin/env bash
# Idempotent set-up: .venv with xlmplan[test] and (unless --no-libreoffice) LibreOffice.
#   bash scripts/setup.sh                  # venv + LibreOffice, python3-uno, poppler-utils
#   bash scripts/setup.sh --no-libreoffice # venv only (enough for the demo)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

with_libreoffice=1
for arg in "$@"; do
  case "$arg" in
    --no-libreoffice) with_libreoffice=0 ;;
    -h | --help)
      sed -n '2,4p' "$0"
      exit 0
      ;;
    *)
      echo "setup.sh: unknown option $arg (use --no-libreoffice)" >&2
      exit 2
      ;;
  esac
done

log() { printf '[setup] %s\n' "$*" >&2; }

# --- Python venv ------------------------------------------------------------
find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  python="$(find_python)" || {
    echo "setup.sh: Python >= 3.11 is required (set PYTHON=/path/to/python3.11)" >&2
    exit 1
  }
  log "creating .venv with $python"
  "$python" -m venv .venv
fi

stamp=.venv/.xlmplan-install-stamp
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] ||
  ! .venv/bin/python -c 'import xlmplan' 2>/dev/null; then
  log "installing xlmplan[test] into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
  echo "$want" >"$stamp"
fi

# --- LibreOffice (recalculation tests, pictures) ------------------------------
[ "$with_libreoffice" = 1 ] || exit 0

have_soffice() {
  command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1 ||
    [ -x /usr/lib/libreoffice/program/soffice ]
}
have_uno() { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import uno' >/dev/null 2>&1; }
have_pdftoppm() { command -v pdftoppm >/dev/null 2>&1; }

if have_soffice && have_uno && have_pdftoppm; then
  exit 0
fi

packages=(libreoffice-calc-nogui python3-uno poppler-utils fonts-dejavu-core)
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup.sh: LibreOffice is missing and apt-get is unavailable;" \
    "install ${packages[*]} (or equivalents) by hand" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "setup.sh: need root or sudo to install ${packages[*]}" >&2
    exit 1
  fi
fi
log "installing ${packages[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
${sudo[@]+"${sudo[@]}"} apt-get update -qq
${sudo[@]+"${sudo[@]}"} apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

have_soffice && have_uno && have_pdftoppm || {
  echo "setup.sh: LibreOffice installation did not provide soffice, python3-uno and pdftoppm" >&2
  exit 1
}
