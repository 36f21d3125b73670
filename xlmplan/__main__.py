"""``python -m xlmplan``."""

from xlmplan.cli import main

main()
