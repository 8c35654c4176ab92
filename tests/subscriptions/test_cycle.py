"""The check cycle and the notify jobs, against the sample feed on loopback."""

from tests.helpers import text_of


def test_it_notifies_a_new_record_once(herald):
    herald.subscribe()
    herald.clock.shift(60)
    herald.sample.put({"title": "Flood at the bridge", "severity": "high"})
    summary = herald.cycle()
    assert summary["queued"] == 1
    [mail] = herald.mails()
    assert mail["To"] == "alice@example.org"
    assert mail["Subject"] == "Herald Update Notification: Incidents"
    assert "[new] Flood at the bridge" in text_of(mail)
    assert "Severity: high" in text_of(mail)
    herald.cycle()
    herald.cycle(86400)
    assert len(herald.mails()) == 1


def test_it_labels_new_and_updated_across_the_last_check(herald):
    herald.sample.put({"title": "Old road closure"})
    herald.clock.shift(1)
    herald.subscribe(notify_on=["new", "upd"])
    herald.clock.shift(60)
    herald.sample.put({"id": "1", "title": "Old road closure (reopened)"})
    herald.sample.put({"title": "Fire"})
    herald.cycle()
    first = text_of(herald.mails()[0])
    assert "[updated] Old road closure (reopened)" in first
    assert "[new] Fire" in first
    herald.clock.shift(10)
    herald.sample.put({"id": "2", "title": "Fire (contained)"})
    herald.cycle()
    second = text_of(herald.mails()[1])
    assert "[updated] Fire (contained)" in second
    assert "Old road" not in second


def test_it_sends_only_the_kinds_asked_for(herald):
    herald.sample.put({"title": "Existing"})
    herald.clock.shift(1)
    herald.subscribe(notify_on=["new"])
    herald.clock.shift(60)
    herald.sample.put({"id": "1", "title": "Existing, changed"})
    herald.cycle()
    assert herald.mails() == []
    herald.sample.put({"title": "Brand new"})
    herald.cycle()
    [mail] = herald.mails()
    assert "[new] Brand new" in text_of(mail)
    assert "Existing" not in text_of(mail)


def test_a_record_changed_during_the_fetch_comes_next_cycle_once(herald):
    herald.subscribe(notify_on=["new", "upd"])
    herald.clock.shift(60)
    herald.sample.put({"title": "A"})
    herald.sample.put({"title": "B"})

    def change_a_once(query):
        if query.get("limit") and herald.sample.before_answer:
            herald.sample.before_answer = None
            herald.clock.shift(1)
            herald.sample.put({"id": "1", "title": "A, changed during the fetch"})

    herald.sample.before_answer = change_a_once
    herald.cycle()
    herald.cycle()
    herald.cycle()
    bodies = [text_of(m) for m in herald.mails()]
    assert len(bodies) == 2
    # Above the signature: below it, the unsubscribe link's token may hold an "A".
    assert "[new] B" in bodies[0] and "A" not in bodies[0].split("\n-- ")[0].replace("Alice", "")
    assert "A, changed during the fetch" in bodies[1]
    assert "B" not in bodies[1].split("since")[1].split("--")[0]


def test_a_quiet_resource_is_asked_once_and_nobody_is_fetched(herald):
    for _ in range(3):
        herald.subscribe()
    summary = herald.cycle()
    assert summary == {
        "due": 3, "unchanged": 3, "queued": 0, "feed_errors": 0, "busy": 0, "errors": 0
    }  # fmt: skip
    assert herald.sample.requests == 1
    summary = herald.cycle()
    assert summary["due"] == 3 and herald.sample.requests == 2


def test_nothing_is_due_before_its_time(herald):
    herald.subscribe(frequency="hourly")
    assert herald.cycle()["due"] == 0
    assert herald.sample.requests == 0


def test_a_group_gets_one_mail_per_member_at_their_best_contact(herald):
    herald.person("ana", "ana-pager@example.org", "ana@example.org")
    herald.person("ben", "ben@example.org")
    from chalicelib.subscriptions import store as subscriptions

    # Priorities: the lowest number wins, whatever the order given.
    subscriptions.save_subscriber(
        {
            "id": "ana",
            "name": "Ana",
            "contacts": [
                {"address": "ana-pager@example.org", "priority": 5},
                {"address": "ana@example.org", "priority": 1},
            ],
        },
        "ana",
        create=False,
    )
    herald.person("team", members=["ana", "ben"])
    herald.subscribe("team")
    herald.clock.shift(60)
    herald.sample.put({"title": "Storm"})
    herald.cycle()
    mails = herald.mails()
    assert sorted(m["To"] for m in mails) == ["ana@example.org", "ben@example.org"]
    assert {text_of(m).splitlines()[0] for m in mails} == {"Hello Ana,", "Hello Ben,"}
    assert herald.sample.tokens[-1]["sub"] == "team"


def test_it_announces_the_notification_on_the_bus(herald, aws):
    import json

    import boto3

    herald.subscribe()
    herald.clock.shift(60)
    herald.sample.put({"title": "Storm"})
    herald.cycle()
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=aws["HooksQueue"])["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    events = [json.loads(m["Body"])["detail"] for m in messages]
    [notified] = [e for e in events if e["type"] == "subscription.notified"]
    assert notified["data"]["new"] == 1
    assert notified["data"]["recipients"] == 1


def test_an_html_subscriber_gets_hostile_values_escaped(herald):
    from tests.helpers import html_of

    herald.subscribe(email_format="html")
    herald.clock.shift(60)
    herald.sample.put({"title": "<script>alert(1)</script>", "location": '"><img src=x>'})
    herald.cycle()
    [mail] = herald.mails()
    html = html_of(mail)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in text_of(mail)


def test_changes_beyond_the_page_limit_come_in_the_next_mail(herald, monkeypatch):
    monkeypatch.setattr("chalicelib.subscriptions.feed.PAGE_SIZE", 1)
    monkeypatch.setattr("chalicelib.subscriptions.feed.MAX_PAGES", 2)
    herald.subscribe()
    for n in range(3):
        herald.clock.shift(60)
        herald.sample.put({"title": f"Incident {n}"})
    herald.cycle()
    herald.cycle()
    herald.cycle()
    bodies = [text_of(m) for m in herald.mails()]
    assert len(bodies) == 2
    assert "Incident 0" in bodies[0] and "Incident 1" in bodies[0]
    assert "they follow in the next one" in bodies[0]
    assert "Incident 2" in bodies[1] and "Incident 1" not in bodies[1]


def test_a_changed_resource_is_asked_once_then_fetched_per_subscription(herald):
    for _ in range(3):
        herald.subscribe()
    herald.clock.shift(60)
    herald.sample.put({"title": "Storm"})
    assert herald.cycle()["queued"] == 3
    assert herald.sample.requests == 1 + 3  # one "changed?" question, one fetch each
    assert len(herald.mails()) == 3
