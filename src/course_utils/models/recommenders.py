"""Recommenders: popularity, matrix factorization, a two-tower model and a next-item Transformer.

Every recommender answers the same question with the same method,
``scores(users, histories) -> (B, num_items)``: how much would each of these
people want each movie? ``histories[b]`` lists the movies person ``users[b]`` has
already watched, in time order. Each model uses what it can:

=====================  ==================================================  ============
model                  a person is                                          new person
=====================  ==================================================  ============
Popularity             nobody in particular: the same list for everyone     yes
MatrixFactorization    a learned vector per user id                         no
TwoTower               a network of their features and watched movies       yes
NextItemTransformer    the sequence of their watched movies                 after 1 movie
=====================  ==================================================  ============

Matrix factorization scores ``u . v_i + b_i`` and is trained with the BPR loss
{Rendle et al., 2009}: a watched movie should score higher than a random one.
The two-tower model {Covington et al., 2016; Yi et al., 2019} and the
Transformer {Kang and McAuley, 2018} are trained with a softmax over the whole
catalogue to predict the next movie.

Example:
    >>> import torch
    >>> model = MatrixFactorization(num_users=5, num_items=7, dim=4)
    >>> model.scores([0, 3], [[1], [2, 5]]).shape
    torch.Size([2, 7])
    >>> Popularity(7).fit(torch.tensor([1, 1, 2])).scores([0], [[]]).argmax().item()
    1
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .._validation import require_int
from ..device import single_cpu_thread
from ..nn.transformer import TransformerEncoderLayer
from ..optim import Adam

__all__ = [
    "Popularity",
    "MatrixFactorization",
    "TwoTower",
    "NextItemTransformer",
    "bpr_loss",
    "pad_histories",
    "next_item_examples",
    "history_examples",
    "train_matrix_factorization",
    "train_recommender",
]


def _check_users(who: str, users, histories, num_users: int | None = None):
    users = [int(u) for u in users]
    if len(users) != len(histories):
        raise ValueError(
            f"{who}.scores: got {len(users)} users but {len(histories)} histories"
        )
    if not users:
        raise ValueError(f"{who}.scores: no users given")
    if num_users is not None:
        unknown = [u for u in users if not 0 <= u < num_users]
        if unknown:
            raise ValueError(
                f"{who}.scores: unknown user {unknown[0]}: the model knows users "
                f"0..{num_users - 1}"
            )
    return users


def pad_histories(
    histories: Sequence[Sequence[int]], length: int, pad: int, align: str = "right"
) -> torch.Tensor:
    """(B, length) ids: the last ``length`` movies of each history, padded with ``pad``.

    ``align="left"`` puts the movies first and the padding after them (for a causal
    model, so that no real position sees only padding); ``"right"`` ends every row
    with its most recent movie.

    Example:
        >>> pad_histories([[1, 2, 3], [4]], length=2, pad=9).tolist()
        [[2, 3], [9, 4]]
        >>> pad_histories([[1, 2, 3], [4]], length=2, pad=9, align="left").tolist()
        [[2, 3], [4, 9]]
    """
    require_int("pad_histories", "length", length, minimum=1)
    out = torch.full((len(histories), length), pad, dtype=torch.long)
    for row, history in enumerate(histories):
        recent = list(history)[-length:]
        if not recent:
            continue
        if align == "right":
            out[row, length - len(recent) :] = torch.tensor(recent)
        elif align == "left":
            out[row, : len(recent)] = torch.tensor(recent)
        else:
            raise ValueError(
                f"pad_histories: align must be 'left' or 'right', got {align!r}"
            )
    return out


# ----------------------------------------------------------------------------- popularity


class Popularity(nn.Module):
    """The baseline every recommender must beat: recommend what most people watched."""

    def __init__(self, num_items: int) -> None:
        super().__init__()
        require_int("Popularity", "num_items", num_items, minimum=1)
        self.register_buffer("counts", torch.zeros(num_items))

    def fit(self, items: torch.Tensor) -> Popularity:
        """Count how often each movie occurs in ``items`` (the training interactions)."""
        self.counts = torch.bincount(items.long(), minlength=len(self.counts)).float()
        return self

    def scores(self, users, histories) -> torch.Tensor:
        """The same scores, the counts, for everyone."""
        _check_users("Popularity", users, histories)
        return self.counts.expand(len(histories), -1).clone().cpu()


# ----------------------------------------------------------------------------- matrix factorization


class MatrixFactorization(nn.Module):
    """``score(u, i) = user_factors[u] . item_factors[i] + item_bias[i]``.

    A user who had no training interactions has no learned vector: :meth:`scores`
    refuses them (the cold-start problem) instead of returning noise.

    Args:
        num_users, num_items: sizes of the two tables.
        dim: length of each vector.
    """

    def __init__(self, num_users: int, num_items: int, dim: int = 32) -> None:
        super().__init__()
        for name, value in (
            ("num_users", num_users),
            ("num_items", num_items),
            ("dim", dim),
        ):
            require_int("MatrixFactorization", name, value, minimum=1)
        self.user_factors = nn.Embedding(num_users, dim)
        self.item_factors = nn.Embedding(num_items, dim)
        self.item_bias = nn.Embedding(num_items, 1)
        nn.init.normal_(self.user_factors.weight, std=0.1)
        nn.init.normal_(self.item_factors.weight, std=0.1)
        nn.init.zeros_(self.item_bias.weight)
        # Which users were trained (set by the training loop); all of them until then.
        self.register_buffer("trained_users", torch.ones(num_users, dtype=torch.bool))

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """(B,) scores of the pairs (users[b], items[b])."""
        u, v = self.user_factors(users), self.item_factors(items)
        return (u * v).sum(-1) + self.item_bias(items).squeeze(-1)

    def scores(self, users, histories) -> torch.Tensor:
        """(B, num_items) scores; ``histories`` are not used (the user's vector is)."""
        users = _check_users(
            "MatrixFactorization", users, histories, len(self.trained_users)
        )
        new = [u for u in users if not self.trained_users[u]]
        if new:
            raise ValueError(
                f"MatrixFactorization.scores: user {new[0]} had no training interactions, "
                f"so the model has no vector for them (cold start); recommend popular "
                f"movies or use a model of the user's features instead"
            )
        with torch.no_grad():
            u = self.user_factors.weight[users]
            return (u @ self.item_factors.weight.T + self.item_bias.weight.T).cpu()


def bpr_loss(positive: torch.Tensor, negative: torch.Tensor) -> torch.Tensor:
    """Bayesian personalised ranking: ``mean(-log sigmoid(positive - negative))``.

    Example:
        >>> round(bpr_loss(torch.tensor([2.0]), torch.tensor([2.0])).item(), 4)  # log 2
        0.6931
    """
    return -F.logsigmoid(positive - negative).mean()


def train_matrix_factorization(
    model: MatrixFactorization,
    users: torch.Tensor,
    items: torch.Tensor,
    epochs: int = 10,
    batch_size: int = 1024,
    lr: float = 0.01,
    weight_decay: float = 0.0,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> list[float]:
    """BPR training with the course's own :class:`~course_utils.optim.Adam`.

    Each step takes a batch of (user, watched movie) pairs, draws one random movie
    per pair as the negative, and pushes the watched one above it. Returns the mean
    loss of every epoch. L2 on the factors of the batch is ``weight_decay``.
    """
    require_int("train_matrix_factorization", "epochs", epochs, minimum=1)
    trained = torch.zeros_like(model.trained_users)
    trained[users.unique()] = True
    model.trained_users.copy_(trained)
    generator = torch.Generator().manual_seed(seed)
    optimizer = Adam(model.parameters(), lr=lr)
    num_items = model.item_factors.num_embeddings
    losses = []
    with single_cpu_thread(device):
        model.to(device).train()
        for _ in range(epochs):
            order = torch.randperm(len(users), generator=generator)
            negatives = torch.randint(0, num_items, (len(users),), generator=generator)
            total = 0.0
            for batch in order.split(batch_size):
                u, i, j = users[batch], items[batch], negatives[batch]
                u, i, j = u.to(device), i.to(device), j.to(device)
                loss = bpr_loss(model(u, i), model(u, j))
                if weight_decay:
                    factors = (
                        model.user_factors(u).pow(2).sum()
                        + model.item_factors(i).pow(2).sum()
                        + model.item_factors(j).pow(2).sum()
                    )
                    loss = loss + weight_decay * factors / len(batch)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * len(batch)
            losses.append(total / len(users))
        model.eval()
    return losses


# ----------------------------------------------------------------------------- two towers


class TwoTower(nn.Module):
    """Two networks that meet in a dot product: one embeds people, one embeds movies.

    The item tower maps a movie's id and features (genres, year) to a vector; the
    user tower maps a person's features (age, gender, occupation) and the mean
    embedding of the movies they watched to a vector in the same space. Because the
    user tower needs no user id, it can score a person it never saw in training,
    even one with no history at all.

    Args:
        user_features: (U, Fu) float features of every user (row = user id).
        item_features: (N, Fi) float features of every movie.
        dim: size of the shared space.
        hidden: width of each tower's hidden layer.
        history_length: how many recent movies the user tower reads.
    """

    def __init__(
        self,
        user_features: torch.Tensor,
        item_features: torch.Tensor,
        dim: int = 32,
        hidden: int = 64,
        history_length: int = 50,
    ) -> None:
        super().__init__()
        for name, value in (
            ("user_features", user_features),
            ("item_features", item_features),
        ):
            if not isinstance(value, torch.Tensor) or value.dim() != 2:
                raise ValueError(
                    f"TwoTower: {name} must be a 2-D tensor, got {value!r:.60}"
                )
        num_items = len(item_features)
        self.history_length = history_length
        self.register_buffer("user_features", user_features.float())
        self.register_buffer("item_features", item_features.float())
        # Row num_items is padding: an empty history slot.
        self.history_embedding = nn.Embedding(num_items + 1, dim, padding_idx=num_items)
        self.item_embedding = nn.Embedding(num_items, dim)
        self.user_tower = nn.Sequential(
            nn.Linear(user_features.shape[1] + dim, hidden),
            nn.ReLU(),
            nn.Linear(hidden, dim),
        )
        self.item_tower = nn.Sequential(
            nn.Linear(item_features.shape[1] + dim, hidden),
            nn.ReLU(),
            nn.Linear(hidden, dim),
        )
        for table in (self.history_embedding, self.item_embedding):
            nn.init.normal_(table.weight, std=0.1)
        with torch.no_grad():
            self.history_embedding.weight[num_items].zero_()

    @property
    def num_items(self) -> int:
        return len(self.item_features)

    def item_vectors(self) -> torch.Tensor:
        """(N, dim) the item tower's output for every movie."""
        x = torch.cat([self.item_features, self.item_embedding.weight], dim=1)
        return self.item_tower(x)

    def user_vectors(self, users: torch.Tensor, history: torch.Tensor) -> torch.Tensor:
        """(B, dim) from user ids (for their features) and padded histories (B, L)."""
        real = (history != self.num_items).unsqueeze(-1).float()
        bag = (self.history_embedding(history) * real).sum(1) / real.sum(1).clamp_min(
            1.0
        )
        return self.user_tower(torch.cat([self.user_features[users], bag], dim=1))

    def forward(self, users: torch.Tensor, history: torch.Tensor) -> torch.Tensor:
        """(B, N) logits over the catalogue."""
        return self.user_vectors(users, history) @ self.item_vectors().T

    def loss(self, users: torch.Tensor, history: torch.Tensor, targets: torch.Tensor):
        """Cross-entropy of the next movie ``targets`` (B,) over the whole catalogue."""
        return F.cross_entropy(self(users, history), targets)

    @torch.no_grad()
    def scores(self, users, histories) -> torch.Tensor:
        users = _check_users("TwoTower", users, histories, len(self.user_features))
        history = pad_histories(histories, self.history_length, self.num_items)
        device = self.item_features.device
        return self(torch.tensor(users, device=device), history.to(device)).cpu()


# ----------------------------------------------------------------------------- next item


class NextItemTransformer(nn.Module):
    """A causal Transformer over a person's watched movies that predicts the next one.

    Movie embeddings plus learned positions go through pre-norm encoder blocks with
    a causal mask (position t sees movies 0..t); the output at every position is
    compared with every movie's embedding (the same table: tied weights) to score
    the movie that comes next.

    Args:
        num_items: catalogue size; id ``num_items`` is padding.
        d_model, nhead, num_layers, dropout: the encoder's sizes.
        max_len: how many recent movies it reads.
    """

    def __init__(
        self,
        num_items: int,
        d_model: int = 64,
        nhead: int = 2,
        num_layers: int = 2,
        dropout: float = 0.1,
        max_len: int = 50,
    ) -> None:
        super().__init__()
        require_int("NextItemTransformer", "num_items", num_items, minimum=1)
        self.num_items, self.max_len = num_items, max_len
        self.item_embedding = nn.Embedding(
            num_items + 1, d_model, padding_idx=num_items
        )
        self.position_embedding = nn.Embedding(max_len, d_model)
        nn.init.normal_(self.item_embedding.weight, std=0.05)
        nn.init.normal_(self.position_embedding.weight, std=0.05)
        self.layers = nn.ModuleList(
            TransformerEncoderLayer(
                d_model, nhead, 2 * d_model, dropout, activation="gelu", norm_first=True
            )
            for _ in range(num_layers)
        )
        self.norm = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, sequence: torch.Tensor) -> torch.Tensor:
        """Left-aligned ids (B, L), padding after the movies -> logits (B, L, num_items)."""
        return self.hidden(sequence) @ self.item_embedding.weight[: self.num_items].T

    def loss(self, sequence: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Cross-entropy of the next movie at every real position (targets -100 are skipped).

        Only real positions are projected onto the catalogue, which is most of the work.
        """
        real = targets != -100
        h = self.hidden(sequence)[real]
        return F.cross_entropy(
            h @ self.item_embedding.weight[: self.num_items].T, targets[real]
        )

    def hidden(self, sequence: torch.Tensor) -> torch.Tensor:
        """(B, L, d_model) output of the last block, normalised."""
        if sequence.dim() != 2 or sequence.shape[1] > self.max_len:
            raise ValueError(
                f"NextItemTransformer expects ids (B, L) with L <= {self.max_len}, "
                f"got {tuple(sequence.shape)}"
            )
        padding = sequence == self.num_items
        positions = torch.arange(sequence.shape[1], device=sequence.device)
        x = self.dropout(
            self.item_embedding(sequence) + self.position_embedding(positions)
        )
        for layer in self.layers:
            x = layer(x, src_key_padding_mask=padding, is_causal=True)
        return self.norm(x)

    @torch.no_grad()
    def scores(self, users, histories) -> torch.Tensor:
        """(B, N) scores of the movie after the last one of each history."""
        _check_users("NextItemTransformer", users, histories)
        empty = [b for b, h in enumerate(histories) if not h]
        if empty:
            raise ValueError(
                f"NextItemTransformer.scores: history {empty[0]} is empty; the model "
                f"needs at least one watched movie to predict the next"
            )
        device = self.item_embedding.weight.device
        sequence = pad_histories(histories, self.max_len, self.num_items, align="left")
        logits = self(sequence.to(device))
        last = torch.tensor(
            [min(len(h), self.max_len) - 1 for h in histories], device=device
        )
        return logits[torch.arange(len(histories), device=device), last].cpu()


def next_item_examples(
    sequences: Sequence[Sequence[int]], max_len: int, pad: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Training windows for next-item prediction: inputs (M, max_len) and targets.

    Each sequence is cut into windows of ``max_len + 1`` movies (the last window
    ends with the most recent movie); the input is a window without its last movie,
    the target the window without its first. Padding (``pad`` in the inputs, -100 in
    the targets, which ``F.cross_entropy`` ignores) follows the movies.

    Example:
        >>> x, y = next_item_examples([[1, 2, 3]], max_len=4, pad=0)
        >>> x.tolist(), y.tolist()
        ([[1, 2, 0, 0]], [[2, 3, -100, -100]])
    """
    require_int("next_item_examples", "max_len", max_len, minimum=1)
    inputs, targets = [], []
    for sequence in sequences:
        sequence = list(sequence)
        end = len(sequence)
        while end >= 2:
            window = sequence[max(0, end - max_len - 1) : end]
            x, y = window[:-1], window[1:]
            inputs.append(x + [pad] * (max_len - len(x)))
            targets.append(y + [-100] * (max_len - len(y)))
            end -= max_len
    if not inputs:
        raise ValueError("next_item_examples: no sequence has two or more movies")
    return torch.tensor(inputs), torch.tensor(targets)


def history_examples(
    sequences: Sequence[Sequence[int]], history_length: int, pad: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Training examples for the two-tower model: (users, histories, targets).

    Every movie of every sequence is a target; its history is the (up to
    ``history_length``) movies the person watched before it, right-aligned and padded
    with ``pad``; the first movie has an empty history, as a newcomer does.

    Example:
        >>> users, history, target = history_examples([[], [5, 6, 7]], 2, pad=0)
        >>> users.tolist(), history.tolist(), target.tolist()
        ([1, 1, 1], [[0, 0], [0, 5], [5, 6]], [5, 6, 7])
    """
    require_int("history_examples", "history_length", history_length, minimum=1)
    users, histories, targets = [], [], []
    for user, sequence in enumerate(sequences):
        if not sequence:
            continue
        ids = torch.tensor(list(sequence), dtype=torch.long)
        padded = torch.cat([torch.full((history_length,), pad, dtype=torch.long), ids])
        # Row t of the windows holds the history_length ids before position t.
        histories.append(padded.unfold(0, history_length, 1)[: len(ids)])
        targets.append(ids)
        users.append(torch.full((len(ids),), user, dtype=torch.long))
    if not targets:
        raise ValueError("history_examples: every sequence is empty")
    return torch.cat(users), torch.cat(histories), torch.cat(targets)


def train_recommender(
    model: nn.Module,
    examples: Sequence[torch.Tensor],
    epochs: int = 10,
    batch_size: int = 256,
    lr: float = 3e-3,
    seed: int = 0,
    device: str | torch.device = "cpu",
    callback=None,
) -> list[float]:
    """Train any model with a ``loss(*batch)`` method on ``examples`` (tensors of equal length).

    AdamW, shuffled batches (seeded), one CPU thread for these small models.
    ``callback(epoch, model)`` runs after each epoch (e.g. to measure validation
    metrics). Returns the mean training loss of every epoch.

    Example:
        >>> model = TwoTower(torch.zeros(3, 2), torch.zeros(5, 1), dim=4, hidden=8, history_length=2)
        >>> users, history, targets = history_examples([[0, 1], [], [2, 3, 4]], 2, pad=5)
        >>> len(train_recommender(model, (users, history, targets), epochs=2))
        2
    """
    require_int("train_recommender", "epochs", epochs, minimum=1)
    lengths = {len(t) for t in examples}
    if len(lengths) != 1:
        raise ValueError(
            f"train_recommender: examples differ in length: {sorted(lengths)}"
        )
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    losses = []
    with single_cpu_thread(device):
        model.to(device)
        for epoch in range(1, epochs + 1):
            model.train()
            order = torch.randperm(len(examples[0]), generator=generator)
            total = 0.0
            for batch in order.split(batch_size):
                loss = model.loss(*(t[batch].to(device) for t in examples))
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * len(batch)
            losses.append(total / len(order))
            model.eval()
            if callback is not None:
                callback(epoch, model)
    return losses
