"""Build tooling, for instructors and contributors rather than learners: the command line
(:mod:`~collapselab.tools.cli`, ``python -m collapselab``), cache warming
(:mod:`~collapselab.tools.warm`), the student edition (:mod:`~collapselab.tools.student`) and the
course website (:mod:`~collapselab.tools.site`)."""
