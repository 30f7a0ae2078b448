"""Train the neural brush in the three stages of the seed method (Nakano 2019; Libre AI's
"Learning Neural Painters Fast", after fast.ai's DeOldify recipe):

1. the generator alone, non-adversarially: a feature loss plus a pixel term;
2. the critic (a conditional discriminator, `training/critic.py`) pretrained as a binary
   classifier: real MyPaint strokes against the frozen stage-1 generator's;
3. both continued as a GAN (hinge loss, spectral-norm critic), the stage-1 loss kept as a
   reconstruction term, which brings back the dry brush's texture that a pixel loss blurs.

`--iou-weight` adds a soft blurred-mask IoU to the reconstruction loss: both coverages blurred
as `training/evaluate.py` blurs them (Gaussian, sigma 1.5 px), the generator's passed through a
steep sigmoid around the 0.5 threshold, MyPaint's thresholded, IoU per stroke. It trains what
the fidelity metric scores, where paint lands, and weighs a small stroke as much as a large one.
`--init DIR` starts the generator from a trained brush (fine-tuning) instead of from scratch.

The feature loss is L1 between fixed feature pyramids of the two coverages: the coverage and
its Sobel gradients at 64, 32, 16 and 8 px. VGG16's ImageNet weights cannot be downloaded here
and VGG16 on every 64 px stroke would cost more than the generator, so VGG16 (relu1_2, relu2_2)
is available with `--feature vgg16` when its weights are in the torch hub cache.

Runs single-process (CPU by default) or under `torchrun` / `accelerate launch` (DDP: each
process draws its own share of every batch; rank 0 writes). Resumable: `state.pt` in --out.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from PIL import Image
from tqdm import tqdm

from painter.brush import Brush
from painter.dabs import dab_settings
from painter.vgg import WEIGHTS_ENV, VGGFeatures, find_vgg_state_dict, hub_cache_path

from .critic import Critic
from .data import DataError, dataset_brush, load_dataset, make_dataset
from .evaluate import THRESHOLD, blurred_iou, gaussian_blur, mean_abs_error
from .push import model_card


@dataclass
class TrainConfig:
    batch: int = 128              # strokes per step, over all processes
    steps1: int = 2_500           # stage 1: generator, feature + pixel loss
    steps2: int = 400             # stage 2: critic as a binary classifier
    steps3: int = 1_000           # stage 3: GAN
    lr1: float = 2e-3             # stage 1 peak learning rate (cosine decay, Adam)
    lr_g: float = 2e-4            # stage 3 generator
    lr_d: float = 2e-4            # stages 2 and 3 critic
    feature_weight: float = 1.0
    pixel_weight: float = 1.0     # binary cross-entropy on the coverage
    iou_weight: float = 0.0       # soft blurred-mask IoU (the eval metric, made differentiable); 0: off
    iou_sharpness: float = 20.0   # slope of the sigmoid that stands in for the metric's 0.5 threshold
    iou_smooth: float = 0.1       # pixels added to the soft intersection and union
    init: str = ""                # a brush folder to start the generator from (fine-tuning); "": from scratch
    adv_weight: float = 0.02      # stage 3: hinge generator loss against the reconstruction term
    critic_width: int = 16
    feature: str = "pyramid"      # or "vgg16" (weights from the torch hub cache)
    hidden: int = 256             # brush architecture (painter/brush.py)
    base: int = 16
    channels: tuple = (32, 16)
    fourier: int = 6
    guide: int = 24
    guide_channels: int = 3       # 5: the centre line also carries pressure and speed (painter/brush.py)
    dab_guide: int = 0            # 1: the brush also sees the dabs MyPaint paints for the stroke, its random
                                  # scatter included (painter/dabs.py); 0: none
    val: int = 2000               # held-out strokes (the last ones of the dataset)
    sample_every: int = 500
    ckpt_every: int = 250
    log_every: int = 50
    seed: int = 0

    @classmethod
    def tiny(cls) -> "TrainConfig":
        return cls(batch=32, steps1=60, steps2=40, steps3=40, val=64, hidden=64, lr1=3e-3, lr_g=1e-3,
                   sample_every=20, ckpt_every=20, log_every=1)


TINY_STROKES = 512
# a resumed run must keep these
FIXED = ("hidden", "base", "channels", "fourier", "guide", "guide_channels", "dab_guide", "feature", "val", "seed",
         "init")


# ---------------------------------------------------------------------------------- losses

_SOBEL = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 4


def pyramid(x: torch.Tensor, levels: int = 4) -> list[torch.Tensor]:
    """Fixed features of (N, 1, H, W) coverage: itself and its Sobel gradients, at `levels` scales."""
    kernel = torch.stack([_SOBEL, _SOBEL.t()])[:, None].to(x)
    out = []
    for level in range(levels):
        if level:
            x = F.avg_pool2d(x, 2)
        out += [x, F.conv2d(x, kernel, padding=1)]
    return out


class StrokeFeatures(torch.nn.Module):
    """VGG16 relu1_2 and relu2_2 (the painter's network, `painter.vgg`) of a coverage as a dark stroke
    on white paper; the weights only from a local file, never a download."""

    def __init__(self):
        super().__init__()
        state, _ = find_vgg_state_dict(None, allow_download=False)
        if state is None:
            raise FileNotFoundError(f"--feature vgg16 needs the VGG16 weights at {hub_cache_path()} "
                                    f"(or ${WEIGHTS_ENV}); use --feature pyramid")
        self.network = VGGFeatures(state, layers=("relu1_2", "relu2_2"))

    def forward(self, alpha):
        return self.network((1 - alpha).expand(-1, 3, -1, -1))


def soft_iou_loss(fake: torch.Tensor, target: torch.Tensor, sharpness: float = 20.0,
                  smooth: float = 0.1) -> torch.Tensor:
    """1 - soft blurred-mask IoU, mean over strokes.

    The metric of `training/evaluate.py` made differentiable: both coverages are blurred with its
    Gaussian; MyPaint's is thresholded at 0.5, the generator's goes through a steep sigmoid
    around 0.5; intersection over union per stroke, so a small stroke counts as much as a large one.
    `smooth` pixels are added to both intersection and union: where MyPaint's mask is empty, the
    metric scores any mask of the brush's 0, and this still pulls that mask down; too much of it
    lets the brush leave a small stroke's mask empty too cheaply (held-out IoU after 750 of
    2,000 fine-tuning steps: 0.751 with 1 px, 0.759 with 0.1 px). Where both are empty, the
    sigmoid's tail (sigmoid(-sharpness / 2) on every pixel) leaves a small loss that only pulls
    blank pixels further towards zero.
    """
    soft = torch.sigmoid(sharpness * (gaussian_blur(fake) - THRESHOLD))
    hard = (gaussian_blur(target) > THRESHOLD).to(fake)
    inter = (soft * hard).flatten(1).sum(1)
    union = (soft + hard - soft * hard).flatten(1).sum(1)
    return 1 - ((inter + smooth) / (union + smooth)).mean()


def reconstruction_loss(logits, target, cfg: TrainConfig, vgg=None) -> torch.Tensor:
    """Stage 1's loss (kept in stage 3): feature L1 + pixel binary cross-entropy (+ soft blurred IoU)."""
    fake = torch.sigmoid(logits)
    extract = vgg if vgg is not None else pyramid
    feature = sum(F.l1_loss(a, b) for a, b in zip(extract(fake), extract(target)))
    pixel = F.binary_cross_entropy_with_logits(logits, target)
    loss = cfg.feature_weight * feature + cfg.pixel_weight * pixel
    if cfg.iou_weight:
        loss = loss + cfg.iou_weight * soft_iou_loss(fake, target, cfg.iou_sharpness, cfg.iou_smooth)
    return loss


# ---------------------------------------------------------------------------------- plumbing

class Runtime:
    """Device, rank and world size; DDP when launched by torchrun / accelerate (WORLD_SIZE > 1)."""

    def __init__(self, device: str):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ValueError("--device cuda was asked for but no CUDA GPU is available")
        if self.world > 1:
            if device.startswith("cuda"):
                device = f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}"
                torch.cuda.set_device(device)
            dist.init_process_group("nccl" if device.startswith("cuda") else "gloo")
        self.device = torch.device(device)
        self.main = self.rank == 0

    def wrap(self, model):
        if self.world == 1:
            return model
        from torch.nn.parallel import DistributedDataParallel
        return DistributedDataParallel(model, device_ids=[self.device.index] if self.device.type == "cuda" else None)

    def barrier(self):
        if self.world > 1:
            dist.barrier()

    def close(self):
        if self.world > 1:
            dist.destroy_process_group()


def unwrap(model):
    return getattr(model, "module", model)


class Logits(torch.nn.Module):
    """The brush's pre-sigmoid output as forward(), so that DDP's wrapper sees the call that trains."""

    def __init__(self, brush: Brush):
        super().__init__()
        self.brush = brush

    def forward(self, actions):
        return self.brush.logits(actions)


class Batches:
    """Random batches from tensors in memory; the draw for (stage, step, rank) is fixed, so resuming is exact."""

    def __init__(self, actions: torch.Tensor, alpha: torch.Tensor, batch: int, rt: Runtime, seed: int):
        self.actions, self.alpha, self.rt, self.seed = actions, alpha, rt, seed
        self.batch = max(1, batch // rt.world)

    def __call__(self, stage: int, step: int):
        g = torch.Generator().manual_seed(((self.seed * 7 + stage) * 1_000_003 + step) * 64 + self.rt.rank)
        idx = torch.randint(len(self.actions), (self.batch,), generator=g)
        return (self.actions[idx].to(self.rt.device),
                self.alpha[idx].to(self.rt.device, torch.float32).div_(255).unsqueeze(1))


def cosine(step: int, total: int, peak: float) -> float:
    warmup = min(200, total // 10)
    if step < warmup:
        return peak * (step + 1) / warmup
    return peak * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, total - warmup)))))


def sample_grid(path: Path, real: torch.Tensor, fake: torch.Tensor):
    """Real strokes (top row of each pair) over generated ones, dark on white."""
    rows = []
    for i in range(0, len(real), 16):
        rows += [torch.cat(list(real[i:i + 16, 0]), 1), torch.cat(list(fake[i:i + 16, 0]), 1)]
    grid = 1 - torch.cat(rows, 0).clamp(0, 1)
    Image.fromarray((grid.cpu().numpy() * 255).round().astype(np.uint8)).save(path)


@torch.no_grad()
def validate(generator, actions, alpha, device, batch: int = 512) -> dict:
    was_training = generator.training
    generator.eval()
    fake = torch.cat([generator(actions[i:i + batch].to(device)).cpu() for i in range(0, len(actions), batch)])
    generator.train(was_training)
    real = alpha.float().div(255).unsqueeze(1)
    return {"iou": blurred_iou(fake, real), "mae": mean_abs_error(fake, real)}


# ---------------------------------------------------------------------------------- training

class Trainer:
    def __init__(self, data: str, out: str, cfg: TrainConfig, device: str = "cpu", progress: bool = True):
        self.cfg, self.out, self.progress = cfg, Path(out), progress
        self.rt = Runtime(device)
        actions, alpha = load_dataset(data)
        if len(actions) <= cfg.val:
            raise DataError(f"{data} holds {len(actions)} strokes; training needs more than the {cfg.val} held out")
        self.train_actions, self.train_alpha = torch.from_numpy(actions[:-cfg.val]), torch.from_numpy(alpha[:-cfg.val])
        self.val_actions, self.val_alpha = torch.from_numpy(actions[-cfg.val:]), torch.from_numpy(alpha[-cfg.val:])
        self.batches = Batches(self.train_actions, self.train_alpha, cfg.batch, self.rt, cfg.seed)
        torch.manual_seed(cfg.seed)
        mypaint = dataset_brush(data)
        dabs = {}
        if cfg.dab_guide:
            d = dab_settings(mypaint)
            dabs = dict(dabs=d["per_radius"], dab_scatter=d["scatter"], dabs_per_second=d["per_second"],
                        dab_ratio=d["ratio"], dab_angle=d["angle"], dab_table=d["size"])
        self.generator = Brush(hidden=cfg.hidden, base=cfg.base, channels=cfg.channels, fourier=cfg.fourier,
                               guide=cfg.guide, guide_channels=cfg.guide_channels, mypaint=mypaint, **dabs)
        if cfg.dab_guide:
            self.generator.dab_guide.read(mypaint)
        self.generator.to(self.rt.device)
        if cfg.init:
            self.start_from(cfg.init)
        self.critic = Critic(cfg.critic_width).to(self.rt.device)
        self.vgg = StrokeFeatures().to(self.rt.device) if cfg.feature == "vgg16" else None
        self.state = {"done": [], "stage": None, "step": 0, "metrics": {}}
        self.history = {}  # per stage, the losses of every step run in this process
        self._saved_opt = None
        if self.rt.main:
            (self.out / "samples").mkdir(parents=True, exist_ok=True)
        self.resume()

    def start_from(self, source: str):
        """The generator's weights from a trained brush of the same sizes.

        A brush with 3 centre-line channels can start one with 5, and a brush without the dab guide one
        with it: the new weights that read them start at zero, so the generator begins exactly where the
        trained brush was. The trained brush may imitate another MyPaint brush: a new brush can start
        from the dry brush's strokes.
        """
        try:
            trained = Brush.from_pretrained(source, strict=True)
        except Exception as error:
            raise DataError(f"--init {source} is not a brush checkpoint ({error})") from None
        generator = unwrap(self.generator)
        old, new = asdict(trained.config), asdict(generator.config)
        grows = old["guide_channels"] <= new["guide_channels"]
        free = {"guide_channels": 0, "mypaint": "", "dabs": 0.0, "dab_scatter": (), "dabs_per_second": 0.0,
                "dab_ratio": 1.0, "dab_angle": 0.0, "dab_table": 0}
        if {**old, **free} != {**new, **free} or not grows:
            raise ValueError(f"--init {source} is a brush of other sizes ({old}); "
                             "give the same --hidden, --base, --fourier and --guide")
        state = generator.state_dict()
        for name, value in trained.state_dict().items():
            if value.shape == state[name].shape:
                state[name] = value
            else:   # the mix convolution's input: features, then the centre-line channels
                grown = torch.zeros_like(state[name])
                grown[:, :value.shape[1]] = value
                state[name] = grown
        generator.load_state_dict(state)

    # -- checkpoints
    def resume(self):
        path = self.out / "state.pt"
        if not path.exists():
            return
        saved = torch.load(path, map_location=self.rt.device, weights_only=False)
        defaults = asdict(TrainConfig())   # a setting added since the run was saved had its default then
        changed = [k for k in FIXED if saved["config"].get(k, defaults[k]) != asdict(self.cfg)[k]]
        if changed:
            raise ValueError(f"{path} was written with other settings ({', '.join(changed)}); use another --out")
        self.generator.load_state_dict(saved["generator"])
        self.state = saved["state"]
        if 2 in self.state["done"] or (self.state["stage"] or 0) >= 2:   # before stage 2 the critic is untrained
            if saved["config"]["critic_width"] != self.cfg.critic_width:
                raise ValueError(f"{path} holds a critic of width {saved['config']['critic_width']}; "
                                 "keep --critic-width or use another --out")
            self.critic.load_state_dict(saved["critic"])
        self._saved_opt = saved.get("optimisers")

    def checkpoint(self, optimisers: dict):
        if self.rt.main:
            path = self.out / "state.pt"
            torch.save({"config": asdict(self.cfg), "state": self.state,
                        "generator": unwrap(self.generator).state_dict(), "critic": unwrap(self.critic).state_dict(),
                        "optimisers": {k: o.state_dict() for k, o in optimisers.items()}}, path.with_suffix(".tmp"))
            os.replace(path.with_suffix(".tmp"), path)
        self.rt.barrier()

    def restore(self, stage: int, optimisers: dict) -> int:
        """The step to start `stage` at, with its optimisers restored when it was interrupted."""
        saved = self._saved_opt
        if self.state["stage"] == stage and saved:
            for k, o in optimisers.items():
                o.load_state_dict(saved[k])
            return self.state["step"]
        return 0

    def export(self, folder: str, stage: int):
        """The generator as a Hub-style folder (model.safetensors + config.json + model card)."""
        if not self.rt.main:
            return
        generator = unwrap(self.generator)
        generator.save_pretrained(self.out / folder)
        metrics = validate(generator, self.val_actions, self.val_alpha, self.rt.device)
        self.state["metrics"][f"stage{stage}"] = metrics
        meta = {"stage": stage, "validation": metrics, "config": asdict(self.cfg), "mypaint": generator.config.mypaint}
        (self.out / folder / "training.json").write_text(json.dumps(meta, indent=2))
        (self.out / folder / "README.md").write_text(model_card(meta))
        self.log({"export": folder, "stage": stage, **metrics})

    def log(self, record: dict):
        if self.rt.main:
            with open(self.out / "log.jsonl", "a") as f:
                f.write(json.dumps({"time": round(time.time(), 1), **record}) + "\n")

    def samples(self, name: str):
        if self.rt.main:
            real = self.val_alpha[:32].float().div(255).unsqueeze(1)
            fake = validate_images(unwrap(self.generator), self.val_actions[:32], self.rt.device)
            sample_grid(self.out / "samples" / f"{name}.png", real, fake)

    def bar(self, stage: int, start: int, total: int):
        return tqdm(range(start, total), initial=start, total=total, desc=f"stage {stage}",
                    disable=not (self.progress and self.rt.main), dynamic_ncols=True)

    # -- the stages
    def run(self, stages):
        for stage in sorted(stages):
            if stage in self.state["done"]:
                if self.rt.main:
                    print(f"stage {stage} already done in {self.out}")
                continue
            if stage >= 2 and 1 not in self.state["done"]:
                raise ValueError(f"stage {stage} needs the stage-1 generator; run stage 1 first")
            if stage == 3 and 2 not in self.state["done"]:
                raise ValueError("stage 3 needs stage 2's critic; run stage 2 first")
            started = time.time()
            getattr(self, f"stage{stage}")()
            self.state["done"].append(stage)
            self.state["stage"], self.state["step"] = None, 0
            self.state.setdefault("seconds", {})[f"stage{stage}"] = round(time.time() - started, 1)
            self.checkpoint({})
        self.record_seconds()
        self.rt.close()

    def record_seconds(self):
        """Each stage's wall time, in the trained brush's training.json (its model card cites it)."""
        meta = self.out / "brush" / "training.json"
        if self.rt.main and meta.exists():
            record = json.loads(meta.read_text())
            record["seconds"] = dict(self.state.get("seconds", {}))
            meta.write_text(json.dumps(record, indent=2))

    def stage1(self):
        cfg, g = self.cfg, self.rt.wrap(Logits(self.generator.train()))
        opt = torch.optim.Adam(g.parameters(), lr=cfg.lr1)
        start = self.restore(1, {"g": opt})
        bar = self.bar(1, start, cfg.steps1)
        for step in bar:
            for group in opt.param_groups:
                group["lr"] = cosine(step, cfg.steps1, cfg.lr1)
            actions, real = self.batches(1, step)
            loss = reconstruction_loss(g(actions), real, cfg, self.vgg)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            self.after_step(1, step, bar, {"loss": loss.item()}, {"g": opt})
        self.export("stage1", 1)
        self.export("brush", 1)

    def stage2(self):
        cfg, g = self.cfg, self.generator.eval().requires_grad_(False)
        d = self.rt.wrap(self.critic.train())
        opt = torch.optim.Adam(d.parameters(), lr=cfg.lr_d, betas=(0.5, 0.999))
        start = self.restore(2, {"d": opt})
        bar = self.bar(2, start, cfg.steps2)
        for step in bar:
            actions, real = self.batches(2, step)
            with torch.no_grad():
                fake = g(actions)
            logits = d(torch.cat([actions, actions]), torch.cat([real, fake]))   # one forward for DDP
            labels = torch.cat([torch.ones(len(real)), torch.zeros(len(fake))]).to(logits)
            loss = F.binary_cross_entropy_with_logits(logits, labels)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            accuracy = ((logits > 0).float() == labels).float().mean().item()
            self.after_step(2, step, bar, {"loss": loss.item(), "acc": accuracy}, {"d": opt})
        self.generator.requires_grad_(True)
        accuracy = self.critic_accuracy()
        self.state["metrics"]["critic_accuracy"] = accuracy
        self.log({"stage": 2, "critic_val_accuracy": accuracy})

    def stage3(self):
        cfg = self.cfg
        g, d = self.rt.wrap(Logits(self.generator.train().requires_grad_(True))), self.rt.wrap(self.critic.train())
        opt_g = torch.optim.Adam(g.parameters(), lr=cfg.lr_g, betas=(0.0, 0.9))
        opt_d = torch.optim.Adam(d.parameters(), lr=cfg.lr_d, betas=(0.0, 0.9))
        start = self.restore(3, {"g": opt_g, "d": opt_d})
        bar = self.bar(3, start, cfg.steps3)
        critic = unwrap(d)
        for step in bar:
            actions, real = self.batches(3, step)
            # critic: hinge loss, real and fake in one forward
            logits = g(actions)
            fake = torch.sigmoid(logits)
            scores = d(torch.cat([actions, actions]), torch.cat([real, fake.detach()]))
            loss_d = F.relu(1 - scores[:len(real)]).mean() + F.relu(1 + scores[len(real):]).mean()
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            opt_d.step()
            # generator: fool the critic, stay close to MyPaint
            critic.requires_grad_(False)
            adversarial = -critic(actions, fake).mean()
            rec = reconstruction_loss(logits, real, cfg, self.vgg)
            loss_g = rec + cfg.adv_weight * adversarial
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()
            critic.requires_grad_(True)
            self.after_step(3, step, bar, {"g": loss_g.item(), "rec": rec.item(), "adv": adversarial.item(),
                                           "d": loss_d.item()},
                            {"g": opt_g, "d": opt_d})
        self.export("stage3", 3)
        self.export("brush", 3)

    def after_step(self, stage, step, bar, losses: dict, optimisers: dict):
        self.history.setdefault(stage, []).append(losses)
        bar.set_postfix({k: f"{v:.4f}" for k, v in losses.items()})
        done = step + 1
        if done % self.cfg.log_every == 0:
            self.log({"stage": stage, "step": done, **losses})
        if done % self.cfg.sample_every == 0 and stage != 2:
            self.samples(f"stage{stage}-{done:06d}")
        if done % self.cfg.ckpt_every == 0:
            self.state["stage"], self.state["step"] = stage, done
            self.checkpoint(optimisers)
            if stage != 2 and self.rt.main:   # held-out fidelity as it trains
                self.log({"stage": stage, "validated_at": done, "val": validate(unwrap(self.generator), self.val_actions,
                                                                         self.val_alpha, self.rt.device)})

    @torch.no_grad()
    def critic_accuracy(self) -> float:
        """Held-out accuracy of the critic at telling MyPaint strokes from the stage-1 generator's."""
        g, d = self.generator.eval(), self.critic.eval()
        actions = self.val_actions.to(self.rt.device)
        real = self.val_alpha.to(self.rt.device, torch.float32).div(255).unsqueeze(1)
        real_scores, fake_scores = d(actions, real), d(actions, g(actions))
        self.critic.train()
        return ((real_scores > 0).float().mean().item() + (fake_scores <= 0).float().mean().item()) / 2


@torch.no_grad()
def validate_images(generator, actions, device):
    was_training = generator.training
    generator.eval()
    out = generator(actions.to(device)).cpu()
    generator.train(was_training)
    return out


# ---------------------------------------------------------------------------------- CLI

def add_arguments(parser):
    parser.add_argument("--data", required=True, help="folder of .npz stroke shards (--tiny renders some if empty)")
    parser.add_argument("--out", required=True, help="folder for checkpoints, samples and the trained brush")
    parser.add_argument("--stages", type=int, nargs="+", default=[1, 2, 3], choices=[1, 2, 3])
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:N or auto")
    parser.add_argument("--tiny", action="store_true", help="a few steps of each stage on 512 strokes (CI)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    for f in fields(TrainConfig):
        if f.name in ("channels",):
            continue
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=type(f.default), default=None,
                            help=f"(default {f.default}; --tiny sets its own)")


def config_from_args(args) -> TrainConfig:
    cfg = TrainConfig.tiny() if args.tiny else TrainConfig()
    overrides = {f.name: getattr(args, f.name) for f in fields(TrainConfig) if getattr(args, f.name, None) is not None}
    cfg = TrainConfig(**{**asdict(cfg), **overrides})
    if cfg.feature not in ("pyramid", "vgg16"):
        raise ValueError(f"--feature must be pyramid or vgg16, not {cfg.feature}")
    if min(cfg.batch, cfg.steps1, cfg.steps2, cfg.steps3, cfg.ckpt_every, cfg.sample_every) < 1:
        raise ValueError("--batch, --steps*, --ckpt-every and --sample-every must be at least 1")
    if cfg.dab_guide not in (0, 1):
        raise ValueError(f"--dab-guide is 0 (none) or 1 (the dabs MyPaint paints), not {cfg.dab_guide}")
    return cfg


def run(args):
    cfg = config_from_args(args)
    if args.tiny and not any(Path(args.data).glob("*.npz")) and int(os.environ.get("RANK", "0")) == 0:
        make_dataset(args.data, TINY_STROKES, seed=cfg.seed, workers=1, progress=False)
    started = time.time()
    trainer = Trainer(args.data, args.out, cfg, device=args.device, progress=not args.no_progress)
    trainer.run(args.stages)
    if trainer.rt.main:
        print(json.dumps({"out": str(args.out), "seconds": round(time.time() - started, 1),
                          "stages_done": trainer.state["done"], **trainer.state["metrics"]}))
