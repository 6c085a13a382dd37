"""A variational autoencoder for MNIST that trains in seconds on a laptop CPU.

Why this design (Kingma & Welling 2014, and PyTorch's ``examples/vae``):

* **MLP, not conv.** One hidden layer of 256 units on each side (:class:`VAEConfig`'s default). On a 2-core CPU a dense layer is
  the cheapest way to buy capacity; a conv VAE of similar quality costs several times more per epoch.
* **Bernoulli decoder.** Each pixel's intensity in [0, 1] is scored by binary cross-entropy against
  the decoder's probability: the standard MNIST benchmark likelihood, so test losses compare with
  the literature (negative ELBO in nats per image: summed BCE + KL).
* **Two ways to draw an image**: z ~ N(0, I), then either the *decoder mean* sigmoid(decoder(z))
  (smooth grey levels in [0, 1], the usual way VAE samples are shown, and what Shumailov et al.'s
  code passes to the next generation), or a *Bernoulli sample* of every pixel from those
  probabilities (binary, speckled images: a draw from the distribution the model actually
  defines). Notebook 05 compares the two as inputs to the next generation.
* **A one-cycle learning rate and batches of 256** reach a good ELBO in a fixed, small number of
  epochs; at this batch size the matrix products run near the CPU's peak and per-step overhead
  is small (the course's generation 0: 20 epochs over 10,000 images, 800 steps).

Images are ``float32`` tensors of shape ``(n, 784)`` in [0, 1]. Everything is deterministic under
``VAEConfig.seed`` (initialisation, shuffling and reparameterisation noise use seeded generators).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import MAX_TORCH_SEED, check_images, check_int, check_positive, check_seed
from ..training import default_device, generator, one_cycle, seeded, shuffled_batches

PIXELS = 784

#: how a generated image is drawn from the decoder's pixel probabilities (see :meth:`VAE.sample`)
SAMPLING_MODES = ("mean", "bernoulli")


@dataclass(frozen=True)
class VAEConfig:
    """Architecture and training settings. The defaults *are* the course's VAE: generation 0 of
    notebook 04, which notebooks 05-06 copy (``collapselab.images.photocopier.GENERATION_ZERO`` is
    ``VAEConfig()``): 20 epochs over 10,000 images, 800 steps of 256, about 6 s on a 2-core CPU.

    Attributes:
        hidden: units in the encoder's and decoder's hidden layer.
        latent: dimensions of z.
        epochs: passes over the training images.
        batch_size: images per optimiser step.
        lr: peak learning rate of the one-cycle schedule (Adam).
        seed: seeds initialisation, shuffling and the reparameterisation noise.
    """

    hidden: int = 256
    latent: int = 20
    epochs: int = 20
    batch_size: int = 256
    lr: float = 1e-2
    seed: int = 0

    def __post_init__(self):
        # store plain Python numbers (a numpy scalar could never be read back by safe loading)
        for name in ("hidden", "latent", "epochs", "batch_size"):
            object.__setattr__(self, name, check_int(name, getattr(self, name), minimum=1))
        object.__setattr__(self, "seed", check_seed("seed", self.seed, MAX_TORCH_SEED))
        lr = check_positive("lr", self.lr)
        if lr > 1:
            raise ValueError(f"lr must be <= 1 (Adam diverges far below that; the default is 1e-2), got {lr}")
        object.__setattr__(self, "lr", lr)

    def as_dict(self) -> dict:
        return asdict(self)


class VAE(nn.Module):
    """encoder 784 -> hidden -> (mu, logvar) in R^latent; decoder latent -> hidden -> 784 logits."""

    def __init__(self, hidden: int = 256, latent: int = 20):
        super().__init__()
        self.latent = latent
        self.encoder = nn.Sequential(nn.Linear(PIXELS, hidden), nn.ReLU())
        self.to_mu = nn.Linear(hidden, latent)
        self.to_logvar = nn.Linear(hidden, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, PIXELS))

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(mu, logvar)``, each ``(n, latent)``, of q(z | x) for images ``x`` ``(n, 784)`` (moved
        to the model's device if needed)."""
        weight = self.to_mu.weight
        return self._encode(check_images(x, "x").to(device=weight.device, dtype=weight.dtype))

    def _encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.encoder(x)  # x already checked and on the model's device (the training loop's path)
        return self.to_mu(h), self.to_logvar(h)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Pixel probabilities ``(n, 784)`` in [0, 1] for latents ``z`` ``(n, latent)`` (on the
        model's device)."""
        return torch.sigmoid(self.decoder(z.to(self.to_mu.weight.device)))

    def forward(self, x: torch.Tensor, gen: torch.Generator | None = None):
        """``(logits, mu, logvar)`` with one reparameterised sample z = mu + sigma * eps, for a
        batch ``x`` ``(b, 784)`` already on the model's device (as the training loop passes it)."""
        mu, logvar = self._encode(x)
        eps = torch.randn(mu.shape, generator=gen, device=mu.device, dtype=mu.dtype)
        return self.decoder(mu + eps * torch.exp(0.5 * logvar)), mu, logvar

    @torch.no_grad()
    def sample(self, n: int, seed: int = 0, mode: str = "mean", batch_size: int = 4096) -> torch.Tensor:
        """``n`` generated images ``(n, 784)`` on the CPU from z ~ N(0, I): the decoder means
        (``mode="mean"``, grey levels in [0, 1]) or Bernoulli draws of every pixel from them
        (``mode="bernoulli"``, values 0 or 1). The same ``seed`` gives the same codes in both modes."""
        n = check_int("n", n, minimum=0)
        seed = check_seed("seed", seed, MAX_TORCH_SEED)
        batch_size = check_int("batch_size", batch_size, minimum=1)
        if mode not in SAMPLING_MODES:
            raise ValueError(f"mode must be one of {', '.join(SAMPLING_MODES)}, got {mode!r}")
        device = next(self.parameters()).device
        gen = generator(seed, device)
        pixel_gen = generator(seed + 1, device)
        out = torch.empty(n, PIXELS)  # filled batch by batch: no second copy of every image at the end
        for start in range(0, n, batch_size):
            z = torch.randn((min(batch_size, n - start), self.latent), generator=gen, device=device)
            images = self.decode(z)
            if mode == "bernoulli":
                images = torch.bernoulli(images, generator=pixel_gen)
            out[start : start + len(z)] = images.cpu()
        return out


def negative_elbo(logits: torch.Tensor, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Summed over the batch, in nats: binary cross-entropy of ``x`` under the decoder plus
    KL(q(z | x) || N(0, I)). Divide by the batch size for nats per image."""
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kl


def make_optimizer(model: nn.Module, lr: float) -> torch.optim.Optimizer:
    """Adam with the fused kernel (one pass over all parameters per step: about 25 % faster per
    epoch on a 2-core CPU than the default implementation)."""
    return torch.optim.Adam(model.parameters(), lr=lr, fused=True)


def train_step(model: VAE, x: torch.Tensor, optimizer: torch.optim.Optimizer, noise: torch.Generator) -> float:
    """One optimiser step on the batch ``x`` ``(b, 784)``; returns the batch's summed negative ELBO."""
    logits, mu, logvar = model(x, noise)
    loss = negative_elbo(logits, x, mu, logvar)
    optimizer.zero_grad(set_to_none=True)
    (loss / len(x)).backward()
    optimizer.step()
    return loss.item()


@dataclass
class TrainedVAE:
    """A trained model and how training went.

    Attributes:
        model: the :class:`VAE` (on the training device).
        config: the :class:`VAEConfig` it was trained with.
        train_loss: negative ELBO in nats per image, averaged over each epoch ``(epochs,)``.
        test_loss: negative ELBO on the held-out images after each epoch, if they were given.
    """

    model: VAE
    config: VAEConfig
    train_loss: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)

    def state(self) -> dict:
        """A payload of tensors and plain data for :mod:`collapselab.cache`."""
        return {"config": self.config.as_dict(), "weights": {k: v.cpu() for k, v in self.model.state_dict().items()},
                "train_loss": list(self.train_loss), "test_loss": list(self.test_loss)}

    @classmethod
    def from_state(cls, state: dict, device: torch.device | None = None) -> "TrainedVAE":
        config = VAEConfig(**state["config"])
        model = VAE(config.hidden, config.latent)
        model.load_state_dict(state["weights"])
        return cls(model.to(device or default_device()).eval(), config, list(state["train_loss"]), list(state["test_loss"]))


@torch.no_grad()
def evaluate(model: VAE, images: torch.Tensor, seed: int = 0, batch_size: int = 2000) -> float:
    """Negative ELBO in nats per image (one reparameterised sample per image, seeded)."""
    images = check_images(images)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    gen = generator(seed, device)
    total = 0.0
    for start in range(0, len(images), batch_size):
        x = images[start : start + batch_size].to(device)
        logits, mu, logvar = model(x, gen)
        total += negative_elbo(logits, x, mu, logvar).item()
    model.train(was_training)
    return total / len(images)


def train(
    images: torch.Tensor,
    config: VAEConfig = VAEConfig(),
    *,
    test_images: torch.Tensor | None = None,
    device: torch.device | str | None = None,
    progress: bool = True,
) -> TrainedVAE:
    """Train a VAE on ``images`` ``(n, 784)`` held in memory (no DataLoader, no per-image transforms).

    Each epoch shuffles the images with a seeded generator and slices batches straight out of the
    tensor. Shows a ``tqdm.auto`` progress bar over epochs when ``progress``.
    """
    images = check_images(images)
    if test_images is not None:
        test_images = check_images(test_images, "test_images")
    device = torch.device(device) if device else default_device()
    with seeded(config.seed):
        model = VAE(config.hidden, config.latent).to(device)
    optimizer = make_optimizer(model, config.lr)
    schedule = one_cycle(optimizer, config.lr, len(images), config.batch_size, config.epochs)
    shuffle_gen = generator(config.seed)
    noise_gen = generator(config.seed + 1, device)
    data = images.to(device)
    result = TrainedVAE(model, config)
    epochs = range(config.epochs)
    if progress:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc="training VAE", unit="epoch")
    for epoch in epochs:
        model.train()
        total = 0.0
        for index in shuffled_batches(len(data), config.batch_size, shuffle_gen):
            total += train_step(model, data[index.to(device)], optimizer, noise_gen)
            schedule.step()
        result.train_loss.append(total / len(data))
        if not math.isfinite(result.train_loss[-1]):
            raise FloatingPointError(f"VAE training diverged: the loss is {result.train_loss[-1]} in epoch "
                                     f"{epoch + 1}; lower the learning rate (lr={config.lr:g}, default 1e-2)")
        if test_images is not None:
            result.test_loss.append(evaluate(model, test_images))
        if progress:
            epochs.set_postfix(loss=f"{result.train_loss[-1]:.1f}")
    model.eval()
    return result
