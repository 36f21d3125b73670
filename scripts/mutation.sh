#!/usr/bin/env bash
# Mutation testing of the pure core against its answer keys (`pytest -m core`).
#   bash scripts/mutation.sh                      # run (or resume) mutmut, then print the scores
#   bash scripts/mutation.sh --children N         # parallel workers (default 1: a shared machine)
#   bash scripts/mutation.sh --modules periods,allocator   # only these core modules' mutants
#   bash scripts/mutation.sh --survivors          # re-test only the survivors of earlier runs
# The modules mutated and the test selection are in pyproject.toml, [tool.mutmut]; mutmut
# copies the project into mutants/ (git-ignored). Not run by CI: it takes tens of minutes.
# The score is printed per module: detected / checked, where detected counts the mutants a test
# failed on, timed out on or that mypy's pre-filter caught, and checked adds the survivors and
# the mutants no answer key calls ("no tests"); skipped and unchecked ones are left out.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

children=1
modules=""
survivors=0
while [ $# -gt 0 ]; do
  case "$1" in
    --children) children="$2"; shift 2 ;;
    --modules) modules="$2"; shift 2 ;;
    --survivors) survivors=1; shift ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "mutation.sh: unknown option $1 (use --children N, --modules a,b, --survivors)" >&2
       exit 2 ;;
  esac
done

python=.venv/bin/python
[ -x "$python" ] || { echo "mutation.sh: run scripts/setup.sh first" >&2; exit 1; }

patterns=()
if [ -n "$modules" ]; then
  IFS=, read -r -a names <<< "$modules"
  for name in "${names[@]}"; do
    [ -f "xlmplan/core/$name.py" ] || { echo "mutation.sh: no module xlmplan/core/$name.py" >&2; exit 2; }
    patterns+=("xlmplan.core.$name.*")
  done
fi

if [ "$survivors" = 1 ]; then
  # mutmut keeps a mutant's verdict until its function changes, so new keys only reach the
  # survivors when they are named explicitly
  filter=(-e "xlmplan.core.")
  if [ ${#patterns[@]} -gt 0 ]; then
    filter=()
    for p in "${patterns[@]}"; do filter+=(-e "${p%\*}"); done
  fi
  mapfile -t patterns < <("$python" -m mutmut results 2>/dev/null | tr -d ' :' |
    sed -n 's/survived$//p' | grep -F "${filter[@]}" || true)
  [ ${#patterns[@]} -gt 0 ] || { echo "mutation.sh: no survivors to re-test"; exit 0; }
fi

start=$(date +%s)
"$python" -m mutmut run --max-children "$children" "${patterns[@]}" || true
elapsed=$(( $(date +%s) - start ))

"$python" - "$elapsed" "$modules" <<'PY'
import subprocess
import sys
from collections import Counter, defaultdict

results = subprocess.run(
    [sys.executable, "-m", "mutmut", "results", "--all", "true"],
    capture_output=True, text=True, check=True,
).stdout
wanted = [m for m in sys.argv[2].split(",") if m]
by_module: dict[str, Counter[str]] = defaultdict(Counter)
for line in results.splitlines():
    if ":" not in line:
        continue
    name, status = (part.strip() for part in line.rsplit(":", 1))
    module = name.split(".")[2] if name.startswith("xlmplan.core.") else "?"
    if not wanted or module in wanted:
        by_module[module][status] += 1

DETECTED = ("killed", "timeout", "caught by type check", "segfault")
MISSED = ("survived", "no tests", "suspicious")

def score(c: Counter[str]) -> tuple[int, int]:
    killed = sum(c[s] for s in DETECTED)
    return killed, killed + sum(c[s] for s in MISSED)

total = Counter[str]()
print(f"{'module':<14}{'killed':>8}{'of':>7}{'score':>9}   other")
for module in sorted(by_module):
    c = by_module[module]
    total.update(c)
    killed, n = score(c)
    other = {k: v for k, v in sorted(c.items()) if k != "killed"}
    print(f"{module:<14}{killed:>8}{n:>7}{100 * killed / max(n, 1):>8.1f}%   {other}")
killed, n = score(total)
print(f"{'all':<14}{killed:>8}{n:>7}{100 * killed / max(n, 1):>8.1f}%")
print(f"run time {int(sys.argv[1])} s")
PY
