"""Texts set aside in an unnamed temporary file in ``.qa/`` until they are read back.

A cold run over a whole library makes a text per answer (a reading measure) that is
needed only later, once: holding 100,000 of them in memory is 100 MB. :class:`Spill`
writes each to a file that has no name (gone when it is closed, or when the process
ends) and hands back a handle to read it with. Where no such file can be made
(``.qa`` cannot be created, a read-only library, no ``os.pwrite``) or a write fails
(a full disk), the handle is the text itself, so nothing is lost either way. Example::

    spill = Spill(config)
    handle = spill.put(text)
    ...
    assert spill.get(handle) == text
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from qa_tool.config import Config

Handle = int | str
"""Where a text is: its offset in the file, or the text itself (kept in memory)."""

_LENGTH = 4  # bytes of the length before each text


class Spill:
    """Texts by handle; the file is made on the first :meth:`put`."""

    def __init__(self, config: Config):
        self.config = config
        self._fd: int | None = None
        self._file: Any = None  # the temporary file; False: none could be made
        self._end = 0

    def _opened(self) -> int | None:
        if self._file is None:
            self._file = False
            if hasattr(os, "pwrite") and self.config.state_dir.parent.is_dir():
                import tempfile

                from qa_tool.config import ensure_state_dir

                with contextlib.suppress(OSError):
                    state = ensure_state_dir(self.config)
                    self._file = tempfile.TemporaryFile(dir=state, buffering=0)  # noqa: SIM115
                    self._fd = self._file.fileno()
        return self._fd if self._file else None

    def put(self, text: str) -> Handle:
        """Set ``text`` aside; the handle :meth:`get` takes."""
        fd = self._opened()
        if fd is None:
            return text
        data = text.encode("utf-8", "surrogatepass")
        record = len(data).to_bytes(_LENGTH, "little") + data
        try:
            written = os.pwrite(fd, record, self._end)
        except OSError:
            written = -1
        if written != len(record):
            return text  # a full disk: this one stays in memory (later ones try again)
        at, self._end = self._end, self._end + written
        return at

    def get(self, handle: Handle) -> str:
        """The text put under ``handle``."""
        if isinstance(handle, str):
            return handle
        assert self._fd is not None
        size = int.from_bytes(os.pread(self._fd, _LENGTH, handle), "little")
        return os.pread(self._fd, size, handle + _LENGTH).decode("utf-8", "surrogatepass")

    def close(self) -> None:
        if self._file:
            with contextlib.suppress(OSError):
                self._file.close()
        self._file = False
        self._fd = None
