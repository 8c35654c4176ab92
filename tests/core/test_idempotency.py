"""Work guarded by idempotency.once() happens once, even when retried."""

import pytest

from chalicelib.core import idempotency


def test_it_runs_the_work_the_first_time_only(aws):
    runs = []
    for _ in range(3):
        with idempotency.once("job-1", ttl=3600) as first:
            if first:
                runs.append(1)
    assert runs == [1]
    assert idempotency.is_done("job-1")


def test_it_lets_a_retry_run_after_the_work_failed(aws):
    with pytest.raises(RuntimeError), idempotency.once("job-2", ttl=3600) as first:
        assert first
        raise RuntimeError("SES said no")
    with idempotency.once("job-2", ttl=3600) as first:
        assert first


def test_a_running_claim_blocks_a_second_worker_until_its_lease_lapses(aws, clock):
    assert idempotency.claim("job-3", ttl=3600, lease=60)
    assert not idempotency.claim("job-3", ttl=3600, lease=60)
    clock.shift(61)  # the first worker crashed without finishing
    assert idempotency.claim("job-3", ttl=3600, lease=60)


def test_a_done_claim_never_lapses(aws, clock):
    with idempotency.once("job-4", ttl=3600, lease=60):
        pass
    clock.shift(600)
    assert not idempotency.claim("job-4", ttl=3600, lease=60)
