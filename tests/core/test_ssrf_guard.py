"""The SSRF guard judges every address, including IPv4 hidden inside IPv6."""

import pytest

from chalicelib.core import ssrf

HIDDEN_METADATA = [
    "::ffff:169.254.169.254",  # IPv4-mapped
    "::ffff:0:169.254.169.254",  # IPv4-translated
    "::169.254.169.254",  # IPv4-compatible
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "::ffff:10.0.0.1",
]


@pytest.mark.parametrize("address", HIDDEN_METADATA)
def test_it_refuses_an_internal_ipv4_address_wrapped_in_ipv6(address, monkeypatch):
    monkeypatch.delenv("HERALD_LOCAL", raising=False)
    with pytest.raises(ssrf.Refused):
        ssrf.check_address(address, "hooks.example")


@pytest.mark.parametrize("address", ["64:ff9b:1::a9fe:a9fe", "fec0::1", "ff02::1", "::"])
def test_it_refuses_what_it_cannot_judge_or_what_is_never_public(address, monkeypatch):
    monkeypatch.delenv("HERALD_LOCAL", raising=False)
    with pytest.raises(ssrf.Refused):
        ssrf.check_address(address, "hooks.example")


@pytest.mark.parametrize("address", ["93.184.216.34", "64:ff9b::5db8:d822", "2606:2800:220:1::1"])
def test_it_allows_public_addresses_however_they_are_written(address, monkeypatch):
    monkeypatch.delenv("HERALD_LOCAL", raising=False)
    ssrf.check_address(address, "hooks.example")


def test_private_destinations_may_be_private_but_never_link_local_or_loopback(monkeypatch):
    monkeypatch.delenv("HERALD_LOCAL", raising=False)
    ssrf.check_address("10.1.2.3", "feed.internal", private=True)
    for address in ("169.254.169.254", "::ffff:169.254.169.254", "127.0.0.1", "::1"):
        with pytest.raises(ssrf.Refused):
            ssrf.check_address(address, "feed.internal", private=True)


def test_local_mode_allows_loopback_but_a_lambda_function_is_never_in_local_mode(monkeypatch):
    monkeypatch.setenv("HERALD_LOCAL", "1")
    ssrf.check_address("127.0.0.1", "localhost")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "herald-prod-APIHandler")
    with pytest.raises(ssrf.Refused, match="loopback"):
        ssrf.check_address("127.0.0.1", "localhost")


@pytest.mark.parametrize("value", ["0", "yes", "true", ""])
def test_only_herald_local_1_is_local_mode(value, monkeypatch):
    monkeypatch.setenv("HERALD_LOCAL", value)
    with pytest.raises(ssrf.Refused):
        ssrf.check_address("127.0.0.1", "localhost")
