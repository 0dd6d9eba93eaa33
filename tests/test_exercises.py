"""Exercise checkers must pass right answers and catch wrong ones, with a useful message."""

import pytest
import torch
import torch.nn.functional as F

from course_utils import exercises
from course_utils.exercises import (
    ExerciseFailed,
    check_conv2d,
    check_function,
    check_max_pool2d,
    check_rnn_sequence,
    check_softmax_with_temperature,
)
from course_utils.nn.functional import conv2d, max_pool2d


def test_right_answers_pass(capsys):
    assert check_conv2d(conv2d)
    assert check_conv2d(conv2d, stride=True).cases == 24
    assert check_max_pool2d(max_pool2d)
    assert capsys.readouterr().out.count("PASS") == 3


def test_forgetting_padding_is_caught():
    def no_padding(input, weight, padding=0):
        return F.conv2d(input, weight)

    result = check_conv2d(no_padding)
    assert not result.passed
    assert "expected shape" in result.message and "padding=1" in result.message


def test_flipping_the_kernel_is_caught():
    def flipped(input, weight, padding=0):
        return F.conv2d(input, weight.flip(-1, -2), padding=padding)

    result = check_conv2d(flipped, strict=False)
    assert not result.passed and "values differ" in result.message


def test_unwritten_and_crashing_functions_are_reported_not_raised():
    def todo(input, weight, padding=0):
        raise NotImplementedError

    def crashes(input, kernel_size, stride=None):
        return input[99]

    assert "not written yet" in check_conv2d(todo).message
    assert "IndexError" in check_max_pool2d(crashes).message


def test_strict_mode_raises():
    with pytest.raises(ExerciseFailed, match="NOT YET"):
        check_function(
            lambda x: x + 1, lambda x: x, [{"x": torch.zeros(2)}], strict=True
        )


def test_non_tensor_result_and_bad_arguments():
    result = check_function(
        lambda x: None, lambda x: x, [{"x": torch.zeros(2)}], verbose=False
    )
    assert "expected a tensor, got NoneType" in result.message
    with pytest.raises(TypeError, match="function to check"):
        check_function(3, lambda x: x, [{"x": torch.zeros(2)}])
    with pytest.raises(ValueError, match="at least one case"):
        check_function(lambda x: x, lambda x: x, [])


# ----------------------------------------------------------------------------- recurrent networks


def rnn_sequence(input, h0, w_ih, w_hh, b_ih, b_hh):
    from course_utils.nn.functional import rnn_cell

    states, h = [], h0
    for x_t in input:
        h = rnn_cell(x_t, h, w_ih, w_hh, b_ih, b_hh)
        states.append(h)
    return torch.stack(states)


def test_rnn_sequence_right_answer_passes():
    result = check_rnn_sequence(rnn_sequence, strict=True)
    assert result.passed and result.cases == 12


def test_rnn_sequence_mistakes_are_caught():
    def forgets_the_state(input, h0, w_ih, w_hh, b_ih, b_hh):
        return torch.tanh(input @ w_ih.T + b_ih + h0 @ w_hh.T + b_hh)  # h0 every step

    def returns_only_the_last(input, h0, w_ih, w_hh, b_ih, b_hh):
        return rnn_sequence(input, h0, w_ih, w_hh, b_ih, b_hh)[-1]

    assert "values differ" in check_rnn_sequence(forgets_the_state).message
    assert "expected shape" in check_rnn_sequence(returns_only_the_last).message


def test_softmax_with_temperature_needs_the_max_trick():
    def naive(logits, temperature):
        e = (logits / temperature).exp()
        return e / e.sum(-1, keepdim=True)

    def stable(logits, temperature):
        z = logits / temperature
        e = (z - z.amax(-1, keepdim=True)).exp()
        return e / e.sum(-1, keepdim=True)

    def multiplies(logits, temperature):
        return torch.softmax(logits * temperature, dim=-1)

    assert check_softmax_with_temperature(stable, strict=True).cases == 16
    assert not check_softmax_with_temperature(naive)
    assert not check_softmax_with_temperature(multiplies)


# ----------------------------------------------------------------------------- optimizers chapter


def _reference_adam(param, grads, lr, betas, eps):
    from course_utils.optim import Adam

    return exercises.optimizer_trajectory(
        Adam, param, grads, lr=lr, betas=betas, eps=eps
    )


def test_adam_checker_passes_a_right_answer_and_catches_the_classic_mistakes(capsys):
    assert exercises.check_adam(_reference_adam)

    def adam(
        param, grads, lr, betas, eps, correct_m=True, correct_v=True, source=False
    ):
        beta1, beta2 = betas
        m, v, p = torch.zeros_like(param), torch.zeros_like(param), param.clone()
        out = [p.clone()]
        for t, g in enumerate(grads, start=1):
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            if (
                source
            ):  # the formula of the seed article: m_t = v_t / (1 - beta2^t), no root
                p = p - lr * v / (1 - beta2**t)
            else:
                m_hat = m / (1 - beta1**t) if correct_m else m
                v_hat = v / (1 - beta2**t) if correct_v else v
                p = p - lr * m_hat / (v_hat.sqrt() + eps)
            out.append(p.clone())
        return torch.stack(out)

    assert exercises.check_adam(adam)  # a hand-written right answer passes too
    for wrong in (
        {"source": True},
        {"correct_m": False},
        {"correct_v": False},
    ):
        result = exercises.check_adam(lambda wrong=wrong, **case: adam(**case, **wrong))
        assert not result.passed and "values differ" in result.message
    capsys.readouterr()


def test_sgd_momentum_checker():
    from course_utils.optim import SGD

    def right(param, grads, lr, momentum, nesterov=False):
        return exercises.optimizer_trajectory(
            SGD, param, grads, lr=lr, momentum=momentum, nesterov=nesterov
        )

    def ignores_nesterov(param, grads, lr, momentum, nesterov=False):
        return right(param, grads, lr, momentum, nesterov=False)

    def velocity_with_lr_inside(param, grads, lr, momentum, nesterov=False):
        # v = mu v + lr g; p -= v: the same as PyTorch's for a constant lr (not a bug)...
        v, p, out = torch.zeros_like(param), param.clone(), [param.clone()]
        for g in grads:
            v = momentum * v + lr * g
            p = p - (lr * g + momentum * v if nesterov else v)
            out.append(p.clone())
        return torch.stack(out)

    def no_momentum(param, grads, lr, momentum, nesterov=False):
        return torch.cat([param[None], param - lr * grads.cumsum(0)])

    assert exercises.check_sgd_momentum(right, strict=True)
    assert exercises.check_sgd_momentum(velocity_with_lr_inside)
    assert not exercises.check_sgd_momentum(ignores_nesterov)
    assert not exercises.check_sgd_momentum(no_momentum)
    with pytest.raises(exercises.ExerciseFailed):
        exercises.check_sgd_momentum(no_momentum, strict=True)


# ----------------------------------------------------------------------------- attention
from course_utils.exercises import check_attention  # noqa: E402
from course_utils.nn.functional import scaled_dot_product_attention  # noqa: E402


def test_attention_check_passes_the_reference():
    result = check_attention(
        scaled_dot_product_attention,
        strict=True,
    )
    assert result.passed and result.cases == 36


def test_attention_check_catches_missing_scale_and_ignored_mask():
    def unscaled(query, key, value, attn_mask=None):
        scores = query @ key.transpose(-2, -1)
        if attn_mask is not None:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        return scores.softmax(-1) @ value

    def ignores_mask(query, key, value, attn_mask=None):
        return F.scaled_dot_product_attention(query, key, value)

    def inverted_mask(query, key, value, attn_mask=None):
        if attn_mask is not None:
            attn_mask = ~attn_mask
            attn_mask[..., 0] = True
        return F.scaled_dot_product_attention(query, key, value, attn_mask=attn_mask)

    for wrong in (unscaled, ignores_mask, inverted_mask):
        result = check_attention(wrong)
        assert not result.passed and "values differ" in result.message, wrong.__name__


# ----------------------------------------------------------------------------- gated cells


def _lstm_cell(input, hx, w_ih, w_hh, b_ih, b_hh):
    h, c = hx
    gates = input @ w_ih.T + h @ w_hh.T
    if b_ih is not None:
        gates = gates + b_ih + b_hh
    i, f, g, o = gates.chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def _gru_cell(input, hx, w_ih, w_hh, b_ih, b_hh, reset_after_bias=True):
    x_part, h_part = input @ w_ih.T, hx @ w_hh.T
    if b_ih is not None:
        x_part, h_part = x_part + b_ih, h_part + b_hh
    x_r, x_z, x_n = x_part.chunk(3, dim=1)
    h_r, h_z, h_n = h_part.chunk(3, dim=1)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    if not reset_after_bias and b_hh is not None:  # the classic mistake: r * (W h) + b
        h_n = r * (h_n - b_hh.chunk(3)[2]) + b_hh.chunk(3)[2]
        n = torch.tanh(x_n + h_n)
    else:
        n = torch.tanh(x_n + r * h_n)
    return (1 - z) * n + z * hx


def test_gated_cell_checkers_pass_right_answers():
    from course_utils.nn.functional import gru_cell, lstm_cell

    for candidate in (_lstm_cell, lstm_cell):
        assert exercises.check_lstm_cell(candidate, strict=True).cases == 12
    for candidate in (_gru_cell, gru_cell):
        assert exercises.check_gru_cell(candidate, strict=True).cases == 12


def test_gated_cell_checkers_catch_the_classic_mistakes():
    def gates_swapped(input, hx, w_ih, w_hh, b_ih, b_hh):  # (f, i) instead of (i, f)
        order = [1, 0, 2, 3]
        hidden = hx[0].shape[1]
        idx = torch.cat([torch.arange(k * hidden, (k + 1) * hidden) for k in order])
        bias = None if b_ih is None else b_ih[idx]
        return _lstm_cell(
            input, hx, w_ih[idx], w_hh[idx], bias, None if bias is None else b_hh[idx]
        )

    def returns_h_only(input, hx, w_ih, w_hh, b_ih, b_hh):
        return _lstm_cell(input, hx, w_ih, w_hh, b_ih, b_hh)[0]

    def interpolates_backwards(input, hx, w_ih, w_hh, b_ih, b_hh):
        new = _gru_cell(input, hx, w_ih, w_hh, b_ih, b_hh)
        hidden = hx.shape[1]
        x_z = (input @ w_ih.T)[:, hidden : 2 * hidden]
        h_z = (hx @ w_hh.T)[:, hidden : 2 * hidden]
        if b_ih is not None:
            x_z = x_z + b_ih[hidden : 2 * hidden] + b_hh[hidden : 2 * hidden]
        z = torch.sigmoid(x_z + h_z)
        n = (new - z * hx) / (1 - z)
        return z * n + (1 - z) * hx  # z and 1 - z swapped

    def reset_before_bias(input, hx, w_ih, w_hh, b_ih, b_hh):
        return _gru_cell(input, hx, w_ih, w_hh, b_ih, b_hh, reset_after_bias=False)

    assert "values differ" in exercises.check_lstm_cell(gates_swapped).message
    assert "tuple of 2" in exercises.check_lstm_cell(returns_h_only).message
    assert not exercises.check_gru_cell(interpolates_backwards)
    assert "values differ" in exercises.check_gru_cell(reset_before_bias).message
    with pytest.raises(exercises.ExerciseFailed):
        exercises.check_gru_cell(reset_before_bias, strict=True)
    assert (
        "not written yet"
        in exercises.check_gru_cell(
            lambda **kw: (_ for _ in ()).throw(NotImplementedError)
        ).message
    )


def test_last_states_checker_catches_reading_the_padding():
    def right(outputs, lengths):
        return outputs[torch.arange(len(lengths)), lengths - 1]

    def last_column(outputs, lengths):  # the classic mistake: reads the padding
        return outputs[:, -1]

    def off_by_one(outputs, lengths):
        return outputs[torch.arange(len(lengths)), (lengths - 2).clamp_min(0)]

    assert exercises.check_last_states(right, strict=True).cases == 12
    assert "values differ" in exercises.check_last_states(last_column).message
    assert not exercises.check_last_states(off_by_one)


def test_every_checker_is_exported():
    import course_utils.exercises as exercises

    checkers = [name for name in dir(exercises) if name.startswith("check_")]
    assert checkers
    missing = [name for name in checkers if name not in exercises.__all__]
    assert not missing, f"add to course_utils.exercises.__all__: {missing}"
