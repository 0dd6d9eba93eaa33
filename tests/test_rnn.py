"""rnn_cell, lstm_cell, gru_cell and the unrolled layers against PyTorch's own."""

import random

import pytest
import torch
from torch import nn

from course_utils.inspection import gradient_norms_through_time
from course_utils.models import CharRNN
from course_utils.nn import UnrolledGRU, UnrolledLSTM, UnrolledRNN
from course_utils.nn.functional import gru_cell, lstm_cell, rnn_cell

CELLS = {
    "rnn": (nn.RNNCell, rnn_cell),
    "lstm": (nn.LSTMCell, lstm_cell),
    "gru": (nn.GRUCell, gru_cell),
}


def random_cell_case(rng: random.Random, kind: str):
    """A torch cell with random sizes, bias or not, and matching random inputs."""
    input_size, hidden_size = rng.randint(1, 9), rng.randint(1, 9)
    bias = rng.random() < 0.7
    options = {"nonlinearity": rng.choice(["tanh", "relu"])} if kind == "rnn" else {}
    torch_cell = CELLS[kind][0](
        input_size, hidden_size, bias=bias, dtype=torch.float64, **options
    )
    batch = rng.choice([None, 1, rng.randint(2, 6)])  # None: unbatched
    lead = () if batch is None else (batch,)
    x = torch.randn(*lead, input_size, dtype=torch.float64)
    if rng.random() < 0.2:
        state = None
    elif kind == "lstm":
        state = (
            torch.randn(*lead, hidden_size, dtype=torch.float64),
            torch.randn(*lead, hidden_size, dtype=torch.float64),
        )
    else:
        state = torch.randn(*lead, hidden_size, dtype=torch.float64)
    return torch_cell, x, state, options


def weights(cell):
    return cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh


@pytest.mark.parametrize("kind", list(CELLS))
@pytest.mark.parametrize("seed", range(120))
def test_cells_match_torch_on_random_shapes(kind, seed):
    torch_cell, x, state, options = random_cell_case(random.Random(seed), kind)
    ours = CELLS[kind][1](x, state, *weights(torch_cell), **options)
    with torch.no_grad():
        theirs = torch_cell(x, state)
    torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_gradients_match_torch(kind):
    torch_cell, x, state, options = random_cell_case(random.Random(7), kind)
    x.requires_grad_()
    ours, theirs = (
        CELLS[kind][1](x, state, *weights(torch_cell), **options),
        torch_cell(x, state),
    )
    ours, theirs = (
        (ours[0] + 2 * ours[1], theirs[0] + 2 * theirs[1])
        if kind == "lstm"
        else (ours, theirs)
    )
    grad_out = torch.randn_like(ours)
    inputs = (x, *[p for p in torch_cell.parameters()])
    for a, b in zip(
        torch.autograd.grad(ours, inputs, grad_out),
        torch.autograd.grad(theirs, inputs, grad_out),
    ):
        torch.testing.assert_close(a, b)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_cell_nonlinearity_and_unbatched_input(nonlinearity):
    cell = nn.RNNCell(4, 3, nonlinearity=nonlinearity)
    x, h = torch.randn(4), torch.randn(3)
    out = rnn_cell(x, h, *weights(cell), nonlinearity=nonlinearity)
    assert out.shape == (3,)
    torch.testing.assert_close(out, cell(x, h))
    if nonlinearity == "relu":
        assert (out >= 0).all()


def test_float32_and_no_bias():
    cell = nn.GRUCell(5, 2, bias=False)
    x = torch.randn(3, 5)
    torch.testing.assert_close(
        gru_cell(x, None, cell.weight_ih, cell.weight_hh), cell(x)
    )


def test_lstm_gate_order_is_input_forget_cell_output():
    hidden = 2
    w_ih, w_hh = torch.zeros(4 * hidden, 1), torch.zeros(4 * hidden, hidden)
    b = torch.zeros(4 * hidden)
    b[hidden : 2 * hidden] = 100.0  # forget gate fully open
    b[:hidden] = -100.0  # input gate shut
    h, c = lstm_cell(
        torch.ones(1, 1),
        (torch.zeros(1, hidden), torch.full((1, hidden), 0.5)),
        w_ih,
        w_hh,
        b,
    )
    torch.testing.assert_close(
        c, torch.full((1, hidden), 0.5)
    )  # the memory is kept as is


# ----------------------------------------------------------------------------- layers

LAYERS = {
    "rnn": (UnrolledRNN, nn.RNN),
    "lstm": (UnrolledLSTM, nn.LSTM),
    "gru": (UnrolledGRU, nn.GRU),
}


@pytest.mark.parametrize("kind", list(LAYERS))
@pytest.mark.parametrize("seed", range(20))
def test_unrolled_layers_match_torch(kind, seed):
    rng = random.Random(seed)
    input_size, hidden_size, length = (
        rng.randint(1, 6),
        rng.randint(1, 6),
        rng.randint(1, 8),
    )
    batch_first, bias = rng.random() < 0.5, rng.random() < 0.7
    options = {"nonlinearity": rng.choice(["tanh", "relu"])} if kind == "rnn" else {}
    ours = LAYERS[kind][0](
        input_size, hidden_size, bias=bias, batch_first=batch_first, **options
    ).double()
    theirs = LAYERS[kind][1](
        input_size, hidden_size, bias=bias, batch_first=batch_first, **options
    ).double()
    theirs.load_state_dict(ours.state_dict())
    batch = rng.choice([None, rng.randint(1, 4)])
    if batch is None:
        shape, state_shape = (length, input_size), (1, hidden_size)
    else:
        shape = (
            (batch, length, input_size) if batch_first else (length, batch, input_size)
        )
        state_shape = (1, batch, hidden_size)
    x = torch.randn(*shape, dtype=torch.float64)
    state = torch.randn(*state_shape, dtype=torch.float64)
    if kind == "lstm":
        state = (state, torch.randn(*state_shape, dtype=torch.float64))
    for hx in (None, state):
        (out_a, final_a), (out_b, final_b) = ours(x, hx), theirs(x, hx)
        torch.testing.assert_close(out_a, out_b)
        torch.testing.assert_close(final_a, final_b)


# ----------------------------------------------------------------------------- bad input


def test_wrong_input_dimensions_name_the_shape():
    cell = nn.RNNCell(3, 4)
    with pytest.raises(ValueError, match=r"\(N, input_size\).*\(2, 5, 3\)"):
        rnn_cell(torch.randn(2, 5, 3), None, *weights(cell))


def test_wrong_input_size_names_both_shapes():
    cell = nn.LSTMCell(3, 4)
    with pytest.raises(
        ValueError, match=r"w_ih of shape \(16, 5\).*\(2, 5\).*got \(16, 3\)"
    ):
        lstm_cell(torch.randn(2, 5), None, *weights(cell))


def test_weights_that_do_not_stack_the_gates():
    cell = nn.RNNCell(3, 4)  # 1 block of rows, but gru_cell needs 3
    with pytest.raises(ValueError, match=r"3 \* hidden_size rows, got shape \(4, 4\)"):
        gru_cell(torch.randn(2, 3), None, *weights(cell))


def test_wrong_state_shape_and_type():
    cell = nn.GRUCell(3, 4)
    with pytest.raises(ValueError, match=r"hx of shape \(2, 4\).*got \(3, 4\)"):
        gru_cell(torch.randn(2, 3), torch.randn(3, 4), *weights(cell))
    with pytest.raises(TypeError, match="pair"):
        lstm_cell(torch.randn(2, 3), torch.randn(2, 4), *weights(nn.LSTMCell(3, 4)))
    with pytest.raises(ValueError, match=r"b_ih of shape \(4,\), got \(5,\)"):
        rnn_cell(
            torch.randn(3), None, cell.weight_ih[:4], cell.weight_hh[:4], torch.zeros(5)
        )


def test_bad_dtype_and_nonlinearity():
    cell = nn.RNNCell(3, 4)
    with pytest.raises(TypeError, match="floating-point"):
        rnn_cell(torch.ones(2, 3, dtype=torch.long), None, *weights(cell))
    with pytest.raises(TypeError, match="float64.*float32"):
        rnn_cell(torch.ones(2, 3, dtype=torch.float64), None, *weights(cell))
    with pytest.raises(ValueError, match="unknown nonlinearity 'sigmoid'"):
        rnn_cell(torch.ones(2, 3), None, *weights(cell), nonlinearity="sigmoid")
    with pytest.raises(TypeError, match="torch.Tensor"):
        rnn_cell([1.0, 2.0, 3.0], None, *weights(cell))


def test_layers_reject_bad_input():
    with pytest.raises(ValueError, match=r"input_size 3.*\(5, 2, 4\)"):
        UnrolledRNN(3, 2)(torch.randn(5, 2, 4))
    with pytest.raises(ValueError, match=r"\(N, L, input_size\).*\(3,\)"):
        UnrolledGRU(3, 2, batch_first=True)(torch.randn(3))
    with pytest.raises(ValueError, match=r"h_0 of shape \(1, 2, 2\), got \(2, 2\)"):
        UnrolledLSTM(3, 2)(torch.randn(5, 2, 3), (torch.zeros(2, 2), torch.zeros(2, 2)))
    with pytest.raises(ValueError, match="hidden_size must be a positive int"):
        UnrolledLSTM(3, 0)
    with pytest.raises(ValueError, match="unknown nonlinearity"):
        UnrolledRNN(3, 2, nonlinearity="gelu")


# ----------------------------------------------------------------------------- gradients


def test_gradient_norms_match_the_jacobian_product():
    # Linear RNN: dL/dh_{T-k} = (W^T)^k v, so the norms follow from matrix powers.
    norms = gradient_norms_through_time(0.9, "linear", length=6, hidden_size=4, seed=3)
    generator = torch.Generator().manual_seed(3)
    options = {"generator": generator, "dtype": torch.float64}
    matrix = torch.randn(4, 4, **options) / 2
    w = 0.9 * matrix / torch.linalg.eigvals(matrix).abs().max()
    torch.randn(6, 4, **options)  # the inputs, drawn in the same order
    v = torch.randn(4, **options)
    v = v / v.norm()
    expected = [torch.linalg.matrix_power(w.T, k) @ v for k in range(7)]
    torch.testing.assert_close(norms, torch.stack([e.norm() for e in expected]))


def test_linear_rnn_vanishes_below_and_explodes_above_radius_one():
    assert gradient_norms_through_time(0.7, "linear", length=80)[-1] < 1e-6
    assert gradient_norms_through_time(1.3, "linear", length=80)[-1] > 1e6


def test_gradient_norms_reject_bad_arguments():
    with pytest.raises(ValueError, match="nonlinearity"):
        gradient_norms_through_time(1.0, "sigmoid")
    with pytest.raises(ValueError, match="radius"):
        gradient_norms_through_time(-1.0)
    with pytest.raises(ValueError, match="length"):
        gradient_norms_through_time(1.0, length=0)


# ----------------------------------------------------------------------------- CharRNN


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_char_rnn_shapes_and_sampling(cell):
    from course_utils.data import CharVocab

    vocab = CharVocab(["abc", "cab"], pad=".", start=".", end=".")
    model = CharRNN(len(vocab), hidden_size=8, cell=cell)
    logits, _ = model(torch.zeros(2, 5, dtype=torch.long))
    assert logits.shape == (2, 5, 4)
    word = model.sample(
        vocab, temperature=1.0, generator=torch.Generator().manual_seed(0)
    )
    assert set(word) <= set("abc") and len(word) <= 20
    with pytest.raises(ValueError, match="temperature"):
        model.sample(vocab, temperature=0)
    with pytest.raises(ValueError, match="unknown cell"):
        CharRNN(4, cell="transformer")
    with pytest.raises(ValueError, match=r"\(N, L\)"):
        model(torch.zeros(5, dtype=torch.long))
