"""The course map: the notebooks in order, their ideas and their time budgets on a 2-core CPU.

One source of truth for notebook 00's map, the README table and the benchmark's budgets.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lesson:
    number: str
    slug: str
    idea: str
    budget_s: int

    @property
    def filename(self) -> str:
        return f"{self.number}_{self.slug}.ipynb"


LESSONS = (
    Lesson("00", "welcome", "the photocopier metaphor, how to use the course, environment check", 10),
    Lesson("01", "gaussian_photocopier", "fit, sample, refit a 1-D Gaussian: variance collapses, the mean wanders", 60),
    Lesson("02", "vanishing_tails", "rare categories die for good, heavy tails are cut, a small mode dies in some chains, grows in others", 90),
    Lesson("03", "breaking_the_curse", "replace vs accumulate vs fresh data vs filtering, against closed forms", 90),
    Lesson("04", "vae_on_mnist", "the generation-0 VAE on real MNIST, its metrics and the evaluation classifier", 120),
    Lesson("05", "recursive_vae", "generations of VAEs trained on their predecessor's samples", 180),
    Lesson("06", "mitigations_at_scale", "fresh data, accumulation, detection, provenance, curated data on the VAE loop", 180),
    Lesson("07", "language_photocopier", "a character-level language model retrained on its own text", 180),
)


def print_map(available: set[str] | None = None) -> None:
    """Print the notebook map; with ``available`` (file names), mark the notebooks not yet written."""
    print(f"{'#':<3} {'notebook':<26} {'budget':>7}  idea")
    for lesson in LESSONS:
        mark = "" if available is None or lesson.filename in available else "  (coming soon)"
        print(f"{lesson.number:<3} {lesson.slug:<26} {lesson.budget_s:>5} s  {lesson.idea}{mark}")
