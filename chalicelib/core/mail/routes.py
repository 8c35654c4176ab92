"""/suppressions: the addresses Herald no longer mails, and why.

GET lists them (any API key); DELETE /suppressions/{address} lifts one (a
read-write key), so the next mail to it is sent again. The address in the
path is checked by the one e-mail validator (values.email_address).
"""

from chalice import Blueprint

from chalicelib.core import errors, http

blueprint = Blueprint(__name__)


@http.route(blueprint, "/suppressions", methods=["GET"])
def suppressions_list():
    from chalicelib.core.mail import suppressions

    http.caller(blueprint.current_request, write=False)
    entries = sorted(suppressions.all_entries(), key=lambda item: item["address"])
    return {"suppressions": [suppressions.public(item) for item in entries]}


@http.route(blueprint, "/suppressions/{address}", methods=["DELETE"])
def suppressions_lift(address):
    from urllib.parse import unquote

    from chalicelib.core import values
    from chalicelib.core.mail import suppressions

    http.caller(blueprint.current_request, write=True)
    checked = values.email_address(unquote(address), "address")
    lifted = suppressions.lift(checked)
    if lifted is None:
        raise errors.NotFound(f"{checked} is not suppressed", field="address")
    return {"lifted": suppressions.public(lifted)}
