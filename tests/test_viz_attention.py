"""Attention figures: tokens on both axes, one colour scale per figure, a reading of the heads."""

import matplotlib
import pytest
import torch

from course_utils.device import cpu_threads
from course_utils.models import AttentionMaps
from course_utils.viz import plot_attention, plot_attention_grid, plot_attention_panels


def _colorbars(fig):
    return [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]


def test_plot_attention_labels_both_axes_with_a_fixed_scale():
    weights = torch.tensor([[0.2, 0.8], [0.5, 0.5], [0.1, 0.9]])
    fig = plot_attention(weights, ["年", "b", "c"], ["x", "月"], "title")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x", "月"]  # real Chinese
    assert [t.get_text() for t in ax.get_yticklabels()] == ["年", "b", "c"]
    assert ax.images[0].get_clim() == (0.0, 1.0)  # not stretched to the data's max
    assert len(_colorbars(fig)) == 1
    fig = plot_attention(
        weights, list("abc"), list("xy"), vmin=-1, vmax=1, colorbar=False
    )
    assert fig.axes[0].images[0].get_clim() == (-1.0, 1.0) and not _colorbars(fig)
    matplotlib.pyplot.close("all")


def test_panels_share_one_scale_and_one_colorbar():
    panels = [
        (torch.full((2, 2), 0.5), ["a", "b"], ["a", "b"], "flat"),
        (torch.tensor([[1.0, 0.0, 0.0]]), ["q"], ["x", "y", "z"], "sharp"),
    ]
    fig = plot_attention_panels(panels)
    maps = [ax for ax in fig.axes if ax.images and ax.get_label() != "<colorbar>"]
    assert len(maps) == 2 and len(_colorbars(fig)) == 1
    assert {ax.images[0].get_clim() for ax in maps} == {(0.0, 1.0)}
    assert [t.get_text() for t in maps[1].get_xticklabels()] == ["x", "y", "z"]
    assert maps[0].get_ylabel() and not maps[1].get_ylabel()
    with pytest.raises(ValueError, match="non-empty list"):
        plot_attention_panels([])
    with pytest.raises(
        ValueError, match=r"panel 0 must be \(weights, queries, keys, title\)"
    ):
        plot_attention_panels([(torch.eye(2), ["a", "b"])])
    with pytest.raises(ValueError, match="need vmin < vmax"):
        plot_attention_panels(panels, vmin=1.0, vmax=0.5)
    matplotlib.pyplot.close("all")


def test_grid_labels_outer_axes_and_writes_notes():
    weights = torch.rand(2, 3, 4, 4).softmax(-1)
    maps = AttentionMaps(weights, list("abcd"), list("abcd"), "caption")
    fig = plot_attention_grid(maps, notes={(1, 2): "previous"})
    grid = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(grid) == 6 and len(_colorbars(fig)) == 1
    bottom_left, top_right = grid[3], grid[2]
    assert [t.get_text() for t in bottom_left.get_xticklabels()] == list("abcd")
    assert [t.get_text() for t in bottom_left.get_yticklabels()] == list("abcd")
    assert not [t.get_text() for t in top_right.get_xticklabels() if t.get_text()]
    assert [t.get_text() for t in grid[5].texts] == ["previous"]
    assert {ax.images[0].get_clim() for ax in grid} == {(0.0, 1.0)}
    assert fig._suptitle.get_text() == "caption"
    with pytest.raises(TypeError, match="maps must be AttentionMaps"):
        plot_attention_grid(torch.rand(2, 2, 3, 3))
    matplotlib.pyplot.close("all")


def test_plot_attention_rejects_bad_input():
    with pytest.raises(
        TypeError, match="weights must be a tensor or an array, got list"
    ):
        plot_attention([[1.0]], ["a"], ["b"])
    with pytest.raises(
        ValueError, match=r"expected attention weights \(queries, keys\)"
    ):
        plot_attention(torch.rand(2, 2, 2), ["a", "b"], ["a", "b"])
    with pytest.raises(ValueError, match="do not match 1 queries and 2 keys"):
        plot_attention(torch.rand(2, 2), ["a"], ["a", "b"])


def test_head_scores_and_roles_on_known_patterns():
    tokens = ["[CLS]", "a", "b", "c", "[SEP]"]
    previous = torch.eye(5).roll(-1, dims=1)  # query i -> key i - 1
    previous[0] = torch.eye(5)[0]
    to_sep = torch.zeros(5, 5)
    to_sep[:, 4] = 1.0
    uniform = torch.full((5, 5), 0.2)
    maps = AttentionMaps(torch.stack([previous, to_sep, uniform])[None], tokens, tokens)
    scores = maps.head_scores({"[SEP]": ["[SEP]"]})
    assert scores["previous"][0, 0] == 1.0 and scores["[SEP]"][0, 1] == 1.0
    torch.testing.assert_close(scores["self"][0, 2], torch.tensor(0.2))
    roles = maps.head_roles({"[SEP]": ["[SEP]"]})
    assert roles == {(0, 0): "previous", (0, 1): "[SEP]", (0, 2): "mixed"}
    with pytest.raises(ValueError, match="needs self-attention maps"):
        AttentionMaps(torch.rand(1, 1, 2, 3), ["a", "b"], list("xyz")).head_scores()
    with pytest.raises(TypeError, match="must be a list of token labels"):
        maps.head_scores({"sep": "[SEP]"})
    with pytest.raises(ValueError, match="threshold must be in"):
        maps.head_roles(threshold=0)


def test_cpu_threads_restores_the_count():
    before = torch.get_num_threads()
    with cpu_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="count must be an integer >= 1, got 0"):
        with cpu_threads(0):
            pass


def test_panels_wrap_into_rows():
    panels = [(torch.eye(3), list("abc"), list("abc"), str(i)) for i in range(3)]
    fig = plot_attention_panels(panels, columns=2)
    visible = [ax for ax in fig.axes if ax.axison and ax.get_label() != "<colorbar>"]
    assert len(visible) == 3 and len(_colorbars(fig)) == 1
    assert visible[2].get_ylabel() and not visible[1].get_ylabel()
    with pytest.raises(ValueError, match="columns"):
        plot_attention_panels(panels, columns=0)
    matplotlib.pyplot.close("all")
