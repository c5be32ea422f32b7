"""``python -m qa_tool``: the same as the ``qa`` command."""

from qa_tool.cli import main

main()
