"""Build the training data offline into data/unclip/ (gitignored; never committed).

    HF_HUB_OFFLINE=1 python -m models.unclip.data                      # full recipe (~2 min on 2 CPU cores)
    HF_HUB_OFFLINE=1 python -m models.unclip.data --smoke --out /tmp/d # tiny set for tests

Two domains:
1. Scenes: procedurally drawn shapes with exact captions (see scenes.py). One- and two-shape scenes; the
   HELD_OUT colour/shape pairs never appear in any image.
2. Emoji artwork, the same concepts in three openly licensed sets, the set named as the style:
   - Noto Color Emoji (Debian `fonts-noto-color-emoji`, SIL Open Font License 1.1),
   - Twemoji (npm `@twemoji/svg`, graphics CC-BY 4.0, (c) Twitter/X and contributors),
   - OpenMoji (npm `openmoji`, CC BY-SA 4.0, names/keywords from its data/openmoji.csv).
   The sources are fetched with the ordinary clients (see `fetch_emoji_sources`), SVGs rasterised with
   rsvg-convert (Debian `librsvg2-bin`).

Output (all arrays uint8 images; text encodings precomputed with the frozen text encoder):
    data/unclip/train.npz   images_lo (N,32,32,3), caption ids, domain, plus embeds/tokens/token_mask per caption
    data/unclip/hires.npz   a subset at 256x256 for the upsampler
    data/unclip/meta.json   captions, recipe, emoji concept list (for evaluation)
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from models.unclip import scenes as S

DATA_VERSION = 4  # 2: more caption phrasings (scenes.py) and captions without a background; 3: 3x the two-shape scenes;
# 4: a share of the captions in casual phrasings (scenes.casual_*_caption)
LOW_RES = 32
HIGH_RES = 256
NOTO_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
EMOJI_GROUPS = ["smileys-emotion", "animals-nature", "food-drink", "travel-places", "activities", "objects"]
STYLES = ["noto", "twemoji", "openmoji"]
RECIPE = {
    "version": DATA_VERSION,
    "low_res": LOW_RES,
    "high_res": HIGH_RES,
    "single_scenes": 16000,
    "relation_scenes": 24000,
    "no_background": 0.12,  # fraction of scenes captioned without a background (drawn on S.no_background_for)
    "casual_captions": 0.3,  # fraction of scenes captioned by S.casual_single_caption / casual_relation_caption
    "emoji_concepts": 160,
    "emoji_captions_per_image": 6,
    "hires_scenes": 1500,
    "held_out": sorted(" ".join(p) for p in S.HELD_OUT),
    "seed": 0,
}
SMOKE_RECIPE = {**RECIPE, "single_scenes": 64, "relation_scenes": 32, "emoji_concepts": 0, "hires_scenes": 16}


# ------------------------------------------------------------------------------------------------ scenes
def build_scenes(recipe: dict, rng: random.Random):
    singles = [
        (c, s) for c in S.COLORS for s in S.SHAPES if (c, s) not in S.HELD_OUT
    ]
    images, captions = [], []
    casual = recipe.get("casual_captions", 0.0)
    for _ in range(recipe["single_scenes"]):
        color, shape = rng.choice(singles)
        size, position = rng.choice(list(S.SIZES)), rng.choice(S.POSITIONS)
        background = rng.choice([c for c in S.COLORS if c != color])
        named = rng.random() >= recipe.get("no_background", 0.0)
        if not named:
            background = S.no_background_for([color])
        cx, cy = S.position_center(position, size)
        # Small jitter so the model does not learn nine exact pixel positions only.
        cx, cy = cx + rng.uniform(-0.03, 0.03), cy + rng.uniform(-0.03, 0.03)
        images.append(S.render([S.Item(shape, color, cx, cy, S.SIZES[size])], background, HIGH_RES))
        caption = S.casual_single_caption if rng.random() < casual else S.single_caption
        captions.append(caption(color, shape, size, position, background if named else None, rng))
    for _ in range(recipe["relation_scenes"]):
        a = rng.choice(singles)
        b = rng.choice([p for p in singles if p != a])
        relation = rng.choice(S.RELATIONS)
        background = rng.choice([c for c in S.COLORS if c not in (a[0], b[0])])
        named = rng.random() >= recipe.get("no_background", 0.0)
        if not named:
            background = S.no_background_for([a[0], b[0]])
        images.append(S.render(S.relation_items(a, relation, b, rng), background, HIGH_RES))
        caption = S.casual_relation_caption if rng.random() < casual else S.relation_caption
        captions.append(caption(a, relation, b, background if named else None, rng))
    return images, captions


# ------------------------------------------------------------------------------------------------- emoji
def fetch_emoji_sources(workdir: Path) -> tuple[Path, Path]:
    """npm-pack Twemoji and OpenMoji into workdir (the npm registry is reachable here; hubs are not)."""
    workdir.mkdir(parents=True, exist_ok=True)  # npm pack fails on a missing destination
    out = {}
    for pkg, name in (("@twemoji/svg@15.0.0", "twemoji"), ("openmoji@15.0.0", "openmoji")):
        target = workdir / name
        if not target.exists():
            subprocess.run(["npm", "pack", pkg, "--pack-destination", str(workdir)], check=True, capture_output=True)
            tgz = sorted(workdir.glob(("twemoji-svg" if name == "twemoji" else "openmoji") + "-*.tgz"))[-1]
            target.mkdir()
            subprocess.run(["tar", "xzf", str(tgz), "-C", str(target)], check=True)
        out[name] = target / "package"
    return out["twemoji"], out["openmoji"]


def rasterise_svg(path: Path, size: int) -> Image.Image:
    png = subprocess.run(["rsvg-convert", "-w", str(size), "-h", str(size), str(path)], check=True, capture_output=True).stdout
    return Image.open(io.BytesIO(png)).convert("RGBA")


def render_noto(char: str, size: int) -> Image.Image | None:
    font = ImageFont.truetype(str(NOTO_FONT), 109)  # CBDT bitmap font: 109 px is its only strike
    canvas = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((10, 10), char, font=font, embedded_color=True)
    box = canvas.getbbox()
    if box is None:
        return None
    glyph = canvas.crop(box)
    side = max(glyph.size)
    square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    square.paste(glyph, ((side - glyph.width) // 2, (side - glyph.height) // 2))
    return square.resize((size, size), Image.LANCZOS)


def on_white(rgba: Image.Image, size: int) -> Image.Image:
    """Emoji sit on a white background with a small margin, like the scenes' full-frame layout."""
    inner = int(size * 0.84)
    bg = Image.new("RGBA", (size, size), (255, 255, 255, 255))
    glyph = rgba.resize((inner, inner), Image.LANCZOS)
    bg.alpha_composite(glyph, ((size - inner) // 2, (size - inner) // 2))
    return bg.convert("RGB")


def emoji_concepts(openmoji_dir: Path, twemoji_dir: Path, count: int) -> list[dict]:
    """Single-codepoint emoji present in all three sets, spread evenly over EMOJI_GROUPS."""
    by_group: dict[str, list[dict]] = {g: [] for g in EMOJI_GROUPS}
    with open(openmoji_dir / "data" / "openmoji.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            hexcode = row["hexcode"]
            if row["group"] not in by_group or "-" in hexcode or row["skintone"]:
                continue
            if not (openmoji_dir / "color" / "svg" / f"{hexcode}.svg").exists():
                continue
            if not (twemoji_dir / f"{hexcode.lower()}.svg").exists():
                continue
            tags = [t.strip() for t in (row["tags"] + "," + row["openmoji_tags"]).split(",") if t.strip()]
            by_group[row["group"]].append(
                {"hexcode": hexcode, "char": row["emoji"], "name": row["annotation"], "tags": tags[:4], "group": row["group"]}
            )
    per_group = count // len(EMOJI_GROUPS)
    chosen: list[dict] = []
    names: set[str] = set()
    for group in EMOJI_GROUPS:
        items = [e for e in by_group[group] if e["name"] not in names]
        step = max(1, len(items) // per_group)
        for e in items[::step][:per_group]:
            names.add(e["name"])
            chosen.append(e)
    return chosen


def emoji_caption(concept: dict, style: str, rng: random.Random) -> str:
    name = concept["name"]
    tags = ", ".join(concept["tags"][:3])
    templates = [
        f"{name} in the style of {style}",
        f"a {name} emoji in the style of {style}",
        f"{name}, {style} style",
        f"{style} emoji of a {name}",
        f"{name} ({tags}) in the style of {style}" if tags else f"{name} drawn in {style} style",
        f"a {name} emoji",
    ]
    return rng.choice(templates)


def build_emoji(recipe: dict, rng: random.Random, workdir: Path):
    twemoji_dir, openmoji_dir = fetch_emoji_sources(workdir)
    concepts = emoji_concepts(openmoji_dir, twemoji_dir, recipe["emoji_concepts"])
    images, captions, kept = [], [], []
    for concept in concepts:
        noto = render_noto(concept["char"], HIGH_RES)
        if noto is None:
            continue
        sources = {
            "noto": noto,
            "twemoji": rasterise_svg(twemoji_dir / f"{concept['hexcode'].lower()}.svg", HIGH_RES),
            "openmoji": rasterise_svg(openmoji_dir / "color" / "svg" / f"{concept['hexcode']}.svg", HIGH_RES),
        }
        kept.append(concept)
        for style in STYLES:
            img = on_white(sources[style], HIGH_RES)
            # The same picture under several captions: names, keywords and style phrasings.
            for _ in range(recipe["emoji_captions_per_image"]):
                images.append(img)
                captions.append(emoji_caption(concept, style, rng))
    return images, captions, kept


# ------------------------------------------------------------------------------------------------- build
ITEM_KINDS = ("single", "relation", "emoji")


def item_kinds(recipe: dict, domain: np.ndarray) -> np.ndarray:
    """Each training item's kind as an index into ITEM_KINDS; build() writes one-shape scenes, then two-shape
    scenes, then emoji."""
    kinds = np.where(domain == 1, 2, 1)
    kinds[: recipe["single_scenes"]] = 0
    return kinds


def build(out: Path, recipe: dict, workdir: Path | None = None) -> None:
    from models.unclip.text_encoder import FrozenTextEncoder

    rng = random.Random(recipe["seed"])
    out.mkdir(parents=True, exist_ok=True)
    images, captions = build_scenes(recipe, rng)
    domain = [0] * len(images)
    concepts: list[dict] = []
    if recipe["emoji_concepts"]:
        workdir = workdir or Path(tempfile.mkdtemp(prefix="easel-emoji-"))
        e_images, e_captions, concepts = build_emoji(recipe, rng, workdir)
        images += e_images
        captions += e_captions
        domain += [1] * len(e_images)
    print(f"{len(images)} images ({domain.count(0)} scenes, {domain.count(1)} emoji captions), encoding captions")

    lows = np.stack([np.asarray(im.resize((LOW_RES, LOW_RES), Image.BOX)) for im in images])
    encoder = FrozenTextEncoder()
    enc = encoder.encode(captions)
    np.savez(
        out / "train.npz",
        images_lo=lows,
        domain=np.array(domain, dtype=np.int8),
        embeds=enc.embeds.numpy().astype(np.float16),
        tokens=enc.tokens.numpy().astype(np.float16),
        token_mask=enc.token_mask.numpy(),
    )
    # High-res subset for the upsampler: scenes (sharp edges) and every distinct emoji picture.
    hi_idx = list(range(min(recipe["hires_scenes"], domain.count(0))))
    hi_idx += [i for i in range(len(images)) if domain[i] == 1][:: recipe["emoji_captions_per_image"]]
    np.savez(out / "hires.npz", images_hi=np.stack([np.asarray(images[i]) for i in hi_idx]))
    (out / "meta.json").write_text(json.dumps({"recipe": recipe, "captions": captions, "emoji_concepts": concepts}))
    print(f"wrote {out}: train {lows.shape}, hires {len(hi_idx)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("data/unclip"))
    parser.add_argument("--smoke", action="store_true", help="tiny scenes-only set for tests")
    parser.add_argument("--workdir", type=Path, default=None, help="where npm packages are unpacked (cached)")
    args = parser.parse_args()
    build(args.out, SMOKE_RECIPE if args.smoke else RECIPE, args.workdir)


if __name__ == "__main__":
    main()
