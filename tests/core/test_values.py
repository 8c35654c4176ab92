"""One e-mail validator and one Decimal-to-JSON converter for all of Herald."""

from decimal import Decimal

import pytest

from chalicelib.core import errors, values


@pytest.mark.parametrize(
    "address",
    ["x@[1.2.3.4", "ops@", "@example.com", "a b@example.com", "a@b", "ü@example.com",
     "a@example.com\r\nBcc: x@evil.org", "a@exa mple.com", "a,b@example.com", "\ud800@b.org"],
)  # fmt: skip
def test_it_refuses_what_the_outbox_could_not_put_in_a_header(address):
    with pytest.raises(errors.Invalid) as refused:
        values.email_address(address, "device_email[0]")
    assert refused.value.field == "device_email[0]"


def test_it_keeps_a_plain_address_and_gives_an_international_domain_in_ascii():
    assert values.email_address("Ops.Team+alerts@example.com", "f") == "Ops.Team+alerts@example.com"
    assert values.email_address("a@bücher.example", "f") == "a@xn--bcher-kva.example"


def test_a_list_of_addresses_is_checked_one_by_one_and_deduplicated():
    checked = values.email_addresses(
        ["a@example.com", "a@example.com", "b@example.com"], "r", limit=5
    )
    assert checked == ["a@example.com", "b@example.com"]
    with pytest.raises(errors.Invalid, match=r"r\[1\]"):
        values.email_addresses(["a@example.com", "x@[1.2.3.4"], "r", limit=5)
    with pytest.raises(errors.Invalid, match="at most 1"):
        values.email_addresses(["a@example.com", "b@example.com"], "r", limit=1)


def test_decimals_become_plain_numbers_at_any_depth():
    stored = {"n": Decimal("3"), "f": Decimal("1.5"), "l": [Decimal("2"), {"x": Decimal("0.25")}]}
    assert values.plain(stored) == {"n": 3, "f": 1.5, "l": [2, {"x": 0.25}]}
    assert values.dumps(stored) == '{"n": 3, "f": 1.5, "l": [2, {"x": 0.25}]}'
