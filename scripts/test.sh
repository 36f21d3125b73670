#!/usr/bin/env bash
# Set up (venv + LibreOffice) and run the test suite: bash scripts/test.sh [pytest args]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

status=0
.venv/bin/python -m pytest -q "$@" || status=$?
if [ "$status" = 5 ]; then
  echo "test.sh: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
