"""Image metrics: what a generation of generated digits has lost, in numbers.

All metrics compare generated images with a *reference* set of real images (the 10,000 MNIST test
images by default), in the evaluation classifier's 128-d feature space unless noted.

========================  ==============================================================  ==========
metric                    what it measures                                                better
========================  ==============================================================  ==========
``fd``                    Fréchet distance between Gaussians fitted to real and          lower
                          generated features ("FID for MNIST"): quality and diversity
``precision``             share of generated images inside the real k-NN manifold        higher
                          (Kynkäänniemi et al. 2019; k = 3). Inflated by outliers: the
                          balls around the sparsest real images are huge, so even blobs
                          and noise can land inside them
``recall``                share of real images inside the generated k-NN manifold:       higher
                          is every kind of real image still produced? Inflated the same
                          way by generated outliers
``density``               how many real k-NN balls (k = 5) contain each generated image,  near 1
                          divided by k (Naeem et al. 2020): are samples where real images
                          are? About 1 for real images (and for samples that all sit at
                          one typical spot: density is fidelity, not variety)
``coverage``              share of real images whose k-NN ball (k = 5) contains at least  higher
                          one generated image: the robust version of recall. About 0.97
                          for real images, 0 for noise
``class_entropy``         entropy (nats) of the predicted-digit histogram; log 10 =      higher
                          2.303 when all ten digits are equally common
``kl_uniform``            KL(histogram || uniform) = log 10 - entropy: class imbalance    lower
``confidence``            mean top-class probability: how recognisable the digits are    higher
``pixel_diversity``       mean Euclidean distance between two images, in pixel space     near real
``tail_share``            share of images that are confidently recognised digits         near real
                          (confidence > 0.9) *and* lie farther from their class's mean
                          feature than 90 % of real digits of that class do: the rare
                          styles (slanted, thick, open, unusual). Real digits score about
                          0.1; blurry off-manifold samples do not count as "tail"
========================  ==============================================================  ==========
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .._checks import check_fraction, check_images, check_int, check_probability_vectors

LOG10 = float(np.log(10))


def _features(x) -> torch.Tensor:
    x = torch.as_tensor(x, dtype=torch.float64) if not isinstance(x, torch.Tensor) else x.to(torch.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"features must be a 2-D array with at least 2 rows, got shape {tuple(x.shape)}")
    if not torch.isfinite(x).all():
        raise ValueError("features contain NaN or inf")
    return x


def frechet_distance(real, fake) -> float:
    """‖μ_r − μ_f‖² + Tr(Σ_r + Σ_f − 2 (Σ_r Σ_f)^½) between Gaussians fitted to two feature sets
    ``(n, d)`` and ``(m, d)``. Zero for identical sets; larger = further apart."""
    a, b = _features(real), _features(fake)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feature dimensions differ: {a.shape[1]} vs {b.shape[1]}")
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = torch.atleast_2d(torch.cov(a.T)), torch.atleast_2d(torch.cov(b.T))
    # Tr (Σa Σb)^½ = Tr (Σa^½ Σb Σa^½)^½, computed with symmetric eigendecompositions
    vals, vecs = torch.linalg.eigh(cov_a)
    root_a = vecs @ torch.diag(vals.clamp(min=0).sqrt()) @ vecs.T
    middle = torch.linalg.eigvalsh(root_a @ cov_b @ root_a).clamp(min=0).sqrt().sum()
    value = (mu_a - mu_b).pow(2).sum() + torch.trace(cov_a) + torch.trace(cov_b) - 2 * middle
    return float(value.clamp(min=0))


def _pairwise_min(query: torch.Tensor, ref: torch.Tensor, fn, chunk: int = 1024):
    return torch.cat([fn(torch.cdist(query[i : i + chunk], ref)) for i in range(0, len(query), chunk)])


def knn_radii(features, k: int = 3) -> torch.Tensor:
    """Distance from each row of ``features`` ``(n, d)`` to its k-th nearest other row: ``(n,)``."""
    x = _features(features).float()
    k = check_int("k", k, minimum=1)
    if k >= len(x):
        raise ValueError(f"k must be smaller than the number of points ({len(x)}), got {k}")
    return _pairwise_min(x, x, lambda d: d.topk(k + 1, dim=1, largest=False).values[:, k])


def _covered(query: torch.Tensor, ref: torch.Tensor, radii: torch.Tensor) -> torch.Tensor:
    """For each query row, whether it lies within ``radii[j]`` of some ``ref[j]``."""
    return _pairwise_min(query, ref, lambda d: (d <= radii[None, :]).any(dim=1))


def precision_recall(real, fake, k: int = 3, real_radii: torch.Tensor | None = None) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019) of ``fake`` against ``real``.

    The real manifold is the union of balls around each real point with radius = distance to its
    k-th nearest real neighbour; likewise for the generated manifold. Precision = share of generated
    points inside the real manifold; recall = share of real points inside the generated one.
    Pass ``real_radii`` (from :func:`knn_radii`) to reuse the real manifold across calls."""
    a, b = _features(real).float(), _features(fake).float()
    precision = _covered(b, a, knn_radii(a, k) if real_radii is None else real_radii).float().mean()
    recall = _covered(a, b, knn_radii(b, k)).float().mean()
    return float(precision), float(recall)


def density_coverage(real, fake, k: int = 5, real_radii: torch.Tensor | None = None) -> tuple[float, float]:
    """Density and coverage (Naeem et al. 2020) of ``fake`` ``(m, d)`` against ``real`` ``(n, d)``.

    Both use only the *real* k-NN balls (radius = distance to the k-th nearest real neighbour), so
    generated outliers cannot inflate them, and a generated point inside a single sparse real
    point's large ball counts 1/k towards density (it counts fully towards precision). Density = the mean number of real balls that contain a
    generated point, divided by k (about 1 for any point where real data lie, since each ball holds
    k real neighbours; above 1 where the balls overlap more than average). Coverage = the share of
    real points whose ball contains at least one generated point. Pass ``real_radii`` (from :func:`knn_radii` with the same ``k``)
    to reuse them across calls."""
    a, b = _features(real).float(), _features(fake).float()
    radii = knn_radii(a, k) if real_radii is None else real_radii
    hits = torch.zeros(len(a), dtype=torch.long)  # generated points inside each real ball
    inside = 0
    for start in range(0, len(b), 1024):
        within = torch.cdist(b[start : start + 1024], a) <= radii[None, :]
        inside += int(within.sum())
        hits += within.sum(dim=0)
    return inside / (k * len(b)), float((hits > 0).float().mean())


def class_histogram(predictions, n_classes: int = 10) -> np.ndarray:
    """Share of each predicted class: ``(n_classes,)``, summing to 1."""
    p = np.asarray(predictions)
    if p.ndim != 1 or len(p) == 0 or not np.issubdtype(p.dtype, np.integer):
        raise ValueError("predictions must be a non-empty 1-D array of integer class indices")
    if p.min() < 0 or p.max() >= n_classes:
        raise ValueError(f"predictions must lie in [0, {n_classes - 1}], got values from {p.min()} to {p.max()}")
    return np.bincount(p, minlength=n_classes) / len(p)


def class_entropy(histogram) -> float:
    """Entropy in nats of a class histogram (shares ``(K,)`` summing to 1, e.g. from
    :func:`class_histogram`): log 10 for balanced digits, 0 for a single digit. Counts are refused:
    divide them by their sum."""
    h = check_probability_vectors("histogram", histogram)
    if h.ndim != 1:
        raise ValueError(f"histogram must be one vector of class shares (shape (K,)), got shape {h.shape}")
    nz = h[h > 0]
    return float(-(nz * np.log(nz)).sum())


def pixel_diversity(images: torch.Tensor, n: int = 2000, seed: int = 0) -> float:
    """Mean Euclidean distance between two distinct images, over ``n`` images drawn at random
    (seeded), in pixel units (images ``(m, 784)`` in [0, 1]). 0 when every image is the same."""
    n = check_int("n", n, minimum=2)
    images = check_images(images)
    if len(images) < 2:
        raise ValueError("pixel_diversity needs at least 2 images")
    index = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))[:n]
    x = images[index]
    d = torch.cdist(x, x)
    return float(d.sum() / (len(x) * (len(x) - 1)))


@dataclass
class Reference:
    """What the metrics need from the real reference set, computed once by :func:`make_reference`.

    Attributes:
        features: ``(n, 128)`` classifier features of the real images.
        radii: ``(n,)`` each real point's k-NN radius (for precision/recall, ``k``).
        dc_radii: ``(n,)`` each real point's k-NN radius for density/coverage (``dc_k``).
        centroids: ``(10, 128)`` mean feature of the real images of each predicted class.
        tail_radius: ``(10,)`` per class, the distance to the centroid beyond which the farthest
            ``1 - tail_quantile`` of that class's real images lie.
        k: neighbours for precision/recall. dc_k: neighbours for density/coverage.
    """

    features: torch.Tensor
    radii: torch.Tensor
    dc_radii: torch.Tensor
    centroids: torch.Tensor
    tail_radius: torch.Tensor
    k: int
    dc_k: int


#: a generated image counts towards ``tail_share`` only if the classifier is at least this sure of it
TAIL_CONFIDENCE = 0.9


def make_reference(classifier, real_images: torch.Tensor, k: int = 3, tail_quantile: float = 0.9,
                   dc_k: int = 5) -> Reference:
    """Precompute the reference from ``real_images`` ``(n, 784)``: features, k-NN radii (``k`` for
    precision/recall, ``dc_k`` for density/coverage), class centroids and the per-class tail
    radius at ``tail_quantile``."""
    check_fraction("tail_quantile", tail_quantile)
    features, probabilities = classifier.features_and_probabilities(real_images)
    labels = probabilities.argmax(dim=1)
    counts = torch.bincount(labels, minlength=10)
    if int(counts.min()) < 2:
        digit = int(counts.argmin())
        raise ValueError(f"the classifier predicts digit {digit} for only {int(counts.min())} of the "
                         f"{len(real_images)} reference images, so it cannot describe that class; train it "
                         "on more images (ClassifierConfig(n_train=...)) or use more reference images")
    centroids = torch.stack([features[labels == c].mean(0) for c in range(10)])
    distance = (features - centroids[labels]).norm(dim=1)
    tail_radius = torch.stack([torch.quantile(distance[labels == c], tail_quantile) for c in range(10)])
    return Reference(features, knn_radii(features, k), knn_radii(features, dc_k), centroids, tail_radius, k, dc_k)


def tail_share(reference: Reference, features: torch.Tensor, probabilities: torch.Tensor) -> float:
    """Share of images (given by their ``features`` ``(n, 128)`` and class ``probabilities``
    ``(n, 10)``) that are confidently recognised and lie in the outer tail of their class."""
    features, probabilities = torch.as_tensor(features), torch.as_tensor(probabilities)
    n, classes = len(reference.centroids), reference.centroids.shape
    if features.ndim != 2 or features.shape[1] != classes[1] or len(features) == 0:
        raise ValueError(f"features must have shape (n, {classes[1]}) like the reference's, got {tuple(features.shape)}")
    if probabilities.shape != (len(features), n):
        raise ValueError(f"probabilities must have shape ({len(features)}, {n}): one row of class probabilities "
                         f"per image, got {tuple(probabilities.shape)}")
    confidence, label = probabilities.max(dim=1)
    distance, radius = class_distance(reference, features, label)
    return float(((distance > radius) & (confidence > TAIL_CONFIDENCE)).float().mean())


def class_distance(reference: Reference, features: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(distance, radius)``, both ``(n,)``: how far each image's ``features`` ``(n, 128)`` lie from
    the mean feature of its class (``labels`` ``(n,)``, the classifier's predictions), and that
    class's tail radius; ``distance > radius`` puts an image in its class's tail (``tail_share``)."""
    return (features.float() - reference.centroids[labels]).norm(dim=1), reference.tail_radius[labels]


def blur(images: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
    """Gaussian-blurred copies of ``images`` ``(n, 784)`` (``sigma`` in pixels): a calibration set
    that keeps every digit's identity and position but loses its sharp strokes, like a VAE's
    decoder means do."""
    from .._checks import check_positive

    sigma = check_positive("sigma", sigma)
    images = check_images(images)
    radius = max(1, int(3 * sigma))
    x = torch.arange(-radius, radius + 1, dtype=torch.float32)
    kernel = torch.exp(-0.5 * (x / sigma) ** 2)
    kernel /= kernel.sum()
    out = torch.empty_like(images)
    rows = 1000  # images per chunk: a convolution's workspace grows with the batch
    for start in range(0, len(images), rows):
        chunk = images[start : start + rows].reshape(-1, 1, 28, 28)
        chunk = torch.nn.functional.conv2d(chunk, kernel.view(1, 1, 1, -1), padding=(0, radius))
        chunk = torch.nn.functional.conv2d(chunk, kernel.view(1, 1, -1, 1), padding=(radius, 0))
        out[start : start + rows] = chunk.reshape(-1, 784).clamp_(0.0, 1.0)
    return out


def evaluate(images: torch.Tensor, classifier, reference: Reference) -> dict:
    """Every metric of the module docstring for ``images`` ``(n, 784)``, plus ``histogram`` (10 shares)."""
    features, probs = classifier.features_and_probabilities(images)
    histogram = class_histogram(probs.argmax(dim=1).numpy())
    precision, recall = precision_recall(reference.features, features, reference.k, reference.radii)
    density, coverage = density_coverage(reference.features, features, reference.dc_k, reference.dc_radii)
    entropy = class_entropy(histogram)
    return {
        "fd": frechet_distance(reference.features, features),
        "precision": precision,
        "recall": recall,
        "density": density,
        "coverage": coverage,
        "class_entropy": entropy,
        "kl_uniform": LOG10 - entropy,
        "confidence": float(probs.max(dim=1).values.mean()),
        "pixel_diversity": pixel_diversity(images),
        "tail_share": tail_share(reference, features, probs),
        "histogram": histogram,
    }
