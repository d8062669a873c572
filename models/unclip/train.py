"""Train every stage of the Easel unCLIP model from scratch, top to bottom, on the CPU (or a GPU: --device cuda).

Reproduce the shipped weights (2 CPU cores, shared; about 85 minutes):

    HF_HUB_OFFLINE=1 python -m models.unclip.data                    # builds data/unclip/ (3-6 min)
    HF_HUB_OFFLINE=1 python -m models.unclip.train --threads 2       # writes runs/unclip/ckpt.pt + models/unclip/weights/

Smoke run for tests (< 1 minute, tiny networks, tiny data):

    HF_HUB_OFFLINE=1 python -m models.unclip.data --smoke --out /tmp/unclip-smoke-data
    HF_HUB_OFFLINE=1 python -m models.unclip.train --smoke --data /tmp/unclip-smoke-data --out /tmp/unclip-smoke

Stages, in order (each needs the one before):
  1. image encoder: InfoNCE between image embeddings and the frozen text encoder's caption embeddings;
  2. prior: diffusion (x0-prediction) from text embedding + token states to the image encoder's embedding;
  3. upsampler: 32 -> 256 residual regression on random crops, with noise on its input (robust to the decoder);
  4. decoder: v-prediction diffusion (min-SNR weighted) at 32x32 conditioned on image embedding + text tokens, 9-channel
     inpainting input, conditioning dropped at random for classifier-free guidance; the text adapter (the
     trainable layers between the frozen token states and the decoder) is trained with it.
Warm start (issue 22): `--init-from models/unclip/weights --retrain prior,decoder` loads every network from the
shipped weights and trains the named stages further from there (the others are kept as they are); `--minutes`,
`--steps` and `--lr` set those stages' budgets, e.g. `--minutes prior=6,decoder=70 --lr prior=2e-4,decoder=3e-4`;
`--decoder-mix single=0.3,relation=0.55,emoji=0.15` sets each kind of item's share of the decoder's batches.
Every phase (stage, steps, minutes, warm start or not, data version, device, batch size) is appended to `phases` in
weights/unclip_config.json, after the phases of the weights it started from.

`--device cuda` runs the same loop on a GPU (data, networks and random draws on the device), where a larger
`--batch decoder=256` pays; the checkpoint and the exported weights are the same files either way.

Each stage runs for `steps` optimizer steps or until its `minutes` budget is spent, whichever comes first
(the cores are shared with other work; the steps actually done are recorded in the checkpoint and in
weights/unclip_config.json). The checkpoint is self-describing (config, stage, step, data recipe, version)
and the run resumes from it: rerun the same command.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from diffusers import DDIMScheduler, DDPMScheduler, DPMSolverMultistepScheduler

from models.unclip import modeling as M
from models.unclip.data import ITEM_KINDS, item_kinds

VERSION = "easel-unclip-1"
STAGES = ("encoder", "prior", "upsampler", "decoder")
NETS_OF_STAGE = {"encoder": ("image_encoder",), "prior": ("prior",), "upsampler": ("upsampler",),
                 "decoder": ("decoder", "text_adapter")}


@dataclass
class StageConfig:
    steps: int
    batch_size: int
    lr: float
    minutes: float


@dataclass
class TrainConfig:
    data: str = "data/unclip"
    out: str = "runs/unclip"
    weights: str = "models/unclip/weights"
    tiny: bool = False
    seed: int = 0
    threads: int = 1  # the 2 cores are shared: with other work running, 2 threads ran 5x slower than 1
    device: str = "cpu"
    encoder: StageConfig = field(default_factory=lambda: StageConfig(800, 128, 1e-3, 5))
    prior: StageConfig = field(default_factory=lambda: StageConfig(2000, 128, 5e-4, 8))
    upsampler: StageConfig = field(default_factory=lambda: StageConfig(1500, 16, 1e-3, 3))
    decoder: StageConfig = field(default_factory=lambda: StageConfig(12000, 32, 8e-4, 68))
    text_drop: float = 0.2  # decoder: p(text tokens dropped); DALL-E 2 used 0.5, we have far fewer steps
    image_drop: float = 0.1  # decoder: p(image embedding dropped)
    prior_drop: float = 0.1  # prior: p(text conditioning dropped)
    # decoder: each item kind's share of the batches (data.ITEM_KINDS), e.g. more two-shape scenes, whose
    # binding is the weak spot; None samples the items uniformly
    decoder_mix: dict | None = None
    ckpt_every_s: float = 120.0


def smoke_config(data: str, out: str) -> TrainConfig:
    tiny = StageConfig(3, 8, 1e-3, 0.2)
    return TrainConfig(
        data=data, out=out, weights=str(Path(out) / "weights"), tiny=True,
        encoder=tiny, prior=tiny, upsampler=StageConfig(2, 2, 1e-3, 0.2), decoder=tiny,
    )


# ------------------------------------------------------------------------------------------- schedulers
def train_scheduler(kind: str) -> DDPMScheduler:
    prediction = "sample" if kind == "prior" else "v_prediction"
    return DDPMScheduler(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2", prediction_type=prediction)


def sampling_schedulers() -> dict:
    """Saved next to the networks; the pipeline loads them (schedulers are separate from networks)."""
    return {
        "prior_scheduler": DDIMScheduler(
            num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2", prediction_type="sample",
            clip_sample=False, set_alpha_to_one=True,
        ),
        "decoder_scheduler": DPMSolverMultistepScheduler(
            num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2", prediction_type="v_prediction",
            algorithm_type="dpmsolver++", solver_order=2,
        ),
    }


# ------------------------------------------------------------------------------------------------- data
def load_data(path: str, device: str = "cpu") -> dict:
    train = np.load(Path(path) / "train.npz")
    hires = np.load(Path(path) / "hires.npz")
    meta = json.loads((Path(path) / "meta.json").read_text())
    data = {
        "images": torch.from_numpy(train["images_lo"]).permute(0, 3, 1, 2).float() / 127.5 - 1,
        "embeds": torch.from_numpy(train["embeds"].astype(np.float32)),
        "tokens": torch.from_numpy(train["tokens"]),  # float16, cast per batch (saves 0.5 GB)
        "token_mask": torch.from_numpy(train["token_mask"]),
        "kinds": torch.from_numpy(item_kinds(meta["recipe"], train["domain"])),
        "hires": torch.from_numpy(hires["images_hi"]),  # uint8 NHWC
    }
    return {**{k: v.to(device) for k, v in data.items()}, "recipe": meta["recipe"]}


def random_masks(batch: int, size: int, gen: torch.Generator) -> torch.Tensor:
    """1 = repaint. Half the batch: everything (plain generation); the rest: boxes, halves and borders
    (edits and outpainting). Drawn on the generator's device, all items at once."""
    dev = gen.device

    def uniform_int(low, high):  # inclusive bounds, per item (tensors or ints)
        return (low + torch.rand(batch, generator=gen, device=dev) * (high - low + 1)).floor()[:, None, None]

    kind = torch.rand(batch, generator=gen, device=dev)[:, None, None]
    ys = torch.arange(size, device=dev)[None, :, None]
    xs = torch.arange(size, device=dev)[None, None, :]
    h, w = uniform_int(size // 4, size * 3 // 4), uniform_int(size // 4, size * 3 // 4)
    y, x = uniform_int(0, size - h[:, 0, 0]), uniform_int(0, size - w[:, 0, 0])
    box = (ys >= y) & (ys < y + h) & (xs >= x) & (xs < x + w)
    side, half = uniform_int(0, 3), size // 2
    halves = torch.where(side == 0, ys < half,
                         torch.where(side == 1, ys >= half, torch.where(side == 2, xs < half, xs >= half)))
    b = uniform_int(2, size // 4)
    border = ~((ys >= b) & (ys < size - b) & (xs >= b) & (xs < size - b))
    masks = torch.where(kind < 0.5, True, torch.where(kind < 0.75, box, torch.where(kind < 0.875, halves, border)))
    return masks[:, None].float()


def mix_weights(kinds: torch.Tensor, mix: dict) -> torch.Tensor:
    """Per-item sampling weights that give each kind (data.ITEM_KINDS) its share of the draws."""
    counts = torch.bincount(kinds, minlength=len(ITEM_KINDS)).clamp(min=1).float()
    share = torch.tensor([mix.get(k, 0.0) for k in ITEM_KINDS], device=kinds.device)
    return (share / counts)[kinds]


# ------------------------------------------------------------------------------------------- checkpoint
def save_checkpoint(path: Path, cfg: TrainConfig, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"version": VERSION, "config": asdict(cfg), **state}, tmp)
    os.replace(tmp, path)  # never leave a half-written checkpoint behind


def phases_of(weights_dir: Path) -> list[dict]:
    """The training phases recorded with a set of exported weights (first-version weights: from steps_done)."""
    meta = json.loads((weights_dir / "unclip_config.json").read_text())
    if "phases" in meta:
        return meta["phases"]
    done = meta["steps_done"]
    version = meta.get("data_recipe", {}).get("version", 1)
    return [{"stage": s, "steps": done[s], "minutes": round(done.get(s + "_seconds", 0) / 60, 1),
             "warm_start": None, "data_version": version} for s in STAGES if done.get(s)]


def current_phases(base: list[dict], progress: dict, warm: str | None, trained: list[str], recipe: dict,
                   cfg: TrainConfig) -> list[dict]:
    """base plus one entry per stage this run trained (so far)."""
    new = [{"stage": s, "steps": progress[s], "minutes": round(progress.get(s + "_seconds", 0) / 60, 1),
            "warm_start": warm, "data_version": recipe["version"], "device": cfg.device,
            "batch_size": getattr(cfg, s).batch_size} for s in STAGES if s in trained and progress[s]]
    for phase in new:
        if phase["stage"] == "decoder":
            if cfg.decoder_mix:
                phase["decoder_mix"] = cfg.decoder_mix
            phase["drop"] = {"image": cfg.image_drop, "text": cfg.text_drop}
    return base + new


def export_weights(cfg: TrainConfig, nets: dict, progress: dict, recipe: dict, phases: list[dict] | None = None) -> None:
    """Write every finished component with its config, as fp16 safetensors (keeps the repo under 40 MB)."""
    out = Path(cfg.weights)
    out.mkdir(parents=True, exist_ok=True)
    for name, net in nets.items():
        copy = type(net).from_config(net.config)
        copy.load_state_dict(net.state_dict())
        copy.half().save_pretrained(out / name, safe_serialization=True)
    for name, sched in sampling_schedulers().items():
        sched.save_pretrained(out / name)
    meta = {
        "version": VERSION,
        "components": sorted(nets),
        "steps_done": progress,
        "phases": phases or [],
        "train_config": asdict(cfg),
        "data_recipe": recipe,
        "low_res": 32,
        "defaults": {"prior_steps": 10, "decoder_steps": 15, "prior_guidance": 2.0, "guidance_scale": 3.0},
    }
    (out / "unclip_config.json").write_text(json.dumps(meta, indent=2))


# ------------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny networks and a few steps (tests)")
    parser.add_argument("--data", default=None)
    parser.add_argument("--out", default=None)
    parser.add_argument("--weights", default=None)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default 1: the cores are shared)")
    parser.add_argument("--retrain", default="", help="comma-separated stages to train afresh, the others "
                        "loaded from --weights (e.g. --retrain prior,decoder after changing those networks)")
    parser.add_argument("--init-from", default=None, help="warm start: load every network from these exported "
                        "weights; the --retrain stages (default prior,decoder) are trained further from them")
    parser.add_argument("--minutes", default="", help="per-stage minute budgets, e.g. prior=6,decoder=70")
    parser.add_argument("--steps", default="", help="per-stage step budgets, e.g. decoder=8000")
    parser.add_argument("--lr", default="", help="per-stage peak learning rates, e.g. decoder=3e-4")
    parser.add_argument("--batch", default="", help="per-stage batch sizes, e.g. decoder=256 (on a GPU)")
    parser.add_argument("--device", default=None, help="cpu (default) or cuda")
    parser.add_argument("--drop", default="", help="conditioning dropout of the decoder, e.g. image=0.3,text=0.2 "
                        "(defaults: TrainConfig.image_drop, text_drop)")
    parser.add_argument("--decoder-mix", default="", help="each item kind's share of the decoder's batches, "
                        "e.g. single=0.3,relation=0.55,emoji=0.15 (default: items sampled uniformly)")
    args = parser.parse_args(argv)
    cfg = smoke_config(args.data or "/tmp/unclip-smoke-data", args.out or "/tmp/unclip-smoke") if args.smoke else TrainConfig()
    if args.data:
        cfg.data = args.data
    if args.out:
        cfg.out = args.out
    if args.weights:
        cfg.weights = args.weights
    if args.threads:
        cfg.threads = args.threads
    retrain = [s for s in args.retrain.split(",") if s]
    if args.init_from and not retrain:
        retrain = ["prior", "decoder"]
    assert set(retrain) <= set(STAGES), f"--retrain takes stages from {STAGES}"
    if args.device:
        cfg.device = args.device
    budgets = ((args.minutes, "minutes", float), (args.steps, "steps", int), (args.lr, "lr", float),
               (args.batch, "batch_size", int))
    for flag, field_name, kind in budgets:
        for item in filter(None, flag.split(",")):
            stage, value = item.split("=")
            assert stage in STAGES, f"unknown stage {stage!r}"
            setattr(getattr(cfg, stage), field_name, kind(value))
    for item in filter(None, args.drop.split(",")):
        kind, value = item.split("=")
        assert kind in ("image", "text"), f"--drop takes image= and text=, not {kind!r}"
        setattr(cfg, f"{kind}_drop", float(value))
    if args.decoder_mix:
        cfg.decoder_mix = {k: float(v) for k, v in (item.split("=") for item in args.decoder_mix.split(","))}
        assert set(cfg.decoder_mix) <= set(ITEM_KINDS), f"--decoder-mix takes kinds from {ITEM_KINDS}"

    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    random.seed(cfg.seed)
    device = torch.device(cfg.device)
    # TF32 matmuls on a GPU; no effect on the CPU.
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    gen = torch.Generator(device=device).manual_seed(cfg.seed)
    data = load_data(cfg.data, device)
    n_items = data["images"].shape[0]
    print(f"data: {n_items} captioned images, {data['hires'].shape[0]} high-res; recipe v{data['recipe']['version']}")

    nets = {
        "image_encoder": M.make_image_encoder(cfg.tiny),
        "prior": M.make_prior(cfg.tiny),
        "upsampler": M.make_upsampler(cfg.tiny),
        "decoder": M.make_decoder(cfg.tiny),
        "text_adapter": M.make_text_adapter(cfg.tiny),
    }
    # The decoder stage's networks are exported as their exponential moving averages.
    emas = {"decoder": M.make_decoder(cfg.tiny), "text_adapter": M.make_text_adapter(cfg.tiny)}

    def reset_emas() -> None:
        for name, ema in emas.items():
            ema.load_state_dict(nets[name].state_dict())
            ema.requires_grad_(False)

    reset_emas()
    progress = {s: 0 for s in STAGES}
    opt_states: dict = {}

    source = Path(args.init_from or cfg.weights)
    base_phases = phases_of(source) if retrain and (source / "unclip_config.json").exists() else []
    trained = retrain or list(STAGES)
    warm = args.init_from
    ckpt_path = Path(cfg.out) / "ckpt.pt"

    def load_exported(stage: str) -> None:
        """A stage's networks from the exported weights in `source`."""
        for name in NETS_OF_STAGE[stage]:
            if (source / name).exists():
                nets[name] = type(nets[name]).from_pretrained(source / name, torch_dtype=torch.float32)
            else:  # weights from before the text adapter: it starts as the identity
                print(f"{source} has no {name}: a new one")

    if ckpt_path.exists():  # resume
        ckpt = torch.load(ckpt_path, map_location="cpu", weights_only=False)
        assert ckpt["version"] == VERSION, f"checkpoint is {ckpt['version']}, this script is {VERSION}"
        for name, net in nets.items():
            net.load_state_dict(ckpt["nets"][name])
        for name, ema in emas.items():
            ema.load_state_dict(ckpt["emas"][name])
        progress, opt_states = ckpt["progress"], ckpt["optimizers"]
        gen.set_state(ckpt["generator"])
        base_phases, trained, warm = ckpt.get("base_phases", []), ckpt.get("trained", list(STAGES)), ckpt.get("warm")
        print(f"resumed from {ckpt_path}: {progress}")
    elif args.init_from:  # warm start: every network as exported; the retrained stages continue from there
        shipped = json.loads((source / "unclip_config.json").read_text())["steps_done"]
        for stage in STAGES:
            load_exported(stage)
            if stage not in retrain:
                progress.update({k: v for k, v in shipped.items() if k.startswith(stage)})
        reset_emas()
        progress["warm_started"] = True
        print(f"warm start from {source}: training {retrain} further; kept: {progress}")
    elif retrain:  # the stages kept come from the exported weights, as trained
        shipped = json.loads((source / "unclip_config.json").read_text())["steps_done"]
        for stage in STAGES:
            if stage in retrain:
                continue
            load_exported(stage)
            progress.update({k: v for k, v in shipped.items() if k.startswith(stage)})
        reset_emas()
        print(f"retraining {retrain}; kept from {cfg.weights}: {progress}")

    for net in (*nets.values(), *emas.values()):
        net.to(device)

    def checkpoint(stage: str, opt: torch.optim.Optimizer) -> None:
        opt_states[stage] = opt.state_dict()
        save_checkpoint(ckpt_path, cfg, {
            "nets": {k: v.state_dict() for k, v in nets.items()},
            "emas": {k: v.state_dict() for k, v in emas.items()},
            "progress": progress, "optimizers": opt_states, "generator": gen.get_state(),
            "data_recipe": data["recipe"], "stage": stage,
            "base_phases": base_phases, "trained": trained, "warm": warm,
        })

    def export() -> None:
        export_weights(cfg, finished_nets(), progress, data["recipe"],
                       current_phases(base_phases, progress, warm, trained, data["recipe"], cfg))

    def finished_nets() -> dict:
        return {name: emas.get(name, nets[name]) for s in STAGES for name in NETS_OF_STAGE[s]
                if progress[s] > 0 or progress.get("warm_started")}

    def run_stage(stage: str, net: torch.nn.Module, loss_fn, after_step=None) -> None:
        sc: StageConfig = getattr(cfg, stage)
        if progress[stage] >= sc.steps or progress.get(stage + "_closed"):
            return
        opt = torch.optim.AdamW([p for p in net.parameters() if p.requires_grad], lr=sc.lr, weight_decay=0.01)
        if stage in opt_states:
            opt.load_state_dict(opt_states[stage])
        net.train()
        start = last_ckpt = time.time()
        spent_before = progress.get(stage + "_seconds", 0.0)
        losses = []
        while progress[stage] < sc.steps:
            step = progress[stage]
            # Linear warm-up then cosine decay to 10% over the planned budget, steps or minutes, whichever ends
            # first: on shared cores the minutes often do, and the rate must still come down by the end.
            spent = min(1.0, max(step / sc.steps, (spent_before + time.time() - start) / (sc.minutes * 60)))
            lr = sc.lr * min(1.0, (step + 1) / 100) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * spent)))
            for g in opt.param_groups:
                g["lr"] = lr
            loss = loss_fn(sc.batch_size)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            if after_step is not None:
                after_step(step)
            progress[stage] = step + 1
            losses.append(loss.item())
            elapsed = spent_before + time.time() - start
            progress[stage + "_seconds"] = elapsed
            if progress[stage] % 50 == 0 or progress[stage] == sc.steps:
                print(f"{stage} step {progress[stage]}/{sc.steps} loss {np.mean(losses[-50:]):.4f} lr {lr:.2e} "
                      f"{elapsed / 60:.1f} min", flush=True)
            if elapsed > sc.minutes * 60:
                print(f"{stage}: time budget of {sc.minutes} min spent at step {progress[stage]}", flush=True)
                break
            if time.time() - last_ckpt > cfg.ckpt_every_s:
                checkpoint(stage, opt)
                if stage == "decoder":  # a usable set of weights exists at every moment of the long stage
                    export()
                last_ckpt = time.time()
        progress[stage + "_closed"] = True
        checkpoint(stage, opt)
        export()

    def batch_idx(b: int) -> torch.Tensor:
        return torch.randint(0, n_items, (b,), generator=gen, device=device)

    # ---- 1. image encoder: CLIP with the text tower frozen
    encoder = nets["image_encoder"]

    def encoder_loss(b: int) -> torch.Tensor:
        idx = batch_idx(b)
        txt = data["embeds"][idx]
        img = encoder(data["images"][idx])
        logits = encoder.logit_scale.exp().clamp(max=100) * img @ txt.T
        # The same caption (or the same emoji under a near-identical one) can occur twice in a batch:
        # treat every near-duplicate caption as a positive.
        targets = (txt @ txt.T > 0.98).float()
        targets = targets / targets.sum(1, keepdim=True)
        return 0.5 * (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets))

    run_stage("encoder", encoder, encoder_loss)

    # Image embeddings of every training image, the prior's targets and the decoder's conditioning.
    encoder.eval()
    with torch.no_grad():
        image_embeds = torch.cat([encoder(data["images"][i : i + 512]) for i in range(0, n_items, 512)])
    encoder.requires_grad_(False)

    # ---- 2. prior: text -> image embedding, diffusion with x0 prediction (as in DALL-E 2)
    prior = nets["prior"]
    prior_sched = train_scheduler("prior")
    if not progress.get("prior_closed") and not progress.get("warm_started"):  # standardise the targets; the prior keeps these as clip_mean / clip_std
        with torch.no_grad():
            prior.clip_mean.copy_(image_embeds.mean(0, keepdim=True))
            prior.clip_std.copy_(image_embeds.std(0, keepdim=True).clamp(min=1e-3))
    prior.clip_mean.requires_grad_(False)
    prior.clip_std.requires_grad_(False)

    def prior_loss(b: int) -> torch.Tensor:
        idx = batch_idx(b)
        x0 = (image_embeds[idx] - prior.clip_mean) / prior.clip_std
        txt, tokens, tmask = data["embeds"][idx], data["tokens"][idx].float(), data["token_mask"][idx].clone()
        drop = torch.rand(b, generator=gen, device=device) < cfg.prior_drop
        txt, tokens = txt.masked_fill(drop[:, None], 0), tokens.masked_fill(drop[:, None, None], 0)
        tmask[drop] = False
        t = torch.randint(0, 1000, (b,), generator=gen, device=device)
        noise = torch.randn(x0.shape, generator=gen, device=device)
        pred = prior(prior_sched.add_noise(x0, noise, t), t, proj_embedding=txt,
                     encoder_hidden_states=tokens, attention_mask=tmask).predicted_image_embedding
        return F.mse_loss(pred, x0)

    run_stage("prior", prior, prior_loss)

    # ---- 3. upsampler: 32 -> 256 on 64x64 crops (8x8 at low res); fully convolutional so crops suffice
    upsampler = nets["upsampler"]
    hires = data["hires"]

    def upsampler_loss(b: int) -> torch.Tensor:
        idx = torch.randint(0, hires.shape[0], (b,), generator=gen, device=device)
        ys = torch.randint(0, 256 - 64 + 1, (b,), generator=gen, device=device) // 8 * 8
        xs = torch.randint(0, 256 - 64 + 1, (b,), generator=gen, device=device) // 8 * 8
        crops = torch.stack([hires[i, y : y + 64, x : x + 64] for i, y, x in zip(idx, ys, xs)])
        crops = crops.permute(0, 3, 1, 2).float() / 127.5 - 1
        low = F.avg_pool2d(crops, 8)  # the same box filter the data builder uses for the 32x32 images
        noise = torch.randn(low.shape, generator=gen, device=device)  # before its strength: the seeded draws keep their order
        low = low + noise * torch.rand(b, 1, 1, 1, generator=gen, device=device) * 0.06
        return F.l1_loss(M.upsample(upsampler, low, 64), crops)

    run_stage("upsampler", upsampler, upsampler_loss)

    # ---- 4. decoder: image embedding (+ text tokens through the adapter) -> 32x32 image, with the inpainting channels
    decoder, text_adapter = nets["decoder"], nets["text_adapter"]
    dec_sched = train_scheduler("decoder")
    alphas_cumprod = dec_sched.alphas_cumprod.to(device)

    item_weights = mix_weights(data["kinds"], cfg.decoder_mix) if cfg.decoder_mix else None

    def decoder_idx(b: int) -> torch.Tensor:
        if item_weights is None:
            return batch_idx(b)
        return torch.multinomial(item_weights, b, replacement=True, generator=gen)

    def decoder_loss(b: int) -> torch.Tensor:
        idx = decoder_idx(b)
        x0 = data["images"][idx]
        emb, tokens, tmask = image_embeds[idx], data["tokens"][idx].float(), data["token_mask"][idx].clone()
        drop_img = torch.rand(b, generator=gen, device=device) < cfg.image_drop
        drop_txt = torch.rand(b, generator=gen, device=device) < cfg.text_drop
        emb = emb.masked_fill(drop_img[:, None], 0)
        tokens = tokens.masked_fill(drop_txt[:, None, None], 0)
        tmask[drop_txt] = False
        mask = random_masks(b, x0.shape[-1], gen)
        masked = x0 * (1 - mask)
        t = torch.randint(0, 1000, (b,), generator=gen, device=device)
        noise = torch.randn(x0.shape, generator=gen, device=device)
        tokens = text_adapter(tokens, tmask)
        pred = M.decoder_forward(decoder, dec_sched.add_noise(x0, noise, t), t, masked, mask, emb, tokens, tmask)
        target = dec_sched.get_velocity(x0, noise, t)
        # Min-SNR-5 weighting (Hang et al. 2023; for v-prediction min(SNR, 5) / (SNR + 1)): the nearly clean
        # timesteps stop dominating the gradient, and the layout-deciding noisy ones converge sooner.
        snr = alphas_cumprod[t] / (1 - alphas_cumprod[t])
        snr_weight = (snr.clamp(max=5.0) / (snr + 1))[:, None, None, None]
        # Known pixels matter less: the inpainting input already shows them.
        weight = (0.1 + 0.9 * mask) * snr_weight
        return ((pred - target) ** 2 * weight).mean()

    def decoder_ema_update(step: int) -> None:
        decay = min(0.995, (1 + step) / (10 + step))
        with torch.no_grad():
            for name, ema in emas.items():
                for pe, p in zip(ema.parameters(), nets[name].parameters()):
                    pe.lerp_(p, 1 - decay)

    run_stage("decoder", torch.nn.ModuleList([decoder, text_adapter]), decoder_loss, decoder_ema_update)
    print(f"done: {progress}; weights in {cfg.weights}")
    return progress


if __name__ == "__main__":
    main()
