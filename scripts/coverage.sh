#!/usr/bin/env bash
# Branch coverage of the pure core by its answer keys alone (`pytest -m core`, no LibreOffice).
#   bash scripts/coverage.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

modules=(rules engine catalog data data_merge checks inputs periods target_path forecast response allocator)
include=$(printf 'xlmplan/core/%s.py,' "${modules[@]}")
.venv/bin/python -m pytest tests/core -m core -q -p no:cacheprovider \
  --cov=xlmplan/core --cov-branch --cov-report= "$@"
.venv/bin/python -m coverage report --include="${include%,}" --show-missing
