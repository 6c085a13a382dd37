"""The text family: Tiny Shakespeare, a character-level language model, the metrics that score
what it writes, and the language photocopier (notebook 07).

* :mod:`~collapselab.text.corpus`: the corpus, its split, its characters and passages;
* :mod:`~collapselab.text.lm`: the GRU language model, trained and sampled;
* :mod:`~collapselab.text.metrics`: distinct-n, repetition, real and rare words, ...;
* :mod:`~collapselab.text.photocopier`: generations of language models through the engine.
"""
