"""KandinskyBackend against a tiny random-weight Kandinsky 2.2 written to disk and loaded the production way."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image

from models.backend import Backend, BackendRequest, JobCancelled, binarize_mask
from models.kandinsky import KandinskyBackend
from tests.models.tiny_kandinsky import build_tiny_kandinsky

SIZE = 64
STEPS = 3  # per stage


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return build_tiny_kandinsky(tmp_path_factory.mktemp("kandinsky"))


@pytest.fixture(scope="module")
def backend(model_dir):
    return KandinskyBackend.from_pretrained(model_dir, device="cpu")


@pytest.fixture(scope="module")
def photo():
    rng = np.random.RandomState(0)
    return Image.fromarray(rng.randint(0, 256, (SIZE, SIZE, 3), dtype=np.uint8), "RGB")


def arr(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


def test_loaded_backend_follows_the_protocol(backend):
    assert isinstance(backend, Backend)
    assert backend.name == "kandinsky-2.2"
    # The inpaint decoder shares the decoder's MoVQ rather than holding a second copy.
    assert backend.inpaint.movq is backend.decoder.movq


def test_generate_returns_n_distinct_images_of_the_requested_size(backend):
    images = backend.generate(BackendRequest(prompt="a horse", n=2, size=SIZE, seed=1, steps=STEPS))
    assert len(images) == 2
    assert all(im.mode == "RGB" and im.size == (SIZE, SIZE) for im in images)
    assert np.abs(arr(images[0]) - arr(images[1])).mean() > 1


def test_generate_resizes_when_the_decoder_rounds_the_size(backend):
    # 72 is not a multiple of the tiny decoder's 16 px latent grid: diffusers rounds up to 80.
    images = backend.generate(BackendRequest(prompt="a horse", n=1, size=72, seed=1, steps=2))
    assert [im.size for im in images] == [(72, 72)]


def test_same_seed_reproduces_and_other_seed_differs(backend):
    a = backend.generate(BackendRequest(prompt="a cat", n=2, size=SIZE, seed=7, steps=STEPS))
    b = backend.generate(BackendRequest(prompt="a cat", n=2, size=SIZE, seed=7, steps=STEPS))
    c = backend.generate(BackendRequest(prompt="a cat", n=2, size=SIZE, seed=8, steps=STEPS))
    for x, y in zip(a, b):
        assert np.array_equal(arr(x), arr(y))
    assert np.abs(arr(a[0]) - arr(c[0])).mean() > 1


def test_guidance_override_changes_the_result(backend):
    plain = backend.generate(BackendRequest(prompt="a cat", n=1, size=SIZE, seed=3, steps=STEPS, guidance_scale=1.0))
    guided = backend.generate(BackendRequest(prompt="a cat", n=1, size=SIZE, seed=3, steps=STEPS, guidance_scale=8.0))
    assert not np.array_equal(arr(plain[0]), arr(guided[0]))


def test_edit_keeps_unmasked_pixels_exactly(backend, photo):
    mask = np.zeros((SIZE, SIZE), np.float32)
    mask[16:48, 16:48] = 1.0
    before = mask.copy()
    images = backend.edit(BackendRequest(image=photo, mask=mask, prompt="a cat", n=2, size=SIZE, seed=5, steps=STEPS))
    assert len(images) == 2 and all(im.size == (SIZE, SIZE) and im.mode == "RGB" for im in images)
    keep = mask == 0
    for im in images:
        assert np.array_equal(arr(im)[keep], arr(photo)[keep])
        # ... and the masked square was actually repainted.
        assert np.abs(arr(im)[~keep] - arr(photo)[~keep]).mean() > 5
    assert np.array_equal(mask, before)  # the caller's mask is not binarised in place
    again = backend.edit(BackendRequest(image=photo, mask=mask, prompt="a cat", n=2, size=SIZE, seed=5, steps=STEPS))
    assert np.array_equal(arr(images[0]), arr(again[0]))


def test_mask_convention_matches_the_installed_inpaint_pipeline():
    # diffusers flipped Kandinsky's inpaint mask in 0.19; check ours against the installed version's own
    # preprocessing: internally it holds 1 = keep, which must be exactly where our mask says 0.
    from diffusers.pipelines.kandinsky2_2.pipeline_kandinsky2_2_inpainting import prepare_mask_and_masked_image

    mask = np.zeros((SIZE, SIZE), np.float32)
    mask[:, SIZE // 2 :] = 1.0
    image = Image.new("RGB", (SIZE, SIZE))
    internal, _ = prepare_mask_and_masked_image([image], [binarize_mask(mask)], SIZE, SIZE)
    assert np.array_equal(internal.numpy()[0, 0], 1.0 - mask)


def test_vary_returns_n_images_that_depend_on_the_input(backend, photo):
    images = backend.vary(BackendRequest(image=photo, n=3, size=SIZE, seed=2, steps=STEPS))
    assert len(images) == 3 and all(im.size == (SIZE, SIZE) and im.mode == "RGB" for im in images)
    again = backend.vary(BackendRequest(image=photo, n=3, size=SIZE, seed=2, steps=STEPS))
    assert np.array_equal(arr(images[2]), arr(again[2]))
    other = backend.vary(BackendRequest(image=Image.new("RGB", (SIZE, SIZE), (250, 10, 10)), n=3, size=SIZE, seed=2, steps=STEPS))
    assert not np.array_equal(arr(images[0]), arr(other[0]))


@pytest.mark.parametrize("call", ["generate", "edit", "vary"])
def test_progress_counts_every_step_of_every_stage(backend, photo, call):
    calls = []
    progress = lambda step, total: calls.append((step, total))  # noqa: E731
    mask = np.ones((SIZE, SIZE), np.float32)
    if call == "generate":
        backend.generate(BackendRequest(prompt="a horse", n=1, size=SIZE, seed=0, steps=STEPS, progress=progress))
        total = 2 * STEPS  # prior + decoder
    elif call == "edit":
        backend.edit(BackendRequest(image=photo, mask=mask, prompt="a horse", n=1, size=SIZE, seed=0, steps=STEPS, progress=progress))
        total = 2 * STEPS
    else:
        backend.vary(BackendRequest(image=photo, n=1, size=SIZE, seed=0, steps=STEPS, progress=progress))
        total = STEPS  # decoder only
    assert calls == [(step, total) for step in range(1, total + 1)]


@pytest.mark.parametrize("stop_at", [2, STEPS + 1])  # inside the prior, inside the decoder
def test_raising_from_progress_stops_sampling(backend, stop_at):
    seen = []

    def progress(step, total):
        seen.append(step)
        if step == stop_at:
            raise JobCancelled()

    with pytest.raises(JobCancelled):
        backend.generate(BackendRequest(prompt="a horse", n=2, size=SIZE, seed=0, steps=STEPS, progress=progress))
    assert seen == list(range(1, stop_at + 1))
    # The backend is still usable after a cancelled job.
    assert len(backend.generate(BackendRequest(prompt="a horse", n=1, size=SIZE, seed=0, steps=1))) == 1


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        KandinskyBackend.from_pretrained(tmp_path / "nowhere", device="cpu")


def test_missing_subfolder_is_named(model_dir, tmp_path):
    partial = tmp_path / "partial"
    shutil.copytree(model_dir / "prior", partial / "prior")
    shutil.copytree(model_dir / "decoder", partial / "decoder")
    with pytest.raises(FileNotFoundError, match="inpaint/model_index.json"):
        KandinskyBackend.from_pretrained(partial, device="cpu")


def test_inpaint_folder_may_omit_its_movq(model_dir, tmp_path):
    slim = tmp_path / "slim"
    shutil.copytree(model_dir, slim)
    shutil.rmtree(slim / "inpaint" / "movq")
    backend = KandinskyBackend.from_pretrained(slim, device="cpu")
    mask = np.ones((SIZE, SIZE), np.float32)
    photo = Image.new("RGB", (SIZE, SIZE), (0, 128, 255))
    assert len(backend.edit(BackendRequest(image=photo, mask=mask, prompt="a cat", n=1, size=SIZE, seed=0, steps=1))) == 1


def test_one_step_still_runs_the_prior_with_two(backend):
    # UnCLIPScheduler cannot schedule a single step; the backend gives the prior 2 and says so in `total`.
    calls = []
    images = backend.generate(BackendRequest(prompt="a cat", n=1, size=SIZE, seed=0, steps=1, progress=lambda s, t: calls.append((s, t))))
    assert len(images) == 1
    assert calls == [(1, 3), (2, 3), (3, 3)]
