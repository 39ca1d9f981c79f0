"""Import progress: a rich bar on a terminal, otherwise one plain line per interval."""

from __future__ import annotations

import asyncio
from typing import Any

from ._common import Output
from ._importer import Importer


class Reporter:
    """Plain lines are never wrapped, whatever the width, so logs stay greppable."""

    def __init__(self, importer: Importer, total: int, out: Output, interval: float) -> None:
        self.importer, self.stats, self.out, self.interval = importer, importer.stats, out, interval
        self.progress: Any = None
        from rich.console import Console

        console = Console()
        if console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.progress = Progress(
                TextColumn("[bold]import"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} rows/s, {task.fields[bad]} rejected/failed"),
                TimeRemainingColumn(),
                console=console,
            )
            self.task = self.progress.add_task("import", total=total or None, rate="0", bad=0)

    def update(self) -> None:
        if self.progress is not None:
            bad = self.stats.rejected + self.stats.failed
            self.progress.update(
                self.task, completed=self.stats.done, rate=f"{self.stats.rate():.0f}", bad=bad
            )

    async def run(self) -> None:
        while True:
            if self.progress is not None:
                self.update()
                await asyncio.sleep(0.2)
                continue
            await asyncio.sleep(self.interval)
            if not self.out.line(f"progress: {self.stats.line()}"):
                self.importer.stdout_closed()
                return

    def __enter__(self) -> Reporter:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.update()
            self.progress.stop()
