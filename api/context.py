"""What a request handler needs, built once per app in the lifespan by the process's assembly (easel/assembly.py)."""

from __future__ import annotations

from dataclasses import dataclass

from core.config import Settings
from core.service import JobService
from core.services import Services


@dataclass
class AppContext:
    services: Services
    jobs: JobService

    @property
    def settings(self) -> Settings:
        return self.services.settings
