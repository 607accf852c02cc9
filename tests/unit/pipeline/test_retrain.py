from datetime import UTC, date, datetime

from meterlake.config import PipelineSettings
from meterlake.pipeline.retrain import (
    Active,
    active_facts,
    promotion_refusal,
)
from meterlake.pipeline.retrain import retrain_reason as reason_of

NOW = datetime(2014, 3, 1, tzinfo=UTC)
ACTIVE = Active("model-1", date(2014, 1, 1), datetime(2014, 2, 1, tzinfo=UTC))


def _params(**changes: object) -> PipelineSettings:
    return PipelineSettings.model_validate({"data_end": "2014-01-20", **changes})


def retrain_reason(params: PipelineSettings, active: Active | None, now: datetime) -> str | None:
    assert params.data_end is not None
    return reason_of(params, params.data_end, active, now)


def test_any_policy_trains_when_no_model_is_active():
    for policy in ("initial", "stale", "always"):
        assert retrain_reason(_params(retrain=policy), None, NOW) == "no model is active"


def test_initial_keeps_the_active_model_however_far_the_data_moved():
    assert retrain_reason(_params(retrain="initial", data_end="2015-01-01"), ACTIVE, NOW) is None


def test_always_retrains():
    assert "always" in str(retrain_reason(_params(retrain="always"), ACTIVE, NOW))


def test_stale_retrains_once_data_end_moved_retrain_after_days():
    assert retrain_reason(_params(), ACTIVE, NOW) is None  # 19 days past: still fresh
    reason = retrain_reason(_params(data_end="2014-01-31"), ACTIVE, NOW)
    assert reason is not None
    assert "30 days past" in reason
    assert retrain_reason(_params(retrain_after_days=10), ACTIVE, NOW) is not None


def test_stale_retrains_an_old_model_when_a_maximum_age_is_set():
    assert retrain_reason(_params(retrain_max_age_days=29), ACTIVE, NOW) is None
    reason = retrain_reason(_params(retrain_max_age_days=28), ACTIVE, NOW)
    assert reason == "the active model is 28 days old (retrain_max_age_days 28)"


def test_active_facts_read_the_stored_metadata():
    meta = {
        "version": "model-2",
        "data_end": "2014-01-01 00:00:00",
        "created": "2014-02-01T00:00:00+00:00",
    }
    assert active_facts(meta) == Active(
        "model-2", date(2014, 1, 1), datetime(2014, 2, 1, tzinfo=UTC)
    )


def _meta(own: float, baseline: float) -> dict[str, object]:
    return {"kind": "gbm", "metrics": {"gbm": {"mase": own}, "naive168": {"mase": baseline}}}


def test_a_model_promotes_only_if_it_beats_seasonal_naive():
    assert promotion_refusal(_params(), _meta(0.8, 0.9)) is None
    refusal = promotion_refusal(_params(), _meta(0.95, 0.9))
    assert refusal == "its backtest MASE 0.95 does not beat the seasonal-naive 0.9"
    assert promotion_refusal(_params(promote="always"), _meta(0.95, 0.9)) is None
