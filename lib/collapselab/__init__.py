"""collapselab: the shared library of Model Collapse Lab.

One module per idea of the course:

* :mod:`~collapselab.recursion` and :mod:`~collapselab.policies`: the one engine (fit -> sample ->
  build the next training set) and the policies that build that set.
* :mod:`~collapselab.gaussian`: the 1-D Gaussian photocopier and its closed forms.
* :mod:`~collapselab.plots`: the course's figure conventions.
* :mod:`~collapselab.exercises`: checkers for the notebooks' exercises.
"""

__version__ = "0.1.0"
