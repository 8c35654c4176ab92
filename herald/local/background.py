"""The scheduler, the queue workers and the mail capture of `make run`, in threads."""

import logging
import threading

from herald import environment
from herald.environment import LOCAL_DIR

log = logging.getLogger("herald.local")


def thread(target, name: str) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


def start():
    """Scheduler, queue workers and mail capture, each in its own thread; returns
    what stops them and waits for the batch each may be in the middle of."""
    from herald.local.invoke import fire, queue_handlers, schedules
    from herald.local.mailbox import Mailbox
    from herald.local.scheduler import Scheduler
    from herald.local.worker import QueueWorker

    def fire_logged(name: str) -> None:
        log.info("schedule fired: %s", name)
        try:
            fire(app, name)
        except Exception:
            log.exception("scheduled handler %s failed", name)

    app = environment.import_app()
    scheduler = Scheduler(schedules(app), fire_logged)
    workers = [QueueWorker(app, config) for config in queue_handlers(app)]
    mailbox = Mailbox(LOCAL_DIR / "mail")
    runners = [("scheduler", scheduler), *((f"worker-{w.name}", w) for w in workers)]
    threads = [thread(runner.run, name) for name, runner in [*runners, ("mailbox", mailbox)]]

    def stop() -> None:
        for _name, runner in runners:
            runner.stopped.set()
        for thread in threads[:-1]:
            thread.join(timeout=30)
        mailbox.stopped.set()  # last: the mail the workers sent on their way out is kept
        threads[-1].join(timeout=5)
        mailbox.collect()

    return stop
