"""dbcheck.backoff: the retry waits, cut to a time budget (GradingLimits.db_retry_seconds)."""
from grading.course import dbcheck


def test_backoff_yields_only_the_waits_that_fit():
    assert list(dbcheck.backoff((1, 2, 4, 8), within=7)) == [1, 2, 4]
    assert list(dbcheck.backoff((1, 2, 4, 8), within=0.5)) == []
    assert list(dbcheck.backoff((1, 2))) == [1, 2]
    assert sum(dbcheck.backoff()) == sum(dbcheck.RETRY_WAITS)  # no budget: every wait
