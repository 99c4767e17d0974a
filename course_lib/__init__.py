"""course_lib: the helper package of the deep-learning course.

One concept a module:

- ``env``        version guard, grading mode, environment report
- ``data``       datasets (scikit-learn digits offline; MNIST/Fashion-MNIST via torchvision)
- ``reference``  the instructor's reference implementation of every exercise
- ``checks``     one check per graded exercise, against independent oracles
- ``plotting``   image grids, live training curves, filters and feature maps
- ``widgets``    one ipywidgets explorer per lecture
- ``train``      a small readable training loop, seeding and device choice
- ``workspace``  the student's own working copy of the notebooks
- ``release``    regenerate the student notebooks with nbgrader
"""

__version__ = "0.1.0"

from course_lib.env import require  # noqa: E402

__all__ = ["__version__", "require"]
