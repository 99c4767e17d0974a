"""The instructor's reference implementation of every graded exercise.

Notebooks use these in the cells after an exercise, so that a student who could not
finish an exercise can still run the rest of the lecture. The checks never use them as
the oracle (the oracle is PyTorch, autograd or a closed form), and a student's function
that calls them is rejected.
"""

from course_lib.reference.conv import (
    conv2d_backward,
    conv2d_forward,
    conv2d_forward_loops,
    conv_output_size,
    maxpool2d_backward,
    maxpool2d_forward,
)

__all__ = [
    "conv_output_size",
    "conv2d_forward_loops",
    "conv2d_forward",
    "conv2d_backward",
    "maxpool2d_forward",
    "maxpool2d_backward",
]
