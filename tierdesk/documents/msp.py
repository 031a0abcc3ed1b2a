"""Who the MSP is, as printed on its documents: name, address, phone, e-mail, hotline.

Each value is read from django settings when the lead's settings.py defines it, else from
the environment variable of the same name, else a neutral default — so documents render on
a fresh install and an operator sets the real identity through the environment.

    TIERDESK_MSP_NAME     the MSP's legal name
    TIERDESK_MSP_ADDRESS  postal address (newlines allowed)
    TIERDESK_MSP_PHONE    main office number
    TIERDESK_MSP_EMAIL    support / contracts e-mail
    TIERDESK_HOTLINE      the 24x7 hotline number, printed only for tiers with a hotline
"""

import os
from dataclasses import dataclass

from django.conf import settings

DEFAULTS = {
    "TIERDESK_MSP_NAME": "Your MSP",
    "TIERDESK_MSP_ADDRESS": "",
    "TIERDESK_MSP_PHONE": "",
    "TIERDESK_MSP_EMAIL": "",
    "TIERDESK_HOTLINE": "",
}


def _setting(name: str) -> str:
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, "")
    return (value or DEFAULTS[name]).strip()


def msp_name() -> str:
    return _setting("TIERDESK_MSP_NAME")


def msp_address() -> str:
    return _setting("TIERDESK_MSP_ADDRESS")


def msp_phone() -> str:
    return _setting("TIERDESK_MSP_PHONE")


def msp_email() -> str:
    return _setting("TIERDESK_MSP_EMAIL")


def msp_hotline() -> str:
    return _setting("TIERDESK_HOTLINE")


@dataclass(frozen=True)
class MspIdentity:
    name: str
    address: str
    phone: str
    email: str
    hotline: str


def msp_identity() -> MspIdentity:
    """The MSP's identity as configured now (read on every call so overrides apply)."""
    return MspIdentity(
        name=msp_name(), address=msp_address(), phone=msp_phone(), email=msp_email(),
        hotline=msp_hotline(),
    )
