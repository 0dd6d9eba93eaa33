"""The course's named models, ready to train, and the pretrained ones it loads offline.

Example:
    >>> import torch
    >>> from course_utils.models import LeNet
    >>> LeNet()(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
"""

from .attention_maps import AttentionMaps, DateTranslatorSource, GPTSource, MiniLMSource
from .char_rnn import CharRNN
from .classifier import TransformerClassifier
from .gpt import KVCache, TinyGPT, generate
from .lenet import LeNet
from .pretrained import embed_sentences, load_minilm, minilm_attention
from .seq2seq import DateTranslator, GRUSeq2Seq, TransformerTranslator
from .smollm import load_smollm

__all__ = [
    # convolutional networks
    "LeNet",
    # recurrent networks
    "CharRNN",
    # attention and Transformers
    "DateTranslator",
    "GRUSeq2Seq",
    "TransformerTranslator",
    "TransformerClassifier",
    "TinyGPT",
    "KVCache",
    "generate",
    # pretrained
    "load_minilm",
    "embed_sentences",
    "minilm_attention",
    "load_smollm",
    # attention maps of each model, for figures and the attention explorer
    "AttentionMaps",
    "DateTranslatorSource",
    "GPTSource",
    "MiniLMSource",
]
