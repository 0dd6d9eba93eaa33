"""The speech notebook's checkers accept right answers and catch the usual slips."""

import math

import torch

from course_utils import exercises


def test_frame_signal():
    def right(x, frame_length, hop_length):
        count = 1 + (len(x) - frame_length) // hop_length
        return torch.stack(
            [x[t * hop_length : t * hop_length + frame_length] for t in range(count)]
        )

    def one_frame_short(x, frame_length, hop_length):  # the off-by-one
        count = (len(x) - frame_length) // hop_length
        return torch.stack(
            [
                x[t * hop_length : t * hop_length + frame_length]
                for t in range(max(count, 1))
            ]
        )

    def transposed(x, frame_length, hop_length):
        return right(x, frame_length, hop_length).T

    def not_yet(x, frame_length, hop_length):
        raise NotImplementedError

    assert exercises.check_frame_signal(right, verbose=False)
    assert not exercises.check_frame_signal(one_frame_short, verbose=False)
    assert not exercises.check_frame_signal(transposed, verbose=False)
    result = exercises.check_frame_signal(not_yet, verbose=False)
    assert not result and "not written yet" in result.message


def test_hz_to_mel():
    def right(frequency):
        return 2595 * torch.log10(1 + frequency / 700)

    def natural_log(frequency):  # ln instead of log10 needs 1127, not 2595
        return 2595 * torch.log(1 + frequency / 700)

    def natural_log_form(frequency):  # 1127 ln(1 + f/700): the same scale, accepted
        return 1127.0 * torch.log(1 + frequency / 700)

    assert exercises.check_hz_to_mel(right, verbose=False)
    assert exercises.check_hz_to_mel(natural_log_form, verbose=False)
    assert not exercises.check_hz_to_mel(natural_log, verbose=False)
    assert not exercises.check_hz_to_mel(lambda frequency: frequency, verbose=False)
    assert math.isclose(float(right(torch.tensor(1000.0))), 1000.0, abs_tol=0.1)
