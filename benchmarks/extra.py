"""Library benchmarks for the MNIST models, printed as JSON rows for benchmarks/run.py.

Each row: [what, value, target, verdict]. Measures
* the course's generation-0 VAE (``photocopier.GENERATION_ZERO`` on 10,000 real digits, the model
  notebooks 04-06 train): seconds of training and test loss (bar: <= 112 nats in <= 12 s);
* seconds per epoch of the in-memory training loop against a conventional torchvision
  DataLoader + ToTensor loop over the same model, data and batch size (target: >= 3x faster);
* the evaluation classifier: seconds of training and test accuracy (bar: >= 99.0 %).
"""

from __future__ import annotations

import json
import sys
import time

from collapselab.images import classifier, photocopier, vae
from collapselab import data
from collapselab.training import generator, one_cycle, seeded


def dataloader_epoch_seconds(config: vae.VAEConfig) -> float:
    """One epoch of the same VAE, fed the conventional way: a Dataset of PIL images, ToTensor per
    item, a DataLoader collating batches."""
    import torchvision
    from torch.utils.data import DataLoader

    dataset = torchvision.datasets.MNIST(str(data.data_root()), train=True, transform=torchvision.transforms.ToTensor())
    loader = DataLoader(dataset, batch_size=config.batch_size, shuffle=True, generator=generator(0))
    with seeded(0):
        model = vae.VAE(config.hidden, config.latent)
    optimizer = vae.make_optimizer(model, config.lr)
    schedule = one_cycle(optimizer, config.lr, len(dataset), config.batch_size, 1)
    noise = generator(1)
    start = time.perf_counter()
    for x, _ in loader:
        vae.train_step(model, x.view(len(x), -1), optimizer, noise)  # the very same step as vae.train
        schedule.step()
    return time.perf_counter() - start


def main() -> None:
    images, labels = data.load_mnist(train=True)
    test_images, test_labels = data.load_mnist(train=False)
    config = photocopier.GENERATION_ZERO
    real = images[data.balanced_subset(labels.numpy(), photocopier.RunConfig().n_images, seed=0)]
    start = time.perf_counter()
    trained = vae.train(real, config, progress=False)
    train_seconds = time.perf_counter() - start
    loss = vae.evaluate(trained.model, test_images)
    in_memory = train_seconds / config.epochs * len(images) / len(real)  # seconds per epoch over all 60k
    loader = dataloader_epoch_seconds(config)
    start = time.perf_counter()
    net = classifier.train(images, labels)
    clf_seconds = time.perf_counter() - start
    accuracy = classifier.Classifier(net, classifier.ClassifierConfig(), float("nan")).accuracy(test_images, test_labels)
    rows = [
        [f"generation-0 VAE: training seconds (10k images, {config.epochs} epochs)", round(train_seconds, 1), "<= 12",
         "yes" if train_seconds <= 12 else "NO"],
        ["generation-0 VAE: test loss, nats per image", round(loss, 2), "<= 112", "yes" if loss <= 112 else "NO"],
        ["VAE epoch over 60k images, in-memory loop (s)", round(in_memory, 2), "", ""],
        ["VAE epoch over 60k images, DataLoader + ToTensor loop (s)", round(loader, 2), "", ""],
        ["in-memory speed-up over DataLoader (x)", round(loader / in_memory, 1), ">= 3",
         "yes" if loader / in_memory >= 3 else "NO"],
        ["evaluation classifier: training seconds", round(clf_seconds, 1), "", ""],
        ["evaluation classifier: test accuracy", round(accuracy, 4), ">= 0.99", "yes" if accuracy >= 0.99 else "NO"],
    ]
    json.dump(rows, sys.stdout)


if __name__ == "__main__":
    main()
