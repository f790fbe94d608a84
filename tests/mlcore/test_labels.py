from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcore.features.labels import forward_rank_label, forward_relative_return


def test_label_is_the_forward_log_return_relative_to_the_universe():
    index = pd.bdate_range("2021-01-01", periods=8, name="date")
    closes = pd.DataFrame({"A": 100 * 1.02 ** np.arange(8), "B": np.full(8, 50.0)}, index=index)
    label = forward_relative_return(closes, horizon=3)
    a_excess = 3 * np.log(1.02) / 2
    assert label.loc[(index[0], "A")] == pytest.approx(a_excess)
    assert label.loc[(index[0], "B")] == pytest.approx(-a_excess)
    # the last `horizon` dates have no known future
    assert index[-1] not in label.index.get_level_values("date")
    assert label.index.get_level_values("date").max() == index[-4]


def test_rank_label_orders_like_the_return_label(sample_panels):
    raw = forward_relative_return(sample_panels.close, 5)
    ranked = forward_rank_label(sample_panels.close, 5)
    day = raw.index.get_level_values("date")[0]
    assert raw.xs(day).idxmax() == ranked.xs(day).idxmax()
    assert ranked.between(-0.5, 0.5).all()
