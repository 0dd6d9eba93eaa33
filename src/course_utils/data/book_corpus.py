"""The book as a search corpus: its glossary entries and the sections of its pages.

An FAQ assistant for this course should answer from the course itself. This
module cuts the book into short passages: every glossary entry, and the start
of every section (``##`` heading) of every page of chapters 0 to 6. Each passage
has a stable id, such as ``glossary:adam`` or
``06_optimizers/01_from_sgd_to_adam#adagrad-a-learning-rate-per-parameter``.

The notebooks use a **snapshot** of that corpus shipped inside the package
(``book_corpus.json``), so that the questions below keep their answers and the
results stay reproducible while the book grows; ``source="repository"`` rebuilds
the corpus from the markdown files and notebooks of a checkout of the book.

:data:`BOOK_QUESTIONS` is a small labelled question set written for the
applications chapter: each question names the passages that answer it and a key
term a correct answer must contain. None of its questions copies the wording of
its passage. :data:`CHINESE_QUESTIONS` asks for glossary entries in Chinese.

Example:
    >>> corpus = load_book_corpus()
    >>> passage = next(p for p in corpus if p.id == "glossary:adam")
    >>> passage.title
    'Adam'
    >>> all(any(p.id == r for p in corpus) for q in BOOK_QUESTIONS for r in q.relevant)
    True
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

__all__ = [
    "Passage",
    "Question",
    "load_book_corpus",
    "build_book_corpus",
    "save_book_corpus",
    "book_root",
    "BOOK_QUESTIONS",
    "CHINESE_QUESTIONS",
    "SNAPSHOT",
]

#: The file, inside this package, that holds the snapshot of the corpus.
SNAPSHOT = "book_corpus.json"
#: Words kept from the start of each section (the first paragraph or two).
SECTION_WORDS = 80
_SKIPPED_SECTIONS = ("exercises", "references")
_SKIPPED_CHAPTERS = ("07_applications", "99_appendix")


@dataclass(frozen=True)
class Passage:
    """One searchable piece of the book.

    Attributes:
        id: stable identifier, ``glossary:<term>`` or ``<chapter>/<page>#<section>``.
        kind: ``"glossary"`` or ``"section"``.
        title: the glossary term, or ``"page title: section heading"``.
        source: the file it comes from, relative to the book's root.
        text: plain text (markup removed), what is embedded and shown to a reader.
    """

    id: str
    kind: str
    title: str
    source: str
    text: str

    def searchable(self) -> str:
        """What a search engine indexes: the text, after the section's title."""
        return self.text if self.kind == "glossary" else f"{self.title}. {self.text}"


@dataclass(frozen=True)
class Question:
    """A question with its answer passages and a key term a correct answer contains.

    Attributes:
        text: the question, as a reader would ask it.
        relevant: ids of the passages that answer it.
        answer: the key term (matched case-insensitively in a generated answer).
        split: ``"dev"`` (for choosing settings) or ``"test"`` (reported once).
    """

    text: str
    relevant: tuple[str, ...]
    answer: str
    split: str


# ----------------------------------------------------------------------------- loading


def load_book_corpus(
    source: str = "snapshot", root: str | Path | None = None
) -> list[Passage]:
    """The passages of the book.

    Args:
        source: ``"snapshot"``, the copy shipped with the package (what the notebooks
            use); or ``"repository"``, rebuilt from the book's files now.
        root: the book's folder for ``source="repository"``; found from this file's
            location (a checkout with ``pip install -e .``) when None.
    """
    if source == "snapshot":
        text = resources.files(__package__).joinpath(SNAPSHOT).read_text("utf-8")
        return [Passage(**row) for row in json.loads(text)["passages"]]
    if source == "repository":
        return build_book_corpus(book_root() if root is None else Path(root))
    raise ValueError(
        f"load_book_corpus: unknown source {source!r}, expected 'snapshot' or 'repository'"
    )


def book_root() -> Path:
    """The book's folder when this package runs from a checkout of it (``pip install -e .``)."""
    candidate = Path(__file__).resolve().parents[3]
    if (
        not (candidate / "glossary.md").exists()
        or not (candidate / "chapters").is_dir()
    ):
        raise FileNotFoundError(
            "the book's files (glossary.md, chapters/) are not next to this installed "
            "package, so the corpus cannot be rebuilt from them: use "
            "load_book_corpus('snapshot'), or pass root= the folder of a checkout of the book"
        )
    return candidate


def save_book_corpus(passages: list[Passage], path: str | Path) -> None:
    """Write passages as the JSON snapshot that :func:`load_book_corpus` reads."""
    rows = [asdict(p) for p in passages]
    document = {
        "description": "Passages of 'From Neurons to Transformers' (glossary and the "
        "start of every section of chapters 0-6), built by "
        "course_utils.data.book_corpus.build_book_corpus. Text CC BY 4.0.",
        "passages": rows,
    }
    Path(path).write_text(
        json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


# ----------------------------------------------------------------------------- building


def build_book_corpus(root: str | Path) -> list[Passage]:
    """Cut the book in ``root`` into passages: glossary entries, then page sections."""
    root = Path(root)
    glossary = root / "glossary.md"
    if not glossary.exists():
        raise FileNotFoundError(f"build_book_corpus: no glossary.md in {root}")
    passages = _glossary_passages(glossary.read_text("utf-8"))
    pages = sorted((root / "chapters").glob("*/*.ipynb")) + sorted(
        (root / "chapters").glob("*/*.md")
    )
    for page in sorted(pages):
        chapter = page.parent.name
        if chapter in _SKIPPED_CHAPTERS or page.name == "index.md":
            continue
        if ".ipynb_checkpoints" in page.parts:
            continue
        markdown = _page_markdown(page)
        passages += _section_passages(markdown, f"{chapter}/{page.stem}", page, root)
    if not passages:
        raise ValueError(f"build_book_corpus: found no passages in {root}")
    return passages


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _plain(text).lower()).strip("-")


def _page_markdown(page: Path) -> str:
    if page.suffix == ".md":
        return page.read_text("utf-8")
    notebook = json.loads(page.read_text("utf-8"))
    return "\n\n".join(
        "".join(cell["source"])
        for cell in notebook["cells"]
        if cell["cell_type"] == "markdown"
    )


def _glossary_passages(markdown: str) -> list[Passage]:
    block = re.search(r"```\{glossary\}\n(.*?)\n```", markdown, re.S)
    if block is None:
        raise ValueError("build_book_corpus: glossary.md has no {glossary} block")
    passages = []
    for entry in re.split(r"\n\s*\n", block.group(1)):
        lines = [
            line
            for line in entry.splitlines()
            if not line.startswith(":")
            and not line.strip().startswith("中文：")  # the Chinese name, see zh_index
        ]
        terms = [line.strip() for line in lines if line and not line[0].isspace()]
        definition = " ".join(line.strip() for line in lines if line[:1].isspace())
        if not terms or not definition:
            continue
        aliases = f" (also: {', '.join(terms[1:])})" if len(terms) > 1 else ""
        passages.append(
            Passage(
                id=f"glossary:{_slug(terms[0])}",
                kind="glossary",
                title=terms[0],
                source="glossary.md",
                text=f"{terms[0]}{aliases}: {_plain(definition)}",
            )
        )
    return passages


def _section_passages(markdown: str, page_id: str, page: Path, root: Path):
    markdown = _drop_blocks(markdown)
    title, sections, current = page.stem, [], None
    for line in markdown.splitlines():
        if line.startswith("# "):
            title = _plain(line[2:])
            current = [title, []]
            sections.append(current)
        elif line.startswith("## "):
            current = [_plain(line[3:]), []]
            sections.append(current)
        elif current is not None:
            current[1].append(line)
    passages, seen = [], set()
    for heading, lines in sections:
        if heading.lower().startswith(_SKIPPED_SECTIONS):
            continue
        words = _plain(" ".join(lines)).split()
        if len(words) < 8:
            continue
        slug = _slug(heading) if heading != title else "introduction"
        while f"{page_id}#{slug}" in seen:
            slug += "-more"
        seen.add(f"{page_id}#{slug}")
        text = " ".join(words[:SECTION_WORDS]) + (
            " ..." if len(words) > SECTION_WORDS else ""
        )
        passages.append(
            Passage(
                id=f"{page_id}#{slug}",
                kind="section",
                title=title if heading == title else f"{title}: {heading}",
                source=str(page.relative_to(root)),
                text=text,
            )
        )
    return passages


def _drop_blocks(markdown: str) -> str:
    """Remove code, tables, solutions and directive lines; keep the prose of admonitions."""
    markdown = re.sub(r"<details>.*?</details>", " ", markdown, flags=re.S)
    kept, fence = [], None
    for line in markdown.splitlines():
        stripped = line.strip()
        opening = re.match(r"^(`{3,}|~{3,})(.*)$", stripped)
        if fence is None and opening:
            marks, info = opening.groups()
            # A directive (admonition, note, tip...) keeps its prose; code is dropped.
            fence = (marks, info.startswith("{") and "code" not in info)
            continue
        if fence is not None and stripped == fence[0]:
            fence = None
            continue
        if fence is not None and not fence[1]:
            continue
        if stripped.startswith((":", "|", "$$")) or stripped.startswith("<"):
            continue
        kept.append(line)
    return "\n".join(kept)


def _plain(text: str) -> str:
    """Markdown and MyST roles -> plain text."""
    text = re.sub(r"\s*\{cite(:[a-z]+)?\}`[^`]*`", "", text)
    text = re.sub(r"\{(doc|ref|term|kbd)\}`([^`<]*?)\s*<[^`]*>`", r"\2", text)
    text = re.sub(
        r"\{(doc|ref|term|kbd)\}`([^`]*)`", lambda m: m.group(2).split("/")[-1], text
    )
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*`]", "", text)
    return " ".join(text.split())


# ----------------------------------------------------------------------------- questions

_G = "glossary:"
_OPT = "06_optimizers/01_from_sgd_to_adam#"

#: Questions about the book, written for the applications chapter (dev: 12, test: 24).
BOOK_QUESTIONS: list[Question] = [
    # dev: used to choose settings (e.g. how to mix the two searches)
    Question(
        "Which optimizer gives every weight its own step size by dividing by the root of all its past squared gradients added up?",
        (_G + "adagrad", _OPT + "adagrad-a-learning-rate-per-coordinate"),
        "AdaGrad",
        "dev",
    ),
    Question(
        "What do we call a setting such as the batch size that is picked by hand before training starts?",
        (_G + "hyperparameter",),
        "hyperparameter",
        "dev",
    ),
    Question(
        "How is the trick called that copies every patch into a column so that a convolution becomes one big matrix product?",
        (_G + "im2col",),
        "im2col",
        "dev",
    ),
    Question(
        "Which recurrent cell has only a reset gate and an update gate and no separate memory cell?",
        (_G + "gru", "04_rnn/02_lstm_and_gru#the-gru-cell"),
        "GRU",
        "dev",
    ),
    Question(
        "What stores the keys and values of earlier tokens so that generating the next token is cheap?",
        (_G + "kv-cache", "05_attention/04_tiny_gpt#a-kv-cache"),
        "cache",
        "dev",
    ),
    Question(
        "What is the name of the table that counts how often each true class was predicted as each class?",
        (_G + "confusion-matrix",),
        "confusion matrix",
        "dev",
    ),
    Question(
        "Which regularizer randomly silences hidden units while training and does nothing at test time?",
        (_G + "dropout", "02_foundations/05_overfitting_and_regularization#dropout"),
        "dropout",
        "dev",
    ),
    Question(
        "How do we call a full pass over all the training examples?",
        (_G + "epoch",),
        "epoch",
        "dev",
    ),
    Question(
        "What is a raw class score before the softmax turns it into a probability called?",
        (_G + "logit",),
        "logit",
        "dev",
    ),
    Question(
        "What spreads the taps of a kernel apart so it sees a wider area with the same number of weights?",
        (_G + "dilation",),
        "dilation",
        "dev",
    ),
    Question(
        "What is the line or surface where a classifier changes its predicted class?",
        (_G + "decision-boundary",),
        "boundary",
        "dev",
    ),
    Question(
        "Which method stops training at the epoch where the held-out loss was lowest?",
        (
            _G + "early-stopping",
            "02_foundations/05_overfitting_and_regularization#early-stopping",
        ),
        "early stopping",
        "dev",
    ),
    # test: reported once, at the end
    Question(
        "Which adaptive optimizer combines momentum with a running average of squared gradients and corrects both for starting at zero?",
        (_G + "adam", _OPT + "adam-momentum-plus-rmsprop-bias-corrected"),
        "Adam",
        "test",
    ),
    Question(
        "Which variant of Adam shrinks the weights directly instead of adding an L2 term to the gradient?",
        (_G + "adamw", _OPT + "adamw-weight-decay-done-right"),
        "AdamW",
        "test",
    ),
    Question(
        "What operation do deep-learning libraries really compute when they say convolution, since the kernel is not flipped?",
        (
            _G + "cross-correlation",
            _G + "convolution",
            "03_cnn/01_convolution#cross-correlation-or-convolution",
        ),
        "cross-correlation",
        "test",
    ),
    Question(
        "Which loss takes logits and penalises minus the log probability of the correct class?",
        (_G + "cross-entropy",),
        "cross-entropy",
        "test",
    ),
    Question(
        "What mask stops position i from looking at later positions in a language model?",
        (
            _G + "causal-mask",
            "05_attention/01_attention_from_scratch#masks-padding-and-causality",
        ),
        "causal",
        "test",
    ),
    Question(
        "How do you enlarge a training set with shifted or rotated copies of the images?",
        (_G + "data-augmentation",),
        "augmentation",
        "test",
    ),
    Question(
        "What is the problem when the gradient grows without bound as it flows back through many time steps, and how is it usually fixed?",
        (_G + "exploding-gradient",),
        "clipping",
        "test",
    ),
    Question(
        "What do we call the output grid of one filter that shows where it responded strongly?",
        (_G + "feature-map",),
        "feature map",
        "test",
    ),
    Question(
        "Which recurrent cell keeps a separate cell state with input, forget and output gates?",
        (_G + "lstm", "04_rnn/02_lstm_and_gru#the-lstm-cell"),
        "LSTM",
        "test",
    ),
    Question(
        "Which family of networks built by Yann LeCun read handwritten digits?",
        (_G + "lenet",),
        "LeNet",
        "test",
    ),
    Question(
        "What short training run raises the learning rate at every step to find a good value?",
        (
            _G + "learning-rate-range-test",
            "06_optimizers/03_optimizers_on_a_network#the-learning-rate-range-test",
        ),
        "range test",
        "test",
    ),
    Question(
        "What is the step size of gradient descent called?",
        (_G + "learning-rate",),
        "learning rate",
        "test",
    ),
    Question(
        "Who described the first artificial neuron, with a hard threshold and fixed weights?",
        (_G + "artificial-neuron",),
        "McCulloch",
        "test",
    ),
    Question(
        "How are gradients computed through a recurrent network unrolled over a sequence?",
        (
            _G + "backpropagation-through-time",
            "04_rnn/01_recurrence#backpropagation-through-time",
            "04_rnn/01_recurrence#summary",
        ),
        "through time",
        "test",
    ),
    Question(
        "Which pooling keeps the mean of each window?",
        (_G + "average-pooling",),
        "average",
        "test",
    ),
    Question(
        "What ratio of largest to smallest curvature makes gradient descent slow in a narrow valley?",
        (
            _G + "condition-number",
            "06_optimizers/02_loss_surfaces#the-ill-conditioned-bowl",
        ),
        "condition number",
        "test",
    ),
    Question(
        "What is the name of NVIDIA's platform for running PyTorch tensors on a graphics card?",
        (_G + "cuda",),
        "CUDA",
        "test",
    ),
    Question(
        "In a recurrent network, what vector carries the summary of everything read so far from one step to the next?",
        (_G + "hidden-state", _G + "recurrent-neural-network"),
        "hidden state",
        "test",
    ),
    Question(
        "What do we call a group of examples processed together in one forward and backward pass?",
        (_G + "batch",),
        "batch",
        "test",
    ),
    Question(
        "Which layer connects every input to every output with a weight, as in y = Wx + b?",
        (_G + "fully-connected-layer",),
        "linear",
        "test",
    ),
    Question(
        "What in an LSTM or GRU is a vector of numbers between 0 and 1 that decides how much to let through?",
        (_G + "gate",),
        "gate",
        "test",
    ),
    Question(
        "How do I open a notebook of the book in Google Colab?",
        (
            "00_start/00_how_to_use#running-on-google-colab",
            "00_start/00_how_to_use#reading-the-rendered-book",
        ),
        "Colab",
        "test",
    ),
    Question(
        "Which pretrained sentence model does the attention chapter load offline?",
        (
            "05_attention/05_pretrained_attention#introduction",
            "05_attention/05_pretrained_attention#loading-the-model-offline",
        ),
        "MiniLM",
        "test",
    ),
    Question(
        "What does dividing the attention scores by the square root of the key dimension prevent?",
        ("05_attention/01_attention_from_scratch#why-divide-by-sqrt-d-k",),
        "softmax",
        "test",
    ),
]

#: Chinese questions whose answer is an (English) glossary entry: cross-lingual search.
CHINESE_QUESTIONS: list[tuple[str, str]] = [
    ("什么是卷积核？", _G + "filter"),
    ("Dropout 是怎么防止过拟合的？", _G + "dropout"),
    ("学习率太大会怎样？", _G + "learning-rate"),
    ("什么是梯度下降？", _G + "gradient-descent"),
    ("LSTM 的遗忘门有什么作用？", _G + "lstm"),
    ("注意力机制是怎么计算的？", _G + "attention"),
    ("什么是反向传播算法？", _G + "backpropagation"),
    ("一个训练周期是什么意思？", _G + "epoch"),
    ("什么是混淆矩阵？", _G + "confusion-matrix"),
    ("激活函数有什么用？", _G + "activation-function"),
    ("什么是最大池化？", _G + "max-pooling"),
    ("什么是数据增强？", _G + "data-augmentation"),
]
