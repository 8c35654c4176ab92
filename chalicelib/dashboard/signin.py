"""Signing in to the dashboard: by password or by a link mailed through the outbox.

Both are rate-limited per address and per account (core/attempts.py), each
attempt counted atomically before a password is compared or a mail queued.
A link request counts as an attempt whether or not the account exists, and
the page says the same either way, so the form does not tell who has an
account. A link's page only shows a button: the POST behind it spends the
link, so a mail scanner that opens links does not use it up.
"""

from chalicelib.core import accounts, attempts, errors, http, sessions
from chalicelib.dashboard import render

_WRONG = "wrong e-mail address or password"


def _limits(kind: str, request, email: str) -> list[dict]:
    return [
        {"pk": f"{kind}#address#{http.source_ip(request)}", "sk": kind},
        {"pk": f"{kind}#account#{email}", "sk": kind},
    ]


def _form(request, status: int = 200, headers: dict | None = None, **context):
    token, cookie = sessions.form_token(request)
    extra = {**(headers or {}), **({"Set-Cookie": cookie} if cookie else {})}
    return render.html("signin.html", status, extra, form_token=token, **context)


def page(request):
    if sessions.current(request):
        return render.redirect("/dashboard")
    return _form(request)


def submit(request):
    fields = http.form_body(request)
    email = fields.get("email", "")[:300]
    try:
        sessions.check_form(request, fields.get("csrf"))
        email = accounts.address(email)
        if fields.get("how") == "link":
            _mail_link(request, email)
            return _form(request, email=email, sent=True)
        return _with_password(request, email, fields.get("password", ""))
    except errors.HeraldError as error:
        return _form(request, error.status, error.headers, email=email, error=error.message)


def _with_password(request, email: str, given: str):
    if not given:  # Enter pressed on an empty password: not a guess, count nothing
        raise errors.Invalid.at("password", "type your password, or press Mail me a sign-in link")
    limits = _limits("SIGNIN", request, email)
    counted = _reserve(limits)
    account = accounts.get(email)
    if not accounts.password_matches(account, given):
        for key, number in counted:
            attempts.failed(key, number)
        raise errors.Unauthorized(_WRONG)
    # Only the account's count is forgotten: an address's must not be reset
    # by signing in to an account of one's own between guesses at others.
    (address, number), _ = counted
    attempts.passed(address, number)
    attempts.forget(limits[1])
    return render.redirect("/dashboard", {"Set-Cookie": sessions.start(account)})


def _reserve(limits: list[dict]) -> list[tuple[dict, int]]:
    """Count one attempt on every key, or on none: when a later key refuses,
    the attempts already counted are settled as failures, so their gates do
    not stay closed (for MAX_WAIT) by an attempt that was never compared."""
    counted: list[tuple[dict, int]] = []
    try:
        for key in limits:
            counted.append((key, attempts.reserve(key)))
    except errors.TooManyRequests:
        for key, number in counted:
            attempts.failed(key, number)
        raise
    return counted


def _mail_link(request, email: str) -> None:
    # Every request counts, answered or not: each may send a mail.
    for key in _limits("SIGNINLINK", request, email):
        attempts.failed(key, attempts.reserve(key))
    account = accounts.get(email)
    if account is not None:
        send_link(account["email"])


def send_link(email: str) -> str:
    """Mail a new sign-in link to the account; the link, for `make run` to print too."""
    from chalicelib.core import outbox, settings

    url = f"{settings.public_url()}/dashboard/sign-in/{accounts.issue_link(email)}"
    text = (
        f"Sign in to Herald:\n\n{url}\n\n"
        "The link works once, within 15 minutes. If you did not ask for it, ignore this mail.\n"
    )
    outbox.enqueue([outbox.Mail(to=email, subject="Your Herald sign-in link", text=text)])
    if settings.local_mode():  # `make run`: the console is where a newcomer looks
        print(f"sign-in link for {email}: {url}", flush=True)
    return url


def link_page(request, token: str):
    token_, cookie = sessions.form_token(request)
    headers = {"Set-Cookie": cookie} if cookie else {}
    return render.html("link.html", 200, headers, form_token=token_, token=token)


def link_submit(request, token: str):
    fields = http.form_body(request)
    try:
        sessions.check_form(request, fields.get("csrf"))
    except errors.Forbidden as error:
        return render.html("link.html", 403, error=error.message)
    account = accounts.consume_link(token)
    if account is None:
        error = "this sign-in link was used already or has expired"
        return render.html("link.html", 401, error=error)
    return render.redirect("/dashboard", {"Set-Cookie": sessions.start(account)})


def sign_out(request):
    account = sessions.current(request)
    fields = http.form_body(request)
    if account is not None:
        sessions.check_csrf(account, fields.get("csrf"))
        accounts.end_sessions(account["email"])
    return render.redirect("/dashboard/sign-in", {"Set-Cookie": sessions.ended()})
