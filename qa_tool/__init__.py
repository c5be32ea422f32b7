"""qa_tool: an editorial toolkit for a library of patient-facing medical answers.

Importing this package is cheap on purpose: ``qa --version`` must not pull in
Rich, ruamel.yaml or jsonschema.
"""

__version__ = "0.1.0"
