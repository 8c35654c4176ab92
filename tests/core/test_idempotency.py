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


def test_a_later_attempt_of_the_same_message_takes_its_own_claim_over_at_once(aws, clock):
    # The first delivery claimed and died (or its release was lost): its lease runs on.
    assert idempotency.claim("mail:1", ttl=3600, owner="m-1", attempt=1)
    assert not idempotency.claim("mail:1", ttl=3600, owner="m-2", attempt=1)  # another message
    assert not idempotency.claim("mail:1", ttl=3600, owner="m-1", attempt=1)  # a copy at once
    assert idempotency.claim("mail:1", ttl=3600, owner="m-1", attempt=2)


def test_a_claim_whose_reply_was_lost_is_recognised_as_ours(aws):
    from botocore.exceptions import ClientError

    from chalicelib.core import aws as clients

    def lose_the_reply(**_):
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "lost"}}, "PutItem")

    events = clients.dynamodb().meta.client.meta.events
    events.register_first("after-call.dynamodb.PutItem", lose_the_reply, unique_id="lose")
    assert idempotency.claim("mail:2", ttl=3600, owner="m-1", attempt=1)
    events.unregister("after-call.dynamodb.PutItem", unique_id="lose")
    assert not idempotency.claim("mail:2", ttl=3600, owner="m-9", attempt=1)


def test_the_lease_lapses_within_the_queues_visibility_timeout():
    import re

    from herald.environment import ROOT

    text = (ROOT / "infra" / "resources.yaml").read_text()
    visibility = int(re.search(r"QueueVisibilitySeconds:\n.*\n\s+Default: (\d+)", text)[1])
    assert 60 < idempotency.LEASE <= visibility


def test_a_failed_release_and_done_write_never_raise(aws):
    from chalicelib.core import aws as clients

    def throttled(**_):
        raise RuntimeError("throttled")

    events = clients.dynamodb().meta.client.meta.events
    events.register("before-call.dynamodb.DeleteItem", throttled)
    events.register("before-call.dynamodb.UpdateItem", throttled)
    idempotency.release("job-5")
    assert idempotency.complete("job-5") is False
