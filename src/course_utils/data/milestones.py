"""Dated, cited history: milestones of neural networks, the models of the large-model era, corpora.

Every row names the work that documents it by its key in the book's
``references.bib``; ``year`` is the year of that publication (a preprint can be
a year older). A unit test checks each year and key against the bibliography,
so a date cannot drift from its source.

Three tables:

- :data:`MILESTONES`: ideas, from McCulloch and Pitts' threshold neuron (1943) on;
- :data:`MODELS`: named models with the organisation that built them, their
  architecture and their published size (parameters, training tokens);
- :data:`CORPORA`: text corpora, then and now, with their size and unit.

An organisation (Alibaba) or a field (NLP) is not a model: :func:`find_model`
says so instead of returning something wrong.

Example:
    >>> milestone("perceptron").year
    1958
    >>> find_model("Qwen").organisation
    'Alibaba Cloud'
    >>> find_model("Alibaba")
    Traceback (most recent call last):
    ...
    ValueError: find_model: 'Alibaba' is an organisation, not a model; its models here: Qwen (2023)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "Milestone",
    "MILESTONES",
    "milestone",
    "Model",
    "MODELS",
    "find_model",
    "FIELDS",
    "ARCHITECTURE_FAMILIES",
    "Corpus",
    "CORPORA",
    "bibliography_years",
    "year_in_key",
]


@dataclass(frozen=True)
class Milestone:
    """One step in the history: what happened, when, who, and where it is documented."""

    event: str
    year: int
    people: str
    key: str


MILESTONES: tuple[Milestone, ...] = (
    Milestone("McCulloch-Pitts threshold neuron", 1943, "McCulloch, Pitts", "mcculloch1943logical"),
    Milestone("Turing's imitation game", 1950, "Turing", "turing1950computing"),
    Milestone("Perceptron learning rule", 1958, "Rosenblatt", "rosenblatt1958perceptron"),
    Milestone("Perceptron convergence theorem", 1962, "Novikoff", "novikoff1962convergence"),
    Milestone("Perceptrons: the limits of one layer", 1969, "Minsky, Papert", "minsky1969perceptrons"),
    Milestone("Reverse-mode automatic differentiation", 1970, "Linnainmaa", "linnainmaa1970representation"),
    Milestone("Lighthill report: UK funding cut", 1973, "Lighthill", "lighthill1973artificial"),
    Milestone("Backpropagation for networks (thesis)", 1974, "Werbos", "werbos1974beyond"),
    Milestone("Neocognitron", 1980, "Fukushima", "fukushima1980neocognitron"),
    Milestone("Backpropagation learns representations", 1986, "Rumelhart, Hinton, Williams", "rumelhart1986learning"),
    Milestone("Convolutional network reads zip codes", 1989, "LeCun et al.", "lecun1989backpropagation"),
    Milestone("Long short-term memory", 1997, "Hochreiter, Schmidhuber", "hochreiter1997long"),
    Milestone("LeNet-5 and MNIST", 1998, "LeCun, Bottou, Bengio, Haffner", "lecun1998gradient"),
    Milestone("Neural language model", 2003, "Bengio et al.", "bengio2003neural"),
    Milestone("Deep belief nets", 2006, "Hinton, Osindero, Teh", "hinton2006fast"),
    Milestone("ImageNet data set", 2009, "Deng et al.", "deng2009imagenet"),
    Milestone("AlexNet wins ImageNet", 2012, "Krizhevsky, Sutskever, Hinton", "krizhevsky2012imagenet"),
    Milestone("Sequence to sequence learning", 2014, "Sutskever, Vinyals, Le", "sutskever2014sequence"),
    Milestone("Attention for translation", 2015, "Bahdanau, Cho, Bengio", "bahdanau2015neural"),
    Milestone("Residual networks", 2016, "He et al.", "he2016deep"),
    Milestone("The Transformer", 2017, "Vaswani et al.", "vaswani2017attention"),
    Milestone("GPT: generative pre-training", 2018, "Radford et al.", "radford2018improving"),
    Milestone("BERT", 2019, "Devlin et al.", "devlin2019bert"),
    Milestone("GPT-3 and few-shot prompting", 2020, "Brown et al.", "brown2020language"),
    Milestone("Scaling laws", 2020, "Kaplan et al.", "kaplan2020scaling"),
    Milestone("Compute-optimal training (Chinchilla)", 2022, "Hoffmann et al.", "hoffmann2022training"),
    Milestone("Instruction tuning with human feedback", 2022, "Ouyang et al.", "ouyang2022training"),
    Milestone("LLaMA: open weights", 2023, "Touvron et al.", "touvron2023llama"),
)  # fmt: skip


def milestone(words: str) -> Milestone:
    """The first milestone whose event contains ``words`` (case-insensitive).

    Example:
        >>> milestone("backpropagation learns").people
        'Rumelhart, Hinton, Williams'
    """
    if not isinstance(words, str):
        raise TypeError(f"milestone: words must be a str, got {type(words).__name__}")
    for row in MILESTONES:
        if words.lower() in row.event.lower():
            return row
    raise ValueError(f"milestone: no event contains {words!r}")


@dataclass(frozen=True)
class Model:
    """A named model: who built it, what it is, and its published size.

    ``parameters`` and ``tokens`` (training tokens; words for BERT) are the
    published figures, ``None`` where the authors did not publish one. For a
    mixture of experts, ``parameters`` is the total and ``note`` gives the active count.
    """

    name: str
    year: int
    organisation: str
    architecture: str
    parameters: float | None
    tokens: float | None
    key: str
    note: str = ""


MODELS: tuple[Model, ...] = (
    Model("LeNet-5", 1998, "AT&T Bell Labs", "CNN", 6.0e4, None, "lecun1998gradient"),
    Model("AlexNet", 2012, "University of Toronto", "CNN", 6.0e7, None, "krizhevsky2012imagenet"),
    Model("VGG-16", 2015, "University of Oxford", "CNN", 1.38e8, None, "simonyan2015very"),
    Model("Transformer (big)", 2017, "Google", "Transformer encoder-decoder", 2.13e8, None, "vaswani2017attention"),
    Model("BERT-large", 2019, "Google", "Transformer encoder", 3.4e8, 3.3e9, "devlin2019bert", "3.3B words"),
    Model("ERNIE", 2019, "Baidu", "Transformer encoder", None, None, "sun2019ernie"),
    Model("GPT-2", 2019, "OpenAI", "Transformer decoder", 1.542e9, None, "radford2019language"),
    Model("GPT-3", 2020, "OpenAI", "Transformer decoder", 1.75e11, 3.0e11, "brown2020language"),
    Model("PanGu-alpha", 2021, "Huawei, Peng Cheng Laboratory", "Transformer decoder", 2.0e11, None, "zeng2021pangu"),
    Model("ERNIE 3.0", 2021, "Baidu", "Transformer", 1.0e10, None, "sun2021ernie"),
    Model("GLM", 2022, "Tsinghua University", "Transformer (blank infilling)", None, None, "du2022glm"),
    Model("Chinchilla", 2022, "DeepMind", "Transformer decoder", 7.0e10, 1.4e12, "hoffmann2022training"),
    Model("ChatGPT", 2022, "OpenAI", "Transformer decoder, instruction-tuned", None, None, "openai2022chatgpt", "size not published"),
    Model("PaLM", 2023, "Google", "Transformer decoder", 5.4e11, 7.8e11, "chowdhery2023palm"),
    Model("GLM-130B", 2023, "Tsinghua University, Zhipu AI", "Transformer decoder", 1.3e11, 4.0e11, "zeng2023glm"),
    Model("LLaMA-65B", 2023, "Meta AI", "Transformer decoder", 6.52e10, 1.4e12, "touvron2023llama"),
    Model("Qwen", 2023, "Alibaba Cloud", "Transformer decoder", 1.4e10, 3.0e12, "bai2023qwen", "largest of the first report"),
    Model("Llama 3", 2024, "Meta AI", "Transformer decoder", 4.05e11, 1.5e13, "dubey2024llama", "about 15T tokens"),
    Model("DeepSeek-V3", 2024, "DeepSeek", "Mixture-of-experts Transformer decoder", 6.71e11, 1.48e13, "deepseekai2024deepseekv3", "37B active per token"),
    Model("SmolLM2-1.7B", 2025, "Hugging Face", "Transformer decoder", 1.7e9, 1.1e13, "allal2025smollm2"),
)  # fmt: skip

#: Organisations that come up in the history, with the models they built (see :data:`MODELS`).
_ORGANISATION_ALIASES = {
    "alibaba": "Alibaba Cloud",
    "baidu": "Baidu",
    "huawei": "Huawei",
    "openai": "OpenAI",
    "google": "Google",
    "meta": "Meta AI",
    "deepmind": "DeepMind",
    "tsinghua": "Tsinghua University",
    "zhipu": "Zhipu AI",
    "deepseek": "DeepSeek",
}

#: Fields of study: what models are *for*, not models.
FIELDS = {
    "nlp": "natural language processing",
    "natural language processing": "natural language processing",
    "computer vision": "computer vision",
    "cv": "computer vision",
    "speech recognition": "speech recognition",
    "machine learning": "machine learning",
    "deep learning": "deep learning",
}

#: Families of architectures: each is a way to build a network, with many models in it.
ARCHITECTURE_FAMILIES = {
    "cnn": "convolutional neural network",
    "rnn": "recurrent neural network",
    "lstm": "long short-term memory network",
    "transformer": "Transformer",
    "mlp": "multilayer perceptron",
}


def find_model(name: str) -> Model:
    """The model called ``name`` (case-insensitive), or a clear error saying what ``name`` is.

    Raises:
        ValueError: ``name`` is an organisation, a field, an architecture family, or unknown.

    Example:
        >>> find_model("gpt-3").year
        2020
        >>> find_model("NLP")
        Traceback (most recent call last):
        ...
        ValueError: find_model: 'NLP' is a field (natural language processing), not a model; CNNs, RNNs and Transformers are all used in it
    """
    if not isinstance(name, str):
        raise TypeError(f"find_model: name must be a str, got {type(name).__name__}")
    wanted = name.strip().lower()
    for model in MODELS:
        if model.name.lower() == wanted:
            return model
    if wanted in _ORGANISATION_ALIASES:
        organisation = _ORGANISATION_ALIASES[wanted]
        built = [
            f"{m.name} ({m.year})"
            for m in MODELS
            if organisation.lower() in m.organisation.lower()
        ]
        raise ValueError(
            f"find_model: {name!r} is an organisation, not a model; its models here: "
            + (", ".join(built) or "none")
        )
    if wanted in FIELDS:
        raise ValueError(
            f"find_model: {name!r} is a field ({FIELDS[wanted]}), not a model; "
            "CNNs, RNNs and Transformers are all used in it"
        )
    if wanted in ARCHITECTURE_FAMILIES:
        members = [m.name for m in MODELS if wanted in m.architecture.lower()]
        raise ValueError(
            f"find_model: {name!r} is an architecture family "
            f"({ARCHITECTURE_FAMILIES[wanted]}), not one model; e.g. "
            + (", ".join(members[:4]) or "see MODELS")
        )
    known = ", ".join(m.name for m in MODELS)
    raise ValueError(f"find_model: no model {name!r}; known: {known}")


@dataclass(frozen=True)
class Corpus:
    """A body of text used to train language models, with its size in ``unit``."""

    name: str
    year: int
    size: float
    unit: str
    key: str
    note: str = ""


CORPORA: tuple[Corpus, ...] = (
    Corpus("Penn Treebank (WSJ)", 1993, 1.0e6, "words", "marcus1993building", "about a million words of newspaper text"),
    Corpus("PTB language-model split", 2014, 9.29e5, "words", "zaremba2014recurrent", "929k training words"),
    Corpus("One Billion Word", 2013, 8.0e8, "words", "chelba2013one", "about 0.8B training words"),
    Corpus("WikiText-103", 2017, 1.03e8, "tokens", "merity2017pointer"),
    Corpus("BERT (books + Wikipedia)", 2019, 3.3e9, "words", "devlin2019bert"),
    Corpus("GPT-3", 2020, 3.0e11, "tokens", "brown2020language"),
    Corpus("Chinchilla", 2022, 1.4e12, "tokens", "hoffmann2022training"),
    Corpus("LLaMA", 2023, 1.4e12, "tokens", "touvron2023llama"),
    Corpus("Llama 3", 2024, 1.5e13, "tokens", "dubey2024llama", "about 15T tokens"),
    Corpus("DeepSeek-V3", 2024, 1.48e13, "tokens", "deepseekai2024deepseekv3"),
    Corpus("SmolLM2", 2025, 1.1e13, "tokens", "allal2025smollm2"),
)  # fmt: skip


def year_in_key(key: str) -> int:
    """The year written in a bibliography key (``author2020word`` -> 2020).

    Example:
        >>> year_in_key("mcculloch1943logical")
        1943
    """
    found = re.search(r"(1[89]\d\d|20\d\d)", key)
    if not found:
        raise ValueError(f"year_in_key: no year in key {key!r}")
    return int(found.group(1))


def bibliography_years(bibtex: str) -> dict[str, int]:
    """Every entry's key and year in the text of a BibTeX file.

    Example:
        >>> bibliography_years("@article{a1999b,\\n  title = {T},\\n  year = {1999}\\n}")
        {'a1999b': 1999}
    """
    if not isinstance(bibtex, str):
        raise TypeError(
            f"bibliography_years: expected the text of a .bib file, got {type(bibtex).__name__}"
        )
    years = {}
    for match in re.finditer(r"@\w+\s*\{\s*([^,\s]+)\s*,(.*?)\n\}", bibtex, re.S):
        key, body = match.groups()
        year = re.search(r"\byear\s*=\s*[{\"]?(\d{4})", body)
        if year:
            years[key] = int(year.group(1))
    return years
