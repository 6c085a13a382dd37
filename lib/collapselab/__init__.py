"""collapselab: the shared library of Model Collapse Lab.

Three parts, for three audiences (``ls`` shows them):

**The learner's library**, one idea per module:

* the engine: :mod:`~collapselab.recursion` (fit -> sample -> build the next training set) and
  :mod:`~collapselab.policies` (what the next generation trains on), :mod:`~collapselab.seeds`
  (one seed per use), :mod:`~collapselab.photocopier` (the same engine for trained networks:
  cached generations, scored against generation 0);
* the toy models of notebooks 01-03: :mod:`~collapselab.gaussian`, :mod:`~collapselab.categorical`,
  :mod:`~collapselab.mixture`, :mod:`~collapselab.regression`, and their :mod:`~collapselab.metrics`;
* the two families of trained models: :mod:`collapselab.images` (MNIST, a VAE, the evaluation
  classifier, image metrics, the image photocopier) and :mod:`collapselab.text` (Tiny
  Shakespeare, a character-level language model, text metrics, the language photocopier);
* plumbing they share: :mod:`~collapselab.data` (the data folder, verified downloads, MNIST),
  :mod:`~collapselab.cache`, :mod:`~collapselab.training`, :mod:`~collapselab.batches`,
  :mod:`~collapselab.plots`, :mod:`~collapselab.report`, :mod:`~collapselab.environment`.

**The course's content**, :mod:`collapselab.course`: the lesson map, the experiments notebooks
04-07 run, the claims they make and the exercises' checkers.

**Build tooling**, :mod:`collapselab.tools`: ``python -m collapselab`` (the CLI), cache warming,
the student edition and the website.
"""

__version__ = "0.1.0"
