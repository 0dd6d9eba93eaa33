"""Recommenders: output shapes, what each model can and cannot score, training that learns."""

import pytest
import torch

from course_utils.models.recommenders import (
    MatrixFactorization,
    NextItemTransformer,
    Popularity,
    TwoTower,
    bpr_loss,
    history_examples,
    next_item_examples,
    pad_histories,
    train_matrix_factorization,
    train_recommender,
)

USERS, ITEMS = 6, 11


def _two_tower(**kwargs):
    torch.manual_seed(0)
    return TwoTower(
        torch.randn(USERS, 3), torch.randn(ITEMS, 4), dim=8, hidden=16, **kwargs
    )


@pytest.mark.parametrize("batch", [1, 3, 6])
def test_every_model_scores_the_whole_catalogue(batch):
    users = list(range(batch))
    histories = [[(u + j) % ITEMS for j in range(u + 1)] for u in users]
    models = [
        Popularity(ITEMS).fit(torch.tensor([1, 2, 2])),
        MatrixFactorization(USERS, ITEMS, dim=4),
        _two_tower(history_length=3),
        NextItemTransformer(ITEMS, d_model=8, nhead=2, num_layers=1, max_len=4),
    ]
    for model in models:
        scores = model.scores(users, histories)
        assert scores.shape == (batch, ITEMS) and torch.isfinite(scores).all(), type(
            model
        )


def test_popularity_counts_and_matrix_factorization_matches_its_formula():
    assert (
        Popularity(4).fit(torch.tensor([3, 3, 1])).scores([0, 1], [[], []]).tolist()
        == [[0.0, 1.0, 0.0, 2.0]] * 2
    )
    mf = MatrixFactorization(USERS, ITEMS, dim=5)
    users, items = torch.tensor([0, 4]), torch.tensor([7, 2])
    expected = (mf.user_factors.weight[users] * mf.item_factors.weight[items]).sum(
        1
    ) + mf.item_bias.weight[items, 0]
    torch.testing.assert_close(mf(users, items), expected)
    torch.testing.assert_close(mf.scores([0, 4], [[], []])[[0, 1], [7, 2]], expected)


def test_unknown_and_new_users_get_clear_errors():
    mf = MatrixFactorization(USERS, ITEMS, dim=4)
    with pytest.raises(ValueError, match="unknown user 6: the model knows users 0..5"):
        mf.scores([6], [[]])
    train_matrix_factorization(mf, torch.tensor([0, 1]), torch.tensor([3, 4]), epochs=1)
    with pytest.raises(
        ValueError, match="user 2 had no training interactions.*cold start"
    ):
        mf.scores([0, 2], [[], []])
    with pytest.raises(ValueError, match="unknown user -1"):
        _two_tower().scores([-1], [[]])
    with pytest.raises(ValueError, match="history 1 is empty"):
        NextItemTransformer(ITEMS, d_model=8, max_len=4).scores([0, 1], [[1], []])
    with pytest.raises(ValueError, match="got 2 users but 1 histories"):
        Popularity(ITEMS).scores([0, 1], [[]])
    with pytest.raises(ValueError, match="no users"):
        Popularity(ITEMS).scores([], [])


def test_the_two_tower_model_scores_newcomers_and_ignores_padding():
    model = _two_tower(history_length=4).eval()
    newcomer = model.scores([2], [[]])
    assert newcomer.shape == (1, ITEMS) and torch.isfinite(newcomer).all()
    # More recent history than fits is cut; what is left decides the score.
    torch.testing.assert_close(
        model.scores([1], [[9, 1, 2, 3, 4]]), model.scores([1], [[1, 2, 3, 4]])
    )
    assert not torch.allclose(model.scores([1], [[5]]), newcomer)


def test_the_transformer_is_causal_and_reads_the_last_movie():
    torch.manual_seed(0)
    model = NextItemTransformer(
        ITEMS, d_model=8, nhead=2, num_layers=2, max_len=6, dropout=0.0
    ).eval()
    a = torch.tensor([[1, 2, 3, 4, 5, 6]])
    b = torch.tensor([[1, 2, 3, 9, 0, 7]])
    with torch.no_grad():
        la, lb = model(a), model(b)
    torch.testing.assert_close(la[:, :3], lb[:, :3])  # positions 0..2 never see 3..5
    assert not torch.allclose(la[:, 3], lb[:, 3])
    # scores() takes the output after the last real movie, whatever the padding.
    torch.testing.assert_close(model.scores([0], [[1, 2, 3]]), la[:, 2])
    with pytest.raises(ValueError, match="L <= 6"):
        model(torch.zeros(1, 7, dtype=torch.long))


def test_example_builders():
    x, y = next_item_examples([[1, 2, 3, 4, 5], [7]], max_len=2, pad=0)
    assert x.tolist() == [[3, 4], [1, 2]]  # windows end with the most recent movie
    assert y.tolist() == [[4, 5], [2, 3]]
    with pytest.raises(ValueError, match="two or more"):
        next_item_examples([[1], []], max_len=3, pad=0)
    users, history, target = history_examples([[4, 5, 6]], history_length=2, pad=9)
    assert history.tolist() == [[9, 9], [9, 4], [4, 5]] and target.tolist() == [4, 5, 6]
    assert pad_histories([[1, 2, 3], []], 2, pad=0).tolist() == [[2, 3], [0, 0]]
    with pytest.raises(ValueError, match="align"):
        pad_histories([[1]], 2, pad=0, align="middle")


def test_bpr_loss():
    assert bpr_loss(torch.tensor([0.0]), torch.tensor([0.0])).item() == pytest.approx(
        0.6931, abs=1e-4
    )
    assert bpr_loss(torch.tensor([10.0]), torch.tensor([-10.0])).item() < 1e-6
    assert bpr_loss(torch.tensor([-10.0]), torch.tensor([10.0])).item() > 19


def _taste_data():
    """Users 0-2 watch movies 0-4 only, users 3-5 movies 5-9 only."""
    generator = torch.Generator().manual_seed(0)
    users = torch.arange(USERS).repeat_interleave(30)
    items = torch.where(users < 3, 0, 5) + torch.randint(
        0, 5, (len(users),), generator=generator
    )
    return users, items


def test_matrix_factorization_learns_two_tastes():
    users, items = _taste_data()
    torch.manual_seed(0)
    model = MatrixFactorization(USERS, ITEMS, dim=4)
    losses = train_matrix_factorization(
        model, users, items, epochs=30, batch_size=32, lr=0.05
    )
    assert (
        losses[-1] < 0.6 * losses[0]
    )  # random negatives of the same taste keep it > 0
    top = model.scores(list(range(USERS)), [[]] * USERS).argmax(1)
    assert (top[:3] < 5).all() and (top[3:] >= 5).all() and (top[3:] < 10).all()


def test_train_recommender_lowers_the_loss_of_both_softmax_models():
    users, items = _taste_data()
    sequences = [items[users == u].tolist() for u in range(USERS)]
    two_tower = _two_tower(history_length=3)
    losses = train_recommender(
        two_tower, history_examples(sequences, 3, ITEMS), epochs=15, lr=0.01
    )
    assert losses[-1] < losses[0]
    seen = []
    transformer = NextItemTransformer(
        ITEMS, d_model=8, nhead=2, num_layers=1, max_len=8
    )
    losses = train_recommender(
        transformer,
        next_item_examples(sequences, 8, ITEMS),
        epochs=15,
        lr=0.01,
        callback=lambda epoch, model: seen.append(epoch),
    )
    assert losses[-1] < losses[0] and seen == list(range(1, 16))
    with pytest.raises(ValueError, match="differ in length"):
        train_recommender(transformer, (torch.zeros(3, 2), torch.zeros(2, 2)))
