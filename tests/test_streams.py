"""The model's weekly random streams restart where ``PCG64.jumped`` would put them."""

import numpy as np

from milieusim.model import MilieuModel


def test_week_stream_is_the_jumped_stream():
    model = MilieuModel(rng=3, n_staff=50, steps=3)
    start, _, _ = model._streams["adoption"]
    base = np.random.PCG64(0)
    base.state = start
    for week in (0, 2, 1, 7):
        model.now = week
        expected = np.random.Generator(base.jumped(week + 1))
        drawn = model.draws("adoption")
        assert drawn is model.draws("adoption")  # one stream for the whole week
        assert (drawn.random(4) == expected.random(4)).all()
        assert (drawn.integers(1000, size=3) == expected.integers(1000, size=3)).all()
