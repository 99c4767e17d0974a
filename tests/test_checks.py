"""How the checks behave around the student's code: silent on stderr, None on success, clear
feedback, anti-cheat that cannot be dodged by renaming, and the reference fallback."""

import sys
import warnings

import numpy as np
import pytest

from course_lib import checks, reference
from tests.catalog.conv import conv_im2col, conv_loops, pool_backward_loops, size_formula


def test_success_returns_none_and_prints_nothing(capfd):
    assert checks.check_conv2d_forward(conv_im2col) is None
    assert checks.check_maxpool2d_backward(pool_backward_loops) is None
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_student_noise_on_stderr_is_swallowed(capfd):
    def noisy(x, w, b, stride=1, pad=0):
        print("debugging...", file=sys.stderr)
        warnings.warn("a warning from student code", stacklevel=1)
        np.log(np.zeros(1))  # RuntimeWarning: divide by zero
        return conv_im2col(x, w, b, stride, pad)

    checks.check_conv2d_forward(noisy)
    assert capfd.readouterr().err == ""


def test_stub_raises_not_implemented_unchanged():
    def stub(x, w, b, stride=1, pad=0):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        checks.check_conv2d_forward_loops(stub)


def test_non_callable_is_a_type_error():
    with pytest.raises(TypeError, match="function"):
        checks.check_conv_output_size(42)


def test_forgotten_return_is_named():
    def no_return(x, w, b, stride=1, pad=0):
        conv_loops(x, w, b, stride, pad)

    with pytest.raises(AssertionError, match="tuple"):
        checks.check_conv2d_forward_loops(no_return)

    def returns_none_out(x, w, b, stride=1, pad=0):
        return None, (x, w, b, stride, pad)

    with pytest.raises(AssertionError, match="forget to return"):
        checks.check_conv2d_forward_loops(returns_none_out)


def test_anti_cheat_sees_through_renamed_imports():
    from torch.nn.functional import conv2d as innocent_looking

    from course_lib.reference import conv2d_forward as helper

    def via_alias(x, w, b, stride=1, pad=0):
        import torch

        out = innocent_looking(
            torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), stride, pad
        )
        return out.numpy(), (x, w, b, stride, pad)

    def via_reference(x, w, b, stride=1, pad=0):
        return helper(x, w, b, stride, pad)

    for fn in (via_alias, via_reference):
        with pytest.raises(AssertionError, match="implement the operation yourself"):
            checks.check_conv2d_forward(fn)


def test_failure_names_case_index_error_and_cause():
    def off(n, k, pad=0, stride=1):
        return size_formula(n, k, pad, stride) + (1 if stride == 2 else 0)

    with pytest.raises(AssertionError) as err:
        checks.check_conv_output_size(off)
    assert "case 'slides: 5x5, 3x3 filter, pad 1, stride 2" in str(err.value)


def test_hidden_cases_differ_from_visible_ones():
    """A function special-cased on the visible shapes must fail the hidden ones."""
    visible_shapes = set()

    def recorder(x, w, b, stride=1, pad=0):
        visible_shapes.add((x.shape, w.shape, stride, pad))
        return conv_im2col(x, w, b, stride, pad)

    checks.check_conv2d_forward_loops(recorder)

    def memorised(x, w, b, stride=1, pad=0):
        if (x.shape, w.shape, stride, pad) in visible_shapes:
            return conv_im2col(x, w, b, stride, pad)
        return np.zeros((1,)), (x, w, b, stride, pad)

    checks.check_conv2d_forward_loops(memorised)
    with pytest.raises(AssertionError):
        checks.check_conv2d_forward_loops(memorised, seed=11, hidden=True)


def test_student_or_reference_falls_back(capsys):
    def stub(*args):
        raise NotImplementedError()

    assert (
        checks.student_or_reference(stub, reference.conv2d_forward, checks.check_conv2d_forward)
        is reference.conv2d_forward
    )
    assert "not implemented yet" in capsys.readouterr().out
    assert (
        checks.student_or_reference(
            conv_im2col, reference.conv2d_forward, checks.check_conv2d_forward
        )
        is conv_im2col
    )
    assert "your implementation" in capsys.readouterr().out
