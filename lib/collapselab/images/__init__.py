"""The image family: real MNIST digits, a VAE that learns to write them, a classifier that reads
them, the metrics that score a set of images, and the image photocopier (notebooks 04-06).

* :mod:`~collapselab.images.vae`: the VAE (:class:`~collapselab.images.vae.VAEConfig` is the
  course's generation 0);
* :mod:`~collapselab.images.classifier`: the evaluation classifier (the instrument) and the
  second one (the detector's and the curator's);
* :mod:`~collapselab.images.metrics`: FD, precision/recall, density/coverage, class entropy, ...;
* :mod:`~collapselab.images.photocopier`: generations of VAEs through the engine.

MNIST itself is loaded by :mod:`collapselab.data`.
"""
