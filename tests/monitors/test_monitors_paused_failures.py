"""A paused monitor takes every ping, whatever happened before the pause."""


def test_it_takes_a_failure_after_a_success_while_paused(client, make_monitor, clock):
    from chalicelib.monitors import admin, store

    monitor = make_monitor("x", max_sleep=0, email_frequency=0, refresh_on_ping_restored=False)
    path = f"/ping/{monitor['uuid']}"
    assert client.http.get(path + "/fail").status_code == 200  # an outage, told
    clock.shift(1)
    admin.set_paused("x", True)
    clock.shift(1)
    assert client.http.get(path).status_code == 200  # up, its recovery untold while paused
    clock.shift(1)
    # Found by the notice invariants' property test: this was a 503 for as
    # long as the pause lasted (the recovery could never be told).
    assert client.http.get(path + "/fail").status_code == 200
    assert int(store.get("x")["pings"]) == 3
