"""The course's content, kept apart from the library it runs on: the lesson map
(:mod:`~collapselab.course.lessons`), the experiments notebooks 04-07 run
(:mod:`~collapselab.course.experiments`), the claims they make about them
(:mod:`~collapselab.course.claims`) and the checkers of the exercises
(:mod:`~collapselab.course.exercises`)."""
