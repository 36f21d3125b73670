#!/usr/bin/env bash
# Mutation testing of the pure core against its answer keys (`pytest -m core`).
#   bash scripts/mutation.sh            # run (or resume) mutmut, then print the score
#   bash scripts/mutation.sh --children N   # parallel workers (default 1: a shared machine)
# The modules mutated and the test selection are in pyproject.toml, [tool.mutmut]; mutmut
# copies the project into mutants/ (git-ignored). Not run by CI: it takes tens of minutes.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

children=1
while [ $# -gt 0 ]; do
  case "$1" in
    --children) children="$2"; shift 2 ;;
    -h | --help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "mutation.sh: unknown option $1 (use --children N)" >&2; exit 2 ;;
  esac
done

python=.venv/bin/python
[ -x "$python" ] || { echo "mutation.sh: run scripts/setup.sh first" >&2; exit 1; }

start=$(date +%s)
"$python" -m mutmut run --max-children "$children" || true
elapsed=$(( $(date +%s) - start ))

"$python" - "$elapsed" <<'PY'
import json
import subprocess
import sys
from collections import Counter

out = subprocess.run(
    [sys.executable, "-m", "mutmut", "export-cicd-stats"], capture_output=True, text=True
)
stats = json.load(open("mutants/mutmut-cicd-stats.json")) if out.returncode == 0 else None
if stats is None:
    results = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        capture_output=True, text=True, check=True,
    ).stdout
    counts = Counter(line.rsplit(":", 1)[-1].strip() for line in results.splitlines() if ":" in line)
    print(dict(counts))
else:
    killed = stats["killed"]
    total = stats["total"] - stats.get("skipped", 0) - stats.get("not_checked", 0)
    print(json.dumps(stats))
    print(f"killed {killed} of {total} mutants: {100 * killed / max(total, 1):.1f} %")
print(f"run time {int(sys.argv[1])} s")
PY
