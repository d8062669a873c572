"""Fixtures for the unCLIP tests: tiny seeded components saved and loaded through the real code paths."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def tiny_unclip_dir(tmp_path_factory):
    """A tiny, randomly initialised (seeded) unCLIP model written with save_pretrained."""
    import torch

    from models.unclip import modeling as M
    from models.unclip.pipeline import UnclipPipeline
    from models.unclip.text_encoder import FrozenTextEncoder
    from models.unclip.train import sampling_schedulers

    torch.manual_seed(0)
    schedulers = sampling_schedulers()
    pipe = UnclipPipeline(
        text_encoder=FrozenTextEncoder(),
        image_encoder=M.make_image_encoder(tiny=True),
        prior=M.make_prior(tiny=True),
        decoder=M.make_decoder(tiny=True),
        upsampler=M.make_upsampler(tiny=True),
        prior_scheduler=schedulers["prior_scheduler"],
        decoder_scheduler=schedulers["decoder_scheduler"],
        config={"version": "test", "defaults": {"prior_steps": 3, "decoder_steps": 4}},
    )
    path = tmp_path_factory.mktemp("tiny-unclip")
    pipe.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def tiny_backend(tiny_unclip_dir):
    from models.unclip import UnclipBackend

    return UnclipBackend.from_pretrained(tiny_unclip_dir, threads=1)
