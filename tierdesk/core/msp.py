"""Who the MSP is, as printed on agreements and comparison sheets.

The values are settings (TIERDESK_MSP_NAME, TIERDESK_MSP_ADDRESS, TIERDESK_MSP_PHONE,
TIERDESK_MSP_EMAIL, TIERDESK_HOTLINE), which settings.py reads from the environment. They
are read on every call so that a test's override applies.
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class MspIdentity:
    name: str
    address: str
    phone: str
    email: str
    hotline: str


def _setting(name: str, default: str = "") -> str:
    return (getattr(settings, name, None) or default).strip()


def msp_identity() -> MspIdentity:
    """The MSP's identity as configured now."""
    return MspIdentity(
        name=_setting("TIERDESK_MSP_NAME", "Your MSP"),
        address=_setting("TIERDESK_MSP_ADDRESS"),
        phone=_setting("TIERDESK_MSP_PHONE"),
        email=_setting("TIERDESK_MSP_EMAIL"),
        hotline=_setting("TIERDESK_HOTLINE"),
    )
