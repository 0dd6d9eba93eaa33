"""The risks notebook's checker accepts a right WEAT effect size and catches the usual slips."""

import torch

from course_utils import exercises


def _association(w, A, B, normalize=True):
    if normalize:
        w, A, B = (torch.nn.functional.normalize(t, dim=1) for t in (w, A, B))
    return (w @ A.T).mean(1) - (w @ B.T).mean(1)


def right(X, Y, A, B):
    s_x, s_y = _association(X, A, B), _association(Y, A, B)
    return (s_x.mean() - s_y.mean()) / torch.cat([s_x, s_y]).std()


def dot_products(X, Y, A, B):
    s_x, s_y = _association(X, A, B, False), _association(Y, A, B, False)
    return (s_x.mean() - s_y.mean()) / torch.cat([s_x, s_y]).std()


def population_std(X, Y, A, B):
    s_x, s_y = _association(X, A, B), _association(Y, A, B)
    return (s_x.mean() - s_y.mean()) / torch.cat([s_x, s_y]).std(correction=0)


def std_of_x_only(X, Y, A, B):
    s_x, s_y = _association(X, A, B), _association(Y, A, B)
    return (s_x.mean() - s_y.mean()) / s_x.std()


def test_weat_effect_size_checker():
    assert exercises.check_weat_effect_size(right, verbose=False)
    for wrong in (dot_products, population_std, std_of_x_only):
        assert not exercises.check_weat_effect_size(wrong, verbose=False), (
            wrong.__name__
        )


def test_weat_effect_size_checker_survives_a_stub():
    def stub(X, Y, A, B):
        raise NotImplementedError

    result = exercises.check_weat_effect_size(stub, verbose=False)
    assert not result and "NOT YET" in result.message
