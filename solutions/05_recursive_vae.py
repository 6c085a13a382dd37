"""Solutions to the exercises of notebook 05 · The image photocopier."""


def exercise_1():
    """A metric that improved under replace although the images got worse: precision (or density).
    Both measure fidelity: are samples where real digits are? Blurry samples land where many real
    digits' k-NN balls overlap, where fidelity metrics reward them; coverage and FD show the loss."""
    return "density"


def exercise_2(images=30_000):
    """Notebook 01's clock: with M samples per generation, sampling alone lowers E[log σ²] by about
    1/(M - 1) per generation."""
    return 1 / (images - 1)  # 3.3e-5
