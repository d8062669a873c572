"""Which model names this project can serve, and how each is loaded from local files."""

from __future__ import annotations

import threading
from typing import Callable

from core.config import Settings
from models.backend import Backend

# Names a client may send as `model`; "dall-e-2" is resolved to the deployment's default before this point.
KNOWN_MODELS = ("unclip", "kandinsky-2.2")


def resolve_device(setting: str) -> str:
    import torch

    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return setting


def load_backend(name: str, settings: Settings) -> Backend:
    device = resolve_device(settings.device)
    if name == "unclip":
        from models.unclip import UnclipBackend

        return UnclipBackend.from_pretrained(settings.unclip_path, device=device)
    if name == "kandinsky-2.2":
        from models.kandinsky import KandinskyBackend

        if settings.kandinsky_path is None:
            raise ValueError("EASEL_KANDINSKY_PATH must point at a local Kandinsky 2.2 folder")
        return KandinskyBackend.from_pretrained(settings.kandinsky_path, device=device)
    raise ValueError(f"unknown model {name!r}; known: {', '.join(KNOWN_MODELS)}")


class BackendPool:
    """One loaded model per name, per process; loading is slow, so it happens once."""

    def __init__(self, loader: Callable[[str], Backend]):
        self._loader = loader
        self._backends: dict[str, Backend] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> Backend:
        with self._lock:
            if name not in self._backends:
                self._backends[name] = self._loader(name)
            return self._backends[name]
