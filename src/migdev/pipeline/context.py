"""What a build carries from step to step, and where it reports: the :class:`Context` and the reporters."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from migdev.config import Settings
from migdev.sources.spec import Source


class Reporter(Protocol):
    """Where a build says what it is doing (the CLI draws it; tests collect it)."""

    def step(self, name: str, total: int) -> None: ...
    def advance(self, detail: str = "") -> None: ...
    def log(self, level: str, message: str) -> None: ...


class QuietReporter:
    """A reporter that only keeps the log lines."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def step(self, name: str, total: int) -> None:
        pass

    def advance(self, detail: str = "") -> None:
        pass

    def log(self, level: str, message: str) -> None:
        self.lines.append((level, message))


@dataclass
class Context:
    """The state of one build: its inputs, what each step produced, and the log every step writes to."""

    settings: Settings
    target: Path
    staging: Path
    reporter: Reporter
    sources: dict[str, Source]
    options: dict[str, Any] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    places: Any = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    con: Any = None
    rows: dict[str, int] = field(default_factory=dict)
    log: list[tuple[str, str, str]] = field(default_factory=list)
    unmatched: list[pd.DataFrame] = field(default_factory=list)
    current: str = ""

    def say(self, level: str, message: str) -> None:
        self.log.append((self.current, level, message))
        self.reporter.log(level, message)
