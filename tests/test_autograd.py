"""The scalar autograd engine against torch.autograd on random expression graphs."""

import math
import random

import pytest
import torch

from course_utils.autograd import Value, is_grad_enabled, no_grad

UNARY = ["exp", "log", "tanh", "relu", "square", "cube", "sqrt", "reciprocal", "neg"]
BINARY = ["+", "-", "*", "/", "r-", "r/", "c*", "c+"]


def _apply(op, x, y=None, c=None):
    """The same operation on our Value or a torch scalar tensor."""
    torchy = isinstance(x, torch.Tensor)
    if op == "exp":
        return x.exp()
    if op == "log":
        return x.log()
    if op == "tanh":
        return x.tanh()
    if op == "relu":
        return torch.relu(x) if torchy else x.relu()
    if op == "square":
        return x**2
    if op == "cube":
        return x**3
    if op == "sqrt":
        return x**0.5
    if op == "reciprocal":
        return x**-1
    if op == "neg":
        return -x
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "/":
        return x / y
    if op == "r-":
        return c - x
    if op == "r/":
        return c / x
    if op == "c*":
        return c * x
    if op == "c+":
        return c + x
    raise AssertionError(op)


def _allowed(op, a, b):
    """Keep values in the domain and away from overflow and division by ~0."""
    if op == "exp":
        return abs(a) < 5
    if op in ("log", "sqrt"):
        return a > 0.1
    if op in ("reciprocal", "r/"):
        return abs(a) > 0.2
    if op == "/":
        return abs(b) > 0.2
    if op == "relu":
        return abs(a) > 1e-6
    return abs(a) < 1e3 and abs(b) < 1e3


def random_graph(seed):
    """Build one random expression twice: with Value and with torch; return both."""
    rng = random.Random(seed)
    n_leaves = rng.randint(1, 5)
    data = [rng.uniform(-2, 2) for _ in range(n_leaves)]
    flags = [rng.random() < 0.7 for _ in range(n_leaves)]
    flags[rng.randrange(n_leaves)] = True
    ours = [Value(d, requires_grad=f) for d, f in zip(data, flags)]
    theirs = [
        torch.tensor(d, dtype=torch.float64, requires_grad=f)
        for d, f in zip(data, flags)
    ]
    pool_ours, pool_theirs = list(ours), list(theirs)
    for _ in range(rng.randint(1, 25)):
        op = rng.choice(UNARY + BINARY)
        i, j = rng.randrange(len(pool_ours)), rng.randrange(len(pool_ours))
        c = rng.uniform(-3, 3)
        if not _allowed(op, pool_ours[i].data, pool_ours[j].data):
            continue
        pool_ours.append(_apply(op, pool_ours[i], pool_ours[j], c))
        pool_theirs.append(_apply(op, pool_theirs[i], pool_theirs[j], c))
    # The output uses several nodes, so shared sub-expressions meet again.
    picks = rng.sample(range(len(pool_ours)), k=min(3, len(pool_ours)))
    out_ours = sum((pool_ours[k] for k in picks), Value(0.0))
    out_theirs = sum(
        (pool_theirs[k] for k in picks), torch.zeros((), dtype=torch.float64)
    )
    return ours, theirs, out_ours, out_theirs


@pytest.mark.parametrize("seed", range(300))
def test_random_graphs_match_torch(seed):
    leaves, tensors, out, reference = random_graph(seed)
    assert out.data == pytest.approx(reference.item(), rel=1e-12, abs=1e-12)
    if not reference.requires_grad:
        assert not out.requires_grad
        return
    out.backward()
    reference.backward()
    for leaf, tensor in zip(leaves, tensors):
        if tensor.grad is None:
            assert leaf.grad is None
        else:
            assert leaf.grad == pytest.approx(tensor.grad.item(), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("seed", range(20))
def test_gradients_accumulate_across_backward_calls_like_torch(seed):
    leaves, tensors, out, reference = random_graph(seed)
    if not reference.requires_grad:
        return
    for _ in range(3):
        out.backward()
        reference.backward(retain_graph=True)
    for leaf, tensor in zip(leaves, tensors):
        if tensor.grad is not None:
            assert leaf.grad == pytest.approx(tensor.grad.item(), rel=1e-9, abs=1e-9)


def test_topological_order_lists_parents_first():
    a, b = Value(1.0, requires_grad=True), Value(2.0, requires_grad=True)
    c = a * b
    d = c + a
    e = d * c
    order = e.topological_order()
    position = {id(v): k for k, v in enumerate(order)}
    assert len(order) == 5 and order[-1] is e
    for node in order:
        for parent in node._parents:
            assert position[id(parent)] < position[id(node)]


def test_a_deep_chain_does_not_hit_the_recursion_limit():
    x = Value(0.5, requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_no_grad_and_detach_stop_recording():
    w = Value(3.0, requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = w * w
    assert is_grad_enabled() and not y.requires_grad and y.is_leaf
    z = w * w.detach()  # only one factor carries the gradient
    z.backward()
    assert w.grad == 3.0  # not 2 * 3
    with pytest.raises(ValueError, match="does not require grad"):
        y.backward()


def test_local_gradients_of_each_operation():
    cases = {
        "exp": (lambda v: v.exp(), lambda x: math.exp(x)),
        "log": (lambda v: v.log(), lambda x: 1 / x),
        "tanh": (lambda v: v.tanh(), lambda x: 1 - math.tanh(x) ** 2),
        "relu": (lambda v: v.relu(), lambda x: float(x > 0)),
        "pow": (lambda v: v**2.5, lambda x: 2.5 * x**1.5),
        "rtruediv": (lambda v: 2 / v, lambda x: -2 / x**2),
    }
    for name, (f, derivative) in cases.items():
        for x in (0.3, 1.7):
            v = Value(x, requires_grad=True)
            f(v).backward()
            assert v.grad == pytest.approx(derivative(x)), name


def test_from_parents_builds_custom_operations():
    x = Value(0.4, requires_grad=True)
    s = 1 / (1 + math.exp(-x.data))
    y = Value.from_parents(s, (x,), (s * (1 - s),), "sigmoid")
    (y * 2).backward()
    assert y.op == "sigmoid" and x.grad == pytest.approx(2 * s * (1 - s))
    assert "Value(0.4" in repr(x) and "grad=" in repr(x)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: Value("3"), TypeError, "data"),
        (lambda: Value(True), TypeError, "data"),
        (lambda: Value(2.0) ** Value(2.0), TypeError, "exponent"),
        (lambda: Value(-1.0).log(), ValueError, "positive"),
        (lambda: Value(1.0).backward(), ValueError, "does not require grad"),
        (lambda: Value(1.0, requires_grad=True).backward("1"), TypeError, "gradient"),
        (lambda: Value(1.0) + "a", TypeError, "data"),
    ],
)
def test_bad_input_is_rejected_clearly(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_gradients_of_inner_nodes_match_retain_grad():
    w, x = Value(0.5, requires_grad=True), Value(2.0)
    z = w * x + 0.3
    y = z.tanh()
    loss = (y - 1.0) ** 2
    tw = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    tz = tw * 2.0 + 0.3
    ty = tz.tanh()
    for t in (tz, ty):
        t.retain_grad()
    ((ty - 1.0) ** 2).backward()
    grads = loss.gradients()
    assert grads[id(z)] == pytest.approx(tz.grad.item())
    assert grads[id(y)] == pytest.approx(ty.grad.item())
    assert w.grad is None  # gradients() leaves .grad alone; backward() fills it
    loss.backward()
    assert w.grad == pytest.approx(tw.grad.item())


def test_plot_graph_draws_every_node():
    import matplotlib.pyplot as plt

    from course_utils.viz.autograd import plot_graph

    a, b = Value(1.5, requires_grad=True), Value(-2.0, requires_grad=True)
    out = (a * b + a).relu() + 1.0
    fig = plot_graph(out, names={"a": a}, grads=out.gradients(), title="t")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(fig.axes[0].patches) == len(out.topological_order())
    assert any(t.startswith("a\n") for t in texts) and any("grad" in t for t in texts)
    plt.close(fig)
    with pytest.raises(TypeError, match="must be a Value"):
        plot_graph(1.0)
