"""Herald's AWS clients: built once, on one session, without the collector's pauses."""

import gc
import threading

from chalicelib.core import aws as clients


def test_it_builds_each_client_once_on_one_session(aws):
    dynamodb, ssm = clients.client("dynamodb"), clients.client("ssm")
    assert clients.client("dynamodb") is dynamodb
    assert dynamodb.meta.events is not ssm.meta.events  # clients of their own...
    assert clients._session() is clients._session()  # ...from one session's loaders


def test_it_turns_the_collector_back_on_after_building_a_client():
    assert gc.isenabled()
    with clients.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_it_turns_the_collector_back_on_when_the_build_fails():
    try:
        with clients.collector_paused():
            raise RuntimeError("no credentials")
    except RuntimeError:
        pass
    assert gc.isenabled()


def test_a_nested_pause_leaves_turning_it_on_to_the_outer_one():
    with clients.collector_paused():
        with clients.collector_paused():
            pass
        assert not gc.isenabled()  # the outer build is still under way
    assert gc.isenabled()


def test_threads_asking_at_once_on_a_cold_start_share_one_client(aws):
    built, start = [], threading.Barrier(4)

    def build():
        start.wait()
        built.append(clients.client("sqs"))

    threads = [threading.Thread(target=build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 4 and {id(c) for c in built} == {id(clients.client("sqs"))}
    assert gc.isenabled()
