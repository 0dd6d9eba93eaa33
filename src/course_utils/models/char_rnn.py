"""A character-level language model: embedding, one recurrent layer, a linear read-out.

Example:
    >>> import torch
    >>> model = CharRNN(vocab_size=5, hidden_size=8)
    >>> logits, state = model(torch.zeros(2, 3, dtype=torch.long))
    >>> logits.shape, model.hidden_states(torch.zeros(1, 3, dtype=torch.long)).shape
    (torch.Size([2, 3, 5]), torch.Size([1, 3, 8]))
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .._validation import require_dims, require_number

__all__ = ["CharRNN", "CELLS"]

#: The recurrent layers a :class:`CharRNN` can use.
CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


class CharRNN(nn.Module):
    """Predict the next character from the ones before it.

    Args:
        vocab_size: number of distinct tokens.
        hidden_size: size of the recurrent state.
        embedding_size: size of each character's learned vector.
        cell: ``"rnn"``, ``"gru"`` or ``"lstm"``.
    """

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int = 64,
        embedding_size: int = 16,
        cell: str = "gru",
    ) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"unknown cell {cell!r}, expected one of {tuple(CELLS)}")
        self.cell = cell
        self.embed = nn.Embedding(vocab_size, embedding_size)
        self.rnn = CELLS[cell](embedding_size, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens: torch.Tensor, state=None):
        """(N, L) token ids -> ((N, L, vocab) logits, final recurrent state)."""
        require_dims(tokens, 2, "CharRNN", "token ids of shape (N, L)")
        outputs, state = self.rnn(self.embed(tokens), state)
        return self.head(outputs), state

    @torch.no_grad()
    def hidden_states(self, tokens: torch.Tensor) -> torch.Tensor:
        """(N, L) token ids -> (N, L, hidden_size): the hidden state after each token."""
        require_dims(tokens, 2, "CharRNN.hidden_states", "token ids of shape (N, L)")
        outputs, _ = self.rnn(self.embed(tokens))
        return outputs

    @torch.no_grad()
    def sample(
        self,
        vocab,
        temperature: float = 1.0,
        max_length: int = 20,
        generator: torch.Generator | None = None,
    ) -> str:
        """Generate one word, character by character, from ``softmax(logits / temperature)``.

        The model first reads the vocabulary's start token and stops at its end token
        (a :class:`~course_utils.data.CharVocab` with ``start`` and ``end``, such as the
        names chapter's boundary "."). Low temperatures sharpen the distribution towards
        the likeliest character; high ones flatten it towards uniform.
        """
        if not require_number("CharRNN.sample", "temperature", temperature) > 0:
            raise ValueError(
                f"CharRNN.sample: temperature must be > 0, got {temperature!r}"
            )
        if getattr(vocab, "start_id", None) is None or vocab.end_id is None:
            raise ValueError(
                "CharRNN.sample: vocab must be a CharVocab with start and end tokens, "
                f"got {vocab!r}"
            )
        device = self.head.weight.device
        token = torch.full((1, 1), vocab.start_id, dtype=torch.long, device=device)
        state, text = None, []
        for _ in range(max_length):
            logits, state = self(token, state)
            probabilities = F.softmax(logits[0, -1].float().cpu() / temperature, dim=-1)
            next_id = int(torch.multinomial(probabilities, 1, generator=generator))
            if next_id == vocab.end_id:
                break
            text.append(vocab.itos[next_id])
            token = torch.tensor([[next_id]], device=device)
        return "".join(text)
