"""A failure alert shows the failing ping's exit status and the first lines of its body."""

from tests.helpers import text_of


def test_it_mails_the_exit_status_and_the_first_lines_of_the_body(
    make_monitor, ping, deliver_outbox, sent_mail
):
    backup = make_monitor("backup")
    ping(backup)
    output = "\n".join(f"line {n} <b>" for n in range(1, 15)).encode()
    assert ping(backup, "3", method="POST", body=output).status_code == 200
    deliver_outbox()
    (mail,) = [m for m in sent_mail() if m["Subject"] == "backup reported a failure"]
    text = text_of(mail)
    assert "Exit status: 3" in text
    assert "> line 1 <b>" in text and "> line 10 <b>" in text and "line 11" not in text
    html = mail.get_body(("html",)).get_content()
    assert "<pre>line 1 &lt;b&gt;" in html


def test_a_failure_without_a_body_says_only_its_exit_status(
    make_monitor, ping, deliver_outbox, sent_mail
):
    backup = make_monitor("backup")
    ping(backup)
    ping(backup, "fail", method="POST", body=b"disk full")
    ping(backup)  # recovered
    ping(backup, "2")  # a new outage, from a GET: no body this time
    deliver_outbox()
    failures = [text_of(m) for m in sent_mail() if m["Subject"] == "backup reported a failure"]
    assert "Body: disk full" in failures[0] and "Exit status" not in failures[0]
    assert "Exit status: 2" in failures[-1] and "Body" not in failures[-1]


def test_a_failure_told_after_quiet_hours_gives_the_failures_own_time(
    job, ping, clock, run_checker, deliver_outbox, sent_mail
):
    quiet = [{"days": "mon", "from": "10:05", "to": "11:00", "tz": "Europe/Berlin"}]
    monitor = job(quiet_hours=quiet)  # pinged 09:00 UTC; quiet 09:05-10:00 UTC
    for _ in range(10):  # silent from 09:06: held, nobody told
        clock.shift(60)
        run_checker()
    clock.shift(50)
    assert ping(monitor, "fail").status_code == 200  # 09:10:50, the only failure
    clock.move_to("2026-11-02 10:00:30+00:00")
    run_checker()
    deliver_outbox()
    (mail,) = sent_mail()
    assert mail["Subject"] == "job reported a failure"
    text = text_of(mail)
    assert "09:10:50" in text and "09:00:00" not in text, text
