#!/usr/bin/env bash
# Generate (or regenerate) the demo workbook: bash scripts/demo.sh [output-dir]   (default: demo)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh --no-libreoffice
exec .venv/bin/xlmplan demo "${1:-demo}" --force
