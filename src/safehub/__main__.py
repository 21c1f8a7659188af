"""`python -m safehub …`: the `safehub` command, for a checkout without the script installed."""

from safehub.cli import main

main()
