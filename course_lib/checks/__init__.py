"""One check per graded exercise: ``check_<exercise>(student_function, seed=0, hidden=False)``.

A check runs randomized cases against an independent oracle (PyTorch's op, autograd, central
differences or a closed form). It returns None when the function is right and raises
AssertionError naming the case, the first wrong index, the max error and the likely cause
when it is not. It prints nothing to stderr, and it rejects a function that delegates to
PyTorch or to course_lib.reference.
"""

from course_lib.checks._core import student_or_reference
from course_lib.checks.conv import (
    check_conv2d_backward,
    check_conv2d_forward,
    check_conv2d_forward_loops,
    check_conv_output_size,
    check_maxpool2d_backward,
    check_maxpool2d_forward,
)

__all__ = [
    "student_or_reference",
    "check_conv_output_size",
    "check_conv2d_forward_loops",
    "check_conv2d_forward",
    "check_conv2d_backward",
    "check_maxpool2d_forward",
    "check_maxpool2d_backward",
]
