"""What can go wrong with a request, said once for every capability.

Capability code raises these; it never builds an HTTP reply itself. The one
HTTP layer (core/http.py) maps each class to its status code, and the
command line shows the same message. `field` names the value that was
refused (for example "resources[1].url"), so a caller can point at it.
"""


class HeraldError(Exception):
    status = 500
    code = "InternalServerError"

    def __init__(self, message: str = "", *, field: str | None = None, headers: dict | None = None):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message
        self.headers = headers or {}


class Invalid(HeraldError, ValueError):
    """A value refused; nothing was stored."""

    status, code = 400, "BadRequestError"

    @classmethod
    def at(cls, field: str, message: str) -> "Invalid":
        return cls(message, field=field)


class Unauthorized(HeraldError):
    status, code = 401, "UnauthorizedError"


class Forbidden(HeraldError):
    status, code = 403, "ForbiddenError"


class NotFound(HeraldError, LookupError):
    status, code = 404, "NotFoundError"


class Conflict(HeraldError):
    """Someone else changed the thing first, or it already exists."""

    status, code = 409, "ConflictError"


class TooManyRequests(HeraldError):
    status, code = 429, "TooManyRequestsError"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, headers={"Retry-After": str(retry_after)})


class Unavailable(HeraldError):
    """Not done, nothing changed: the same request a moment later will do."""

    status, code = 503, "ServiceUnavailableError"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, headers={"Retry-After": str(retry_after)})
