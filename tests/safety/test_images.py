"""Upload and output filters.

Faces: scikit-image ships real photographs (astronaut, cameraman) that we load at test time rather than
commit. Nudity: we cannot make a real explicit positive without outside data, so the NSFW path is
tested with a detector stub that returns NudeNet-shaped detections, plus the real model on clean images.
"""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from safety import images, load_policy
from safety.images import Detection


@pytest.fixture(scope="module")
def policy():
    return load_policy(None)


def scene(size=256) -> Image.Image:
    """A plain 'generated' landscape: sky gradient, sun, hills, a house."""
    y = np.linspace(0, 1, size)[:, None]
    sky = np.stack([90 + 100 * y, 150 + 80 * y, 230 - 30 * y], -1) * np.ones((1, size, 1))
    im = Image.fromarray(sky.astype(np.uint8))
    d = ImageDraw.Draw(im)
    d.ellipse([size * 0.7, size * 0.1, size * 0.85, size * 0.25], fill=(255, 220, 80))
    d.polygon([(0, size), (0, size * 0.6), (size * 0.4, size * 0.5), (size, size * 0.7), (size, size)], fill=(60, 140, 60))
    d.rectangle([size * 0.3, size * 0.55, size * 0.45, size * 0.7], fill=(150, 80, 50))
    d.polygon([(size * 0.28, size * 0.55), (size * 0.375, size * 0.45), (size * 0.47, size * 0.55)], fill=(120, 30, 30))
    return im


def astronaut() -> Image.Image:
    data = pytest.importorskip("skimage.data")
    return Image.fromarray(data.astronaut())


def test_plain_scene_is_allowed_at_upload_and_output(policy):
    im = scene()
    assert policy.check_upload(im).allowed
    assert policy.check_outputs([im])[0].allowed
    # The real NudeNet model sees nothing exposed in it.
    labels = {d.label for d in images.detect_all([im])[0] if d.score >= 0.5}
    assert not labels & policy.nsfw_classes


def test_realistic_face_upload_is_refused(policy):
    d = policy.check_upload(astronaut())
    assert (d.allowed, d.check, d.category) == (False, "face", "public-figures")
    assert d.detail in ("FACE_FEMALE", "FACE_MALE")


def test_face_check_is_off_for_outputs_by_default(policy):
    assert policy.check_outputs([astronaut()])[0].allowed


def test_face_refusal_can_be_switched_off(tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("checks:\n  upload: {face: false}\n")
    assert load_policy(p).check_upload(astronaut()).allowed


def test_lbp_face_detector_option(tmp_path):
    pytest.importorskip("skimage")
    p = tmp_path / "p.yaml"
    p.write_text("face: {detector: lbp}\n")
    pol = load_policy(p)
    assert pol.check_upload(astronaut()).check == "face"
    assert pol.check_upload(scene(512)).allowed


def fake_detector(detections):
    return lambda batch: [detections for _ in batch]


def test_nsfw_detection_blocks_upload_and_output(policy, monkeypatch):
    monkeypatch.setattr(images, "detect_all", fake_detector([Detection("FEMALE_BREAST_EXPOSED", 0.83, (10, 10, 40, 40))]))
    for check in (policy.check_upload, lambda image: policy.check_outputs([image])[0]):
        d = check(scene())
        assert (d.allowed, d.category, d.check, d.detail) == (False, "sexual", "nsfw", "FEMALE_BREAST_EXPOSED")
        assert d.score == pytest.approx(0.83)


def test_nsfw_threshold_and_covered_labels(policy, monkeypatch):
    monkeypatch.setattr(
        images,
        "detect_all",
        fake_detector([Detection("BUTTOCKS_EXPOSED", 0.3, (0, 0, 20, 20)), Detection("FEMALE_BREAST_COVERED", 0.9, (0, 0, 20, 20))]),
    )
    # Below threshold, or a covered label: allowed (the coffee photo in scikit-image scores 0.3 here).
    assert policy.check_outputs([scene()])[0].allowed


def test_allowing_sexual_category_allows_nsfw_images(tmp_path, monkeypatch):
    monkeypatch.setattr(images, "detect_all", fake_detector([Detection("MALE_GENITALIA_EXPOSED", 0.9, (0, 0, 20, 20))]))
    p = tmp_path / "p.yaml"
    p.write_text("categories:\n  sexual: {action: allow}\n")
    assert load_policy(p).check_outputs([scene()])[0].allowed


def test_small_faces_below_min_size_are_ignored(policy, monkeypatch):
    monkeypatch.setattr(images, "detect_all", fake_detector([Detection("FACE_MALE", 0.9, (5, 5, 8, 8))]))
    assert policy.check_upload(scene(256)).allowed
    monkeypatch.setattr(images, "detect_all", fake_detector([Detection("FACE_MALE", 0.9, (5, 5, 80, 80))]))
    assert policy.check_upload(scene(256)).check == "face"


def test_rgba_upload_with_transparent_hole_is_composited():
    im = scene().convert("RGBA")
    im.putalpha(Image.new("L", im.size, 0))  # fully transparent, as an edit's mask area
    arr = images.to_rgba_array(im)
    assert arr.shape == (256, 256, 4) and arr.flags["C_CONTIGUOUS"]
    assert (arr[..., :3] == 255).all()  # transparent pixels read as white, not as hidden content


@pytest.mark.parametrize("mode", ["RGB", "L", "P", "CMYK", "RGBA", "LA"])
def test_images_without_transparency_skip_compositing_and_read_the_same(mode):
    """Every model output is opaque: composited on white it would come out the same, at 4x the time (1024x1024)."""
    im = Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)).convert(mode)
    white = Image.new("RGBA", im.size, (255, 255, 255, 255))
    assert (images.to_rgba_array(im) == np.asarray(Image.alpha_composite(white, im.convert("RGBA")))).all()


@pytest.mark.parametrize("name, refused", [("camera", True), ("coffee", False), ("chelsea", False), ("rocket", False)])
def test_real_photographs(policy, name, refused):
    """Photographs that ship with scikit-image: a man with a camera; a coffee cup, a cat, a rocket."""
    data = pytest.importorskip("skimage.data")
    d = policy.check_upload(Image.fromarray(getattr(data, name)()))
    assert (not d.allowed) == refused
    if refused:
        assert d.check == "face"


@pytest.mark.parametrize("name", ["astronaut", "camera", "coffee", "chelsea"])
def test_detect_matches_nudenets_own_detect(name):
    """safety.images vectorises NudeNet's post-processing; it must find exactly what NudeNet finds."""
    data = pytest.importorskip("skimage.data")
    photo = Image.fromarray(getattr(data, name)())
    (ours,) = images.detect_all([photo])
    theirs = images.get_nudenet().detect(images.to_rgba_array(photo))
    assert [(d.label, round(d.score, 5), d.box) for d in ours] == [
        (d["class"], round(d["score"], 5), tuple(d["box"])) for d in theirs
    ]
    assert name not in ("astronaut", "camera") or ours  # faces found: the comparison is not of two empty lists


def test_a_batch_finds_what_each_image_finds_alone():
    """The worker checks a job's outputs in one detector run; batching must not change what is found."""
    data = pytest.importorskip("skimage.data")
    photos = [Image.fromarray(getattr(data, name)()) for name in ("astronaut", "coffee", "camera")] + [scene(256)]
    alone = [images.detect_all([photo])[0] for photo in photos]
    together = images.detect_all(photos)
    assert sum(map(len, alone)) >= 2  # faces in two of them: not a comparison of empty lists
    assert len(together) == len(alone)
    for ours, theirs in zip(together, alone):
        assert [d.label for d in ours] == [d.label for d in theirs]
        for a, b in zip(ours, theirs):
            assert a.score == pytest.approx(b.score, abs=1e-3)
            assert np.allclose(a.box, b.box, atol=1)
