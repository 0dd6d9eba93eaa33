"""The course's named models, ready to train, and the pretrained ones it loads offline.

Example:
    >>> import torch
    >>> from course_utils.models import LeNet
    >>> LeNet()(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
"""

from .attention_maps import AttentionMaps, DateTranslatorSource, GPTSource, MiniLMSource
from .char_rnn import CharRNN
from .classic_cnns import (
    VGG16,
    AlexNet,
    BasicBlock,
    Bottleneck,
    LeNet5,
    ResNet,
    SmallResNet,
    resnet50,
)
from .classifier import TransformerClassifier
from .generation import (
    apply_repetition_penalty,
    apply_temperature,
    next_token_probabilities,
    sample_next_token,
    top_k_filter,
    top_p_filter,
)
from .generation import generate as generate_tokens
from .gpt import KVCache, TinyGPT, generate
from .lenet import LeNet
from .llama import Llama, LlamaKVCache, LlamaSettings
from .multilingual import embed_multilingual, load_multilingual_encoder
from .pretrained import embed_sentences, load_minilm, minilm_attention
from .recommenders import (
    MatrixFactorization,
    NextItemTransformer,
    Popularity,
    TwoTower,
)
from .seq2seq import DateTranslator, GRUSeq2Seq, TransformerTranslator
from .smollm import load_smollm
from .vision import (
    IMAGENET_CLASSES,
    imagenet_preprocess,
    load_efficientnet_lite0,
    top_classes,
)

__all__ = [
    # convolutional networks
    "LeNet",
    "LeNet5",
    "AlexNet",
    "VGG16",
    "ResNet",
    "BasicBlock",
    "Bottleneck",
    "resnet50",
    "SmallResNet",
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
    "load_multilingual_encoder",
    "embed_multilingual",
    "load_efficientnet_lite0",
    "imagenet_preprocess",
    "top_classes",
    "IMAGENET_CLASSES",
    # attention maps of each model, for figures and the attention explorer
    "AttentionMaps",
    "DateTranslatorSource",
    "GPTSource",
    "MiniLMSource",
    # large models in practice
    "Llama",
    "LlamaSettings",
    "LlamaKVCache",
    "generate_tokens",
    "apply_temperature",
    "top_k_filter",
    "top_p_filter",
    "apply_repetition_penalty",
    "next_token_probabilities",
    "sample_next_token",
    # recommenders (applications chapter)
    "Popularity",
    "MatrixFactorization",
    "TwoTower",
    "NextItemTransformer",
]
