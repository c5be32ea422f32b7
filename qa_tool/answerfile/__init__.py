"""Reading and writing answer files: the one home of front-matter I/O.

- `qa_tool.answerfile.read`: the full reader (bounded, line-numbered YAML, every
  check), and the fast readers listings use (the summary cut, the title block),
  which the property tests show equal to the full reader wherever they answer;
  its bounded YAML loader is `qa_tool.answerfile.yamlload`, imported on the first
  parse, so a listing the cache answers never loads PyYAML.
- `qa_tool.answerfile.write`: the one quoting rule and the emitters every
  writer uses (`qa new`, `qa convert`, the front matter of a bundle).
- `qa_tool.answerfile.edit`: the ruamel.yaml round trip that changes named
  fields of an existing file and keeps every other byte (`qa review`,
  `qa publish`, `qa refs import`).

Importing the package imports none of them: each command loads only what it
uses (ruamel.yaml only for an edit).
"""
