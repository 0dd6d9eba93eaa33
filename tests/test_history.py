"""The history chapter's data, figures, explorer and exercise checkers."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import torch

from course_utils import exercises
from course_utils.data import bible_corpus, load_bible_chapters
from course_utils.data.milestones import (
    CORPORA,
    MILESTONES,
    MODELS,
    bibliography_years,
    find_model,
    milestone,
    year_in_key,
)
from course_utils.scaling import (
    ARCHITECTURES,
    architecture_parameters,
    compute_optimal_split,
)
from course_utils.viz.history import (
    era_of,
    plot_corpus_sizes,
    plot_parameters_over_time,
    plot_timeline,
    scale_summary_html,
)
from course_utils.widgets import ScaleExplorer

BIBLIOGRAPHY = Path(__file__).resolve().parents[1] / "references.bib"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def years() -> dict[str, int]:
    return bibliography_years(BIBLIOGRAPHY.read_text())


# ----------------------------------------------------------------------------- dates against sources


@pytest.mark.parametrize(
    "row",
    MILESTONES + MODELS + CORPORA,
    ids=lambda r: getattr(r, "event", None) or r.name,
)
def test_every_year_and_key_is_in_the_bibliography(row, years):
    assert row.key in years, f"{row.key} is not in references.bib"
    assert row.year == years[row.key], f"{row}: references.bib says {years[row.key]}"
    assert row.year == year_in_key(row.key)


def test_the_bibliography_parser_reads_every_entry(years):
    text = BIBLIOGRAPHY.read_text()
    entries = re.findall(r"^@\w+\{", text, re.M)
    assert len(years) == len(entries) > 100
    assert (
        years["mcculloch1943logical"] == 1943 and years["rumelhart1986learning"] == 1986
    )


def test_errata_row_1_the_neuron_is_1943_and_backpropagation_1986():
    assert milestone("McCulloch-Pitts").year == 1943
    assert milestone("perceptron learning").year == 1958
    assert milestone("backpropagation learns").year == 1986
    assert [m.year for m in MILESTONES] == sorted(m.year for m in MILESTONES)
    with pytest.raises(ValueError, match="no event"):
        milestone("quantum neuron")


def test_models_have_organisations_and_chinese_labs_are_there():
    names = {m.name for m in MODELS}
    assert {
        "ERNIE",
        "PanGu-alpha",
        "GLM",
        "Qwen",
        "DeepSeek-V3",
        "ChatGPT",
        "GPT-3",
    } <= names
    assert all(m.organisation and m.architecture for m in MODELS)
    assert find_model("qwen").organisation == "Alibaba Cloud"


@pytest.mark.parametrize(
    "name, words",
    [
        ("Alibaba", "is an organisation, not a model; its models here: Qwen"),
        ("ALiBABA", "is an organisation"),
        ("Baidu", "ERNIE (2019), ERNIE 3.0 (2021)"),
        ("NLP", "is a field (natural language processing)"),
        ("CNN", "is an architecture family"),
        ("GPT-7", "no model 'GPT-7'"),
    ],
)
def test_find_model_explains_what_is_not_a_model(name, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        find_model(name)


def test_find_model_bad_type():
    with pytest.raises(TypeError, match="must be a str"):
        find_model(175)


def test_corpora_show_the_gap_of_errata_row_16():
    sizes = {c.name: c.size for c in CORPORA}
    assert sizes["Penn Treebank (WSJ)"] == 1e6
    assert max(sizes.values()) / sizes["Penn Treebank (WSJ)"] >= 1e7


def test_year_in_key_and_bibliography_years_bad_input():
    with pytest.raises(ValueError, match="no year"):
        year_in_key("nokey")
    with pytest.raises(TypeError):
        bibliography_years(None)
    assert bibliography_years("@misc{x2001y,\n  year = 2001\n}") == {"x2001y": 2001}


# ----------------------------------------------------------------------------- the Bible corpus


def test_bible_chapters_have_no_verse_numbers():
    chapters = load_bible_chapters()
    assert len(chapters) == 1189
    assert chapters[0].startswith("In the beginning God created")
    assert not any(re.search(r"\d+:\d+", c) for c in chapters)


def test_bible_corpus_split_by_chapter():
    tokenizer, train, test = bible_corpus(seed=0, test_fraction=0.1)
    assert (
        3_500_000 < len(train) < 4_000_000
        and 0.09 < len(test) / (len(train) + len(test)) < 0.11
    )
    assert tokenizer.decode(tokenizer.encode(test[:100])) == test[:100]
    assert bible_corpus(seed=1)[2] != test
    with pytest.raises(ValueError, match="test_fraction"):
        bible_corpus(test_fraction=1.5)


# ----------------------------------------------------------------------------- figures


def test_eras():
    assert era_of(1943)[0] == "threshold logic and perceptrons"
    assert era_of(2017)[0] == "Transformers and scale"
    with pytest.raises(ValueError):
        era_of(1900)
    with pytest.raises(TypeError):
        era_of("1986")


def test_timeline_draws_every_milestone():
    fig = plot_timeline(MILESTONES, highlight=("mcculloch1943logical",))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert sum(t.isdigit() for t in texts) == len(MILESTONES)
    assert any("McCulloch-Pitts" in t for t in texts)
    with pytest.raises(ValueError):
        plot_timeline([])


def test_parameters_over_time_places_course_models():
    ax = plot_parameters_over_time(MODELS, course={"TinyGPT": 100_000})
    labels = [t.get_text() for t in ax.texts]
    assert "GPT-3" in labels and any(t.startswith("TinyGPT (100k)") for t in labels)
    assert ax.get_yscale() == "log"


def test_corpus_sizes_are_log_bars():
    ax = plot_corpus_sizes(CORPORA, course={"census names": (40_000, "characters")})
    assert ax.get_xscale() == "log"
    assert len(ax.patches) == len(CORPORA) + 1


def test_scale_summary_html():
    from course_utils.scaling import estimate_scale

    text = scale_summary_html(
        estimate_scale(ARCHITECTURES["LLaMA-7B"], tokens=1e12), "LLaMA"
    )
    assert "6.74B" in text and "LLaMA" in text and "FLOPs" in text
    with pytest.raises(TypeError):
        scale_summary_html({"total": 1})


# ----------------------------------------------------------------------------- the explorer


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_explorer_presets_rebuild_the_architectures(name):
    explorer = ScaleExplorer(preset=name)
    assert explorer.estimate().parameters.total == architecture_parameters(name).total
    assert f"preset: {name}" in explorer.info.value


def test_explorer_shows_a_clear_error_for_a_bad_shape():
    explorer = ScaleExplorer.demo()
    explorer.heads.value = 7  # 768 is not divisible by 7
    assert "must be divisible by n_head" in explorer.info.value
    assert explorer.preset.value == "(custom)"
    explorer.heads.value = 12
    assert "124.4M" in explorer.info.value


def test_explorer_tokens_follow_the_checkbox():
    explorer = ScaleExplorer.demo()
    assert explorer.tokens.disabled
    n = explorer.estimate().parameters.total
    assert explorer.estimate().tokens == 20 * n
    explorer.optimal.value = False
    explorer.tokens.value = 1e9
    assert not explorer.tokens.disabled and explorer.estimate().tokens == 1e9
    with pytest.raises(ValueError, match="unknown preset"):
        ScaleExplorer(preset="GPT-5")


# ----------------------------------------------------------------------------- exercise checkers


def test_history_checkers_pass_the_references(capsys):
    assert exercises.check_perceptron_epoch(exercises.perceptron_epoch)
    assert exercises.check_next_token_pairs(exercises.next_token_pairs)
    assert exercises.check_compute_optimal(compute_optimal_split)
    assert exercises.check_gpt_parameters(
        lambda n_layer, d_model, vocab_size, context: (
            (vocab_size + context) * d_model
            + n_layer * (12 * d_model**2 + 13 * d_model)
            + 2 * d_model
        )
    )
    assert capsys.readouterr().out.count("PASS") == 4


def test_history_checkers_catch_mistakes():
    def no_bias_update(w, b, X, y):
        w = w.clone()
        mistakes = 0
        for x_i, y_i in zip(X, y):
            if y_i * (w @ x_i + b) <= 0:
                w += y_i * x_i
                mistakes += 1
        return w, b, mistakes

    def in_place(w, b, X, y):
        for x_i, y_i in zip(X, y):
            if y_i * (w @ x_i + b) <= 0:
                w += y_i * x_i
                b += y_i
        return w, b, 0

    assert not exercises.check_perceptron_epoch(no_bias_update, strict=False)
    assert "changed the w or b" in exercises.check_perceptron_epoch(in_place).message

    def one_short(ids, context):
        return ids.unfold(0, context, 1)[:-2], ids[context:-1]

    assert not exercises.check_next_token_pairs(one_short)

    def forgot_positions(n_layer, d_model, vocab_size, context):
        return (
            vocab_size * d_model
            + n_layer * (12 * d_model**2 + 13 * d_model)
            + 2 * d_model
        )

    assert "case 1" in exercises.check_gpt_parameters(forgot_positions).message

    def ten_per_parameter(flops):
        n = (flops / 60) ** 0.5
        return n, 10 * n

    assert not exercises.check_compute_optimal(ten_per_parameter)
    with pytest.raises(exercises.ExerciseFailed):
        exercises.check_compute_optimal(ten_per_parameter, strict=True)

    def not_written(flops):
        raise NotImplementedError

    assert "not written yet" in exercises.check_compute_optimal(not_written).message


def test_reference_perceptron_epoch_on_separable_data_converges():
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(40, 3, generator=generator, dtype=torch.float64)
    y = torch.sign(X @ torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64))
    w, b = torch.zeros(3, dtype=torch.float64), torch.zeros((), dtype=torch.float64)
    for _ in range(100):
        w, b, mistakes = exercises.perceptron_epoch(w, b, X, y)
        if mistakes == 0:
            break
    assert mistakes == 0 and bool((torch.sign(X @ w + b) == y).all())
